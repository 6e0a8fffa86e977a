// Issue 14, problems 1, 4, 5 and 6, against the real broker: absurd versions, contention between
// writers, what a 503 means, and the validation gaps. Kafka's own failures are injected by
// wrapping the real transactional writer (the commit really happens, or really does not).
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { createRequire } from 'node:module'
import { describe, test } from 'node:test'
import type { TestContext } from 'node:test'
import { gzipSync } from 'node:zlib'
import { KafkaTransactionError, MAX_REVISION, MAX_SAFE_AVRO_LONG, topicNames } from '@newswire/shared'
import type { Article, ArticleEvent, TransactionalWriter } from '@newswire/shared'
import { loadIngestConfig, partitionOf, startIngest, validateArticle } from '@newswire/ingest'
import type { IngestInstance } from '@newswire/ingest'
import { http, ingestEnv, readTopic, sleep, startTestIngest, testLogger, uniquePrefix } from '../../../test/helpers.ts'
import type { HttpResult } from '../../../test/helpers.ts'
import { decide } from '../src/decide.ts'

const article = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  language: 'en',
  headline: `Story ${id}`,
  body: ['Text.'],
  ...extra,
})

/** What can go wrong with one commit; each entry is used once, in order. */
type Fault = 'landed, then -1' | '-1, nothing written' | 'landed, then connection lost' | 'slow'

// kafkajs's own error for Kafka's UNKNOWN_SERVER_ERROR (-1), as its broker code throws it
const require = createRequire(import.meta.url)
const { KafkaJSProtocolError } = require('kafkajs/src/errors') as { KafkaJSProtocolError: new (e: unknown) => Error }
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => unknown }
const unknownServerError = (): Error => new KafkaJSProtocolError(createErrorFromCode(-1))
const connectionLost = () => Object.assign(new Error('injected: Connection error: socket hang up'), { name: 'KafkaJSConnectionError' })

function faulty(faults: Fault[]): (writer: TransactionalWriter) => TransactionalWriter {
  return (writer) => ({
    async commit(writes) {
      const fault = faults.shift()
      if (fault === '-1, nothing written') throw new KafkaTransactionError('commit', unknownServerError())
      if (fault === 'slow') await sleep(800)
      const ends = await writer.commit(writes)
      if (fault === 'landed, then -1') throw new KafkaTransactionError('commit', unknownServerError())
      if (fault === 'landed, then connection lost') throw new KafkaTransactionError('commit', connectionLost())
      return ends
    },
    close: () => writer.close(),
  })
}

async function startFaulty(t: TestContext, prefix: string, faults: Fault[], env: Record<string, string> = {}): Promise<IngestInstance> {
  const config = loadIngestConfig(ingestEnv(prefix, env))
  const instance = await startIngest(config, testLogger('ingest'), (err) => assert.fail(String(err)), { wrapWriter: faulty(faults) })
  t.after(() => instance.close())
  return instance
}

const post = (ingest: IngestInstance, body: unknown, headers: Record<string, string> = {}) =>
  http(`${ingest.url}/v1/articles`, { method: 'POST', json: body, headers })

function bodyOf(r: HttpResult): { eventId?: string; version?: number; code?: string; detail?: string; errors?: { field: string }[] } {
  return r.body as { eventId?: string; version?: number; code?: string; detail?: string; errors?: { field: string }[] }
}

describe('issue 14.1: absurd versions', () => {
  test('a version past 2^52 is refused with 422 naming it; the largest accepted one can still be updated and withdrawn', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    for (const version of [9007199254740990, Number.MAX_SAFE_INTEGER, MAX_REVISION + 1]) {
      const r = await post(ingest, article('big-1', { version }))
      assert.equal(r.status, 422, r.text)
      assert.deepEqual(
        bodyOf(r).errors?.map((e) => e.field),
        ['version'],
      )
    }
    assert.equal((await post(ingest, article('big-1', { version: MAX_REVISION }))).status, 201)
    const updated = await post(ingest, article('big-1', { headline: 'Updated' }))
    assert.equal(updated.status, 200, updated.text)
    const withdrawn = await http(`${ingest.url}/v1/articles/big-1/withdraw`, { method: 'POST', json: { reason: 'legal' } })
    assert.equal(withdrawn.status, 200, withdrawn.text)
    const events = await readTopic(topicNames(prefix).events, (all) => all.length >= 3)
    assert.deepEqual(
      events.map((e) => [e.event.type, e.event.article.version]),
      [
        ['CREATED', MAX_REVISION],
        ['UPDATED', MAX_REVISION + 1],
        ['WITHDRAWN', MAX_REVISION + 2],
      ],
    )
  })

  test('a value the encoder cannot write fails its own request with 422, never the others committed with it', async (t) => {
    const prefix = uniquePrefix()
    // The first commit is slow, so the requests sent meanwhile queue up and share the next one
    const ingest = await startFaulty(t, prefix, ['slow'])
    const partitions = 3
    const sameAs = (id: string) =>
      Array.from({ length: 200 }, (_, i) => `edge-${i}`).filter((x) => partitionOf(x, partitions) === partitionOf(id, partitions))
    const [legacy, warm, ...others] = sameAs('edge-legacy').slice(0, 8)
    assert.ok(legacy && warm && others.length === 6)
    // As an earlier build could have stored it: at the last version Avro longs can carry here
    const stored: ArticleEvent = {
      eventId: '7b1c9a60-1d7e-4f43-9a38-6a1c5e0f4d11',
      type: 'CREATED',
      occurredAt: Date.now(),
      ingestedAt: Date.now(),
      source: 'old-build',
      traceId: 'edge',
      changedFields: [],
      reason: null,
      article: { ...seedArticle(legacy), version: MAX_SAFE_AVRO_LONG },
    }
    ingest.state.apply(stored)
    const first = post(ingest, article(warm))
    await sleep(100)
    const [edge, ...rest] = await Promise.all([
      post(ingest, article(legacy, { headline: 'one more' })),
      ...others.map((id) => post(ingest, article(id))),
    ])
    assert.equal((await first).status, 201)
    assert.ok(edge)
    assert.equal(edge.status, 422, edge.text)
    assert.equal(bodyOf(edge).code, 'validation_failed')
    assert.deepEqual(
      bodyOf(edge).errors?.map((e) => e.field),
      ['version'],
    )
    for (const r of rest) assert.equal(r.status, 201, r.text)
    const events = await readTopic(topicNames(prefix).events, (all) => all.length >= 1 + others.length)
    assert.deepEqual(events.map((e) => e.event.article.id).sort(), [warm, ...others].sort())
  })
})

function seedArticle(id: string): Article {
  const r = validateArticle(article(id))
  assert.ok(r.ok)
  const d = decide(undefined, r.article, Date.now())
  assert.ok(d.kind === 'created')
  return d.article
}

describe('issue 14.4: contention between instances is never a 5xx', () => {
  for (const fault of ['landed, then -1', '-1, nothing written'] as const) {
    test(`a commit answered UNKNOWN_SERVER_ERROR (a fenced EndTxn): re-acquired and answered 201 once (${fault})`, async (t) => {
      const prefix = uniquePrefix()
      const ingest = await startFaulty(t, prefix, [fault])
      const r = await post(ingest, article('fenced-1'))
      assert.equal(r.status, 201, r.text)
      const next = await post(ingest, article('fenced-1', { headline: 'next' }))
      assert.equal(next.status, 200, next.text)
      // same key, same partition: a second copy of version 1 would come before version 2
      const events = await readTopic(topicNames(prefix).events, (all) => all.length >= 2)
      assert.deepEqual(
        events.map((e) => [e.event.eventId, e.event.article.version]),
        [
          [bodyOf(r).eventId, 1],
          [bodyOf(next).eventId, 2],
        ],
      )
    })
  }

  for (const modeB of ['partition', 'single']) {
    test(`two instances, 40 concurrent updates of one article from each: no 5xx, versions gapless (writers: partition, ${modeB})`, async (t) => {
      const prefix = uniquePrefix()
      const a = await startTestIngest(t, prefix)
      const b = await startTestIngest(t, prefix, { INGEST_WRITERS: modeB })
      const posts: Promise<HttpResult>[] = []
      for (let i = 0; i < 40; i++) {
        posts.push(post(a, article('contended-1', { headline: `from a, ${i}` })))
        posts.push(post(b, article('contended-1', { headline: `from b, ${i}` })))
      }
      const results = await Promise.all(posts)
      const refused = results.filter((r) => r.status !== 200 && r.status !== 201)
      assert.deepEqual(
        refused.map((r) => `${r.status} ${r.text}`),
        [],
      )
      const published = results.filter((r) => bodyOf(r).eventId !== undefined).length
      const events = await readTopic(topicNames(prefix).events, (all) => all.length >= published)
      assert.deepEqual(
        events.map((e) => e.event.article.version),
        Array.from({ length: published }, (_, i) => i + 1),
      )
    })
  }
})

describe('issue 14.5: a 503 tells the truth', () => {
  test('a 503 whose write did land: the retry with the same Idempotency-Key answers the first 201 and event id, on any instance', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startFaulty(t, prefix, ['landed, then connection lost'])
    const other = await startTestIngest(t, prefix)
    const key = { 'idempotency-key': 'cms-landed-1' }
    const first = await post(ingest, article('landed-1'), key)
    assert.equal(first.status, 503, first.text)
    assert.equal(bodyOf(first).code, 'kafka_unavailable')
    assert.match(bodyOf(first).detail ?? '', /may still have landed/)
    // at once, on an instance that may not have read the record yet: it decides after catching up
    const elsewhere = await post(other, article('landed-1'), key)
    const [event] = await readTopic(topicNames(prefix).events, (all) => all.length >= 1)
    const expected = { id: 'landed-1', version: 1, eventId: event?.event.eventId, type: 'CREATED' }
    assert.deepEqual(elsewhere.body, expected)
    const retry = await post(ingest, article('landed-1'), key)
    assert.equal(retry.status, 201, retry.text)
    assert.deepEqual(retry.body, expected)
    // without a key, the same content is recognised as already there
    assert.deepEqual((await post(other, article('landed-1'))).body, { id: 'landed-1', version: 1, unchanged: true })
    const events = await readTopic(topicNames(prefix).events, (all) => all.length >= 1)
    assert.equal(events.length, 1)
  })

  test('a write answered 503 on timeout but committed afterwards: the retry answers the first 201 and event id', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startFaulty(t, prefix, ['slow'], { INGEST_PUBLISH_TIMEOUT_MS: '200' })
    const key = { 'idempotency-key': 'cms-late-1' }
    const first = await post(ingest, article('late-1'), key)
    assert.equal(first.status, 503, first.text)
    assert.match(bodyOf(first).detail ?? '', /may still be committed/)
    const [event] = await readTopic(topicNames(prefix).events, (all) => all.length >= 1)
    const expected = { id: 'late-1', version: 1, eventId: event?.event.eventId, type: 'CREATED' }
    // the same instance recorded the answer when the commit landed
    assert.deepEqual((await post(ingest, article('late-1'), key)).body, expected)
    // and another one reads it from the record's headers
    const retry = await startTestIngest(t, prefix)
    const answer = await post(retry, article('late-1'), key)
    assert.deepEqual(answer.body, expected)
  })
})

/** Sends only the headers (Content-Length announces a body that never comes) and waits for the answer. */
function headersOnly(url: string, headers: Record<string, string>): Promise<{ status: number; ms: number }> {
  const u = new URL(url)
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers }, (res) => {
      res.resume()
      resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 })
      req.destroy()
    })
    req.on('error', reject)
    req.flushHeaders()
  })
}

describe('issue 14.6: validation gaps', () => {
  test('impossible dates, controls, bidi overrides and lengths that grow under NFC', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    for (const [field, value] of [
      ['publishedAt', '2024-02-30T10:00:00Z'],
      ['embargoedUntil', '2024-08-17T24:00:00Z'],
      ['headline', '\ufb2c'.repeat(400)],
    ] as const) {
      const r = await post(ingest, article('bad-1', { [field]: value }))
      assert.equal(r.status, 422, `${field}: ${r.text}`)
      assert.deepEqual(
        bodyOf(r).errors?.map((e) => e.field),
        [field],
      )
    }
    const hostile = 'Floods\u0000 close\u0007 the\u001b high\u0085way \u202eevil\u202c \u2066x\u2069 র\u200d্যাব'
    const r = await post(ingest, article('clean-1', { headline: hostile, body: [hostile] }))
    assert.equal(r.status, 201, r.text)
    const [event] = await readTopic(topicNames(prefix).events, (all) => all.length >= 1)
    assert.equal(event?.event.article.id, 'clean-1', 'nothing of the refused requests was published')
    assert.equal(event?.event.article.headline, 'Floods close the high way evil x র\u200d্যাব')
    assert.deepEqual(event?.event.article.body, ['Floods close the high way evil x র\u200d্যাব'])
  })

  test('the API key is checked before the body is read or inflated', async (t) => {
    const ingest = await startTestIngest(t, uniquePrefix(), { INGEST_MAX_BODY_BYTES: '4096', INGEST_API_KEYS: 'cms:cms-secret-key:write' })
    const big = JSON.stringify(article('x', { body: ['x'.repeat(10_000)] }))
    const wrong = { authorization: 'Bearer wrong-key-0000', 'content-type': 'application/json' }
    assert.equal((await http(`${ingest.url}/v1/articles`, { method: 'POST', key: null, headers: wrong, body: big })).status, 401)
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024))
    const gz = { ...wrong, 'content-encoding': 'gzip' }
    assert.equal((await http(`${ingest.url}/v1/articles`, { method: 'POST', key: null, headers: gz, body: bomb })).status, 401)
    // with the right key, the same bodies are read: too large, inflated or not
    const right = { ...wrong, authorization: 'Bearer cms-secret-key' }
    assert.equal((await http(`${ingest.url}/v1/articles`, { method: 'POST', key: null, headers: right, body: big })).status, 413)
    const rightGz = { ...right, 'content-encoding': 'gzip' }
    assert.equal((await http(`${ingest.url}/v1/articles`, { method: 'POST', key: null, headers: rightGz, body: bomb })).status, 413)
    // an announced body that never comes: answered at once, not after the body timeout
    const pending = await headersOnly(`${ingest.url}/v1/articles`, { ...wrong, 'content-length': String(1024 * 1024) })
    assert.equal(pending.status, 401)
    assert.ok(pending.ms < 5000, `${pending.ms} ms`)
  })
})
