// A commit that landed, was read back by this instance's tail, and whose acknowledgement was then
// lost (red15c attack run, 2026-12-06). Kafka answers a commit after the broker has completed it;
// the tail may read the records back before that answer arrives (read-back.ts). When the answer
// is lost (a connection dropped), the publisher answers 503 ("may still have landed") and never
// tells the submitter what was committed; the tail had taken the record as our own (not
// decoded) and remembered nothing of its Idempotency-Key either. So the CMS's retry of a release,
// after the desk held the story, was decided again and released it again. Runs the real
// publisher and the tail's record handling (state-records.ts) over a fake Kafka.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCodec, KafkaTransactionError, loadSchemas } from '@newswire/shared'
import type { KafkaMessage, NewswireEvent, TransactionalWriter } from '@newswire/shared'
import type { Remembered, RequestContext } from '../src/outcome.ts'
import { createPublisher } from '../src/publisher.ts'
import { ReadBack } from '../src/read-back.ts'
import { createWriteServices } from '../src/services.ts'
import { createStateRecords } from '../src/state-records.ts'
import { ArticleState, IdempotencyCache } from '../src/state.ts'
import { validateArticle } from '../src/validate.ts'
import { overFakeKafka } from './support/fake-producer.ts'

const connectionLost = () => Object.assign(new Error('injected: Connection error: socket hang up'), { name: 'KafkaJSConnectionError' })

const ctx = (key: string | null, requestHash: string, source = 'cms'): RequestContext => ({
  actor: { source, importer: false },
  traceId: 't',
  idempotencyKey: key,
  requestHash,
})

/** A writer whose commits land and are read back by the tail at once; `loseNextAck` then throws as a lost answer does. */
function harness() {
  const schemas = loadSchemas()
  const codec = createCodec(schemas)
  const state = new ArticleState()
  const readBack = new ReadBack()
  const idempotency = new IdempotencyCache<Remembered>(60_000)
  const readRecord = createStateRecords({ state, readBack, codec, idempotency, undecodable: () => {} })
  const events: NewswireEvent[] = []
  const faults = { loseNextAck: false }
  let offset = 0
  const publisher = createPublisher({
    ...overFakeKafka(state),
    topics: { events: 'events', articles: 'articles', dlq: 'dlq' },
    encoder: { encode: (e) => codec.encode(e), fingerprintHex: schemas.current.fingerprintHex },
    readBack: (evs) => readBack.expect(evs),
    wrapWriter: (w): TransactionalWriter => ({
      async commit(writes) {
        for (const write of writes) {
          for (const r of write.records) {
            if (write.topic === 'events' && r.value !== null) events.push(codec.decode(r.value))
            if (write.topic !== 'articles') continue
            // the broker completed the transaction; the state tail reads it back
            const m = {
              key: Buffer.from(r.key),
              value: r.value,
              headers: r.headers,
              offset: String(offset++),
              timestamp: String(r.timestamp),
            }
            readRecord(m as unknown as KafkaMessage, write.partition)
          }
        }
        if (faults.loseNextAck) {
          faults.loseNextAck = false
          throw new KafkaTransactionError('commit', connectionLost())
        }
        return []
      },
      close: () => w.close(),
    }),
  })
  const services = createWriteServices({ publisher, idempotency, publishTimeoutMs: 5000, onUnchanged: () => {} })
  return { state, events, faults, publisher, ...services }
}

const article = (headline: string, pubStatus: 'usable' | 'withheld') => {
  const r = validateArticle({ id: 'a', language: 'en', headline, body: ['b'], pubStatus })
  assert.ok(r.ok)
  return r.article
}

test('a retry of a release whose commit landed and was read back before its acknowledgement was lost gets its answer; the hold after it stands', async () => {
  const h = harness()
  await h.articles.upsert(article('draft', 'withheld'), ctx(null, ''))
  h.faults.loseNextAck = true
  const release = h.articles.upsert(article('released', 'usable'), ctx('cms:K', 'hash-of-the-release'))
  await assert.rejects(release, /may still have landed/)
  // the desk holds the story; the CMS retries its release with the same key
  await h.articles.patch('a', { pubStatus: 'withheld' }, ctx(null, '', 'desk'))
  const retry = await h.articles.upsert(article('released', 'usable'), ctx('cms:K', 'hash-of-the-release'))
  await h.publisher.close()
  const log = h.events.map((e) => `${e.type} v${e.article.version} ${e.article.pubStatus}`)
  assert.deepEqual(log, ['CREATED v1 withheld', 'UPDATED v2 usable', 'UPDATED v3 withheld'], 'the retry wrote nothing')
  assert.equal(h.state.get('a')?.article.pubStatus, 'withheld', 'the hold stands')
  assert.deepEqual(retry.body, {
    id: 'a',
    version: 2,
    eventId: h.events[1]?.eventId,
    type: 'UPDATED',
    changedFields: ['headline', 'pubStatus'],
  })
})

test('the key of a commit read back before its acknowledgement was lost, sent with other content, is refused', async () => {
  const h = harness()
  await h.articles.upsert(article('draft', 'withheld'), ctx(null, ''))
  h.faults.loseNextAck = true
  await assert.rejects(h.articles.upsert(article('released', 'usable'), ctx('cms:K', 'hash-of-the-release')), /may still have landed/)
  await assert.rejects(h.articles.upsert(article('other', 'usable'), ctx('cms:K', 'hash-of-other-content')), /other content/)
  await h.publisher.close()
  assert.deepEqual(
    h.events.map((e) => `${e.type} v${e.article.version} ${e.article.headline}`),
    ['CREATED v1 draft', 'UPDATED v2 released'],
  )
})
