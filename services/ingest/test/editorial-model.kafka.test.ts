// Issue 14, proof: random sequences of full updates (POST), partial ones (PATCH, JSON Merge
// Patch), imports, withdrawals and erasures, sent with keys of every scope (and a forged one) to two ingest
// instances in turn (one writer per partition, and one for all), against a small reference
// model (support/editorial-model.ts). Checked:
// - every answer is the model's (status, problem code, version, event type);
// - an article's editorial controls change only through an explicit value from a key allowed to
//   change them: what GET shows, live and after a reload (a fresh instance), is the model's;
// - the events in Kafka are exactly the model's, per article, with gapless assigned versions;
// - every accepted article can still be updated and withdrawn afterwards.
// red25c: a fifth of the requests go to both instances at once, under an Idempotency-Key of their
// own: both get the same answer (status, event id, version), and Kafka holds one event.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { topicNames } from '@newswire/shared'
import { loadIngestConfig, startIngest } from '@newswire/ingest'
import type { IngestInstance } from '@newswire/ingest'
import { http, ingestEnv, readTopic, startTestIngest, testLogger, uniquePrefix } from '../../../test/helpers.ts'
import { assertShows, get, send } from './support/editorial-driver.ts'
import { apiKeysEnv, keys, opArb, revisionOf, step } from './support/editorial-model.ts'
import type { ModelArticle, ModelEvent } from './support/editorial-model.ts'

const RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 40)
const prefix = uniquePrefix()
let instances: IngestInstance[] = []
/** Every article any run touched, with the model's final state and expected events. */
const finals = new Map<string, { model: ModelArticle | undefined; events: ModelEvent[]; ops: string[] }>()
let run = 0
/** Answers seen, by status: shows the runs exercised refusals and writes alike. */
const statuses = new Map<number, number>()
/** Requests sent to both instances at once (red25c), and how likely a step is to be one. */
let twins = 0
const twinArb = fc.nat(4).map((n) => n === 0)

describe('issue 14 model: editorial controls, scopes and versions under random sequences', () => {
  before(async () => {
    const env = { INGEST_API_KEYS: apiKeysEnv, INGEST_RATE_LIMIT: '100000' }
    const config = loadIngestConfig(ingestEnv(prefix, env))
    // The second instance runs one writer for all partitions: the two modes fence each other (writers.ts)
    const single = loadIngestConfig(ingestEnv(prefix, { ...env, INGEST_WRITERS: 'single' }))
    const fatal = (err: unknown) => assert.fail(String(err))
    instances = [await startIngest(config, testLogger('ingest-a'), fatal), await startIngest(single, testLogger('ingest-b'), fatal)]
  })
  after(() => Promise.all(instances.map((i) => i.close())))

  test('every answer and every state is the model’s, on two instances in turn', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(opArb, fc.integer({ min: 0, max: 1 }), twinArb), { minLength: 1, maxLength: 20 }), async (ops) => {
        const r = run++
        const articles = new Map<number, ModelArticle>()
        const idOf = (n: number) => `m${r}-${n}`
        for (const n of [0, 1, 2]) finals.set(idOf(n), { model: undefined, events: [], ops: [] })
        for (const [i, [op, which, twin]] of ops.entries()) {
          const instance = instances[which] as IngestInstance
          const id = idOf(op.id)
          const revision = op.kind === 'post' ? revisionOf(op.revision, articles.get(op.id)?.version ?? 0) : undefined
          const expected = step(articles, op)
          // red25c: now and then the same request goes to both instances at once under a key of its
          // own (a CMS retrying on the other instance while the first is in flight): one answer, one event
          const key = twin ? `twin-${r}-${i}` : undefined
          const [res, other] = await Promise.all([
            send(instance.url, id, op, revision, key),
            twin ? send((instances[1 - which] as IngestInstance).url, id, op, revision, key) : null,
          ])
          if (other !== null) {
            twins++
            const seen = (x: typeof res) => [
              x.status,
              ...['code', 'eventId', 'version', 'unchanged'].map((k) => (x.body as Record<string, unknown>)[k]),
            ]
            assert.deepEqual(seen(other), seen(res), `${JSON.stringify(op)} on both instances at once: ${other.text} / ${res.text}`)
          }
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
          const log = finals.get(id)
          assert.ok(log)
          log.ops.push(`${JSON.stringify(op)} → ${res.status}`)
          const what = `${JSON.stringify(op)} on instance ${which}: ${res.text}`
          assert.equal(res.status, expected.status, what)
          const body = res.body as { code?: string; version?: number; type?: string; unchanged?: boolean }
          if (expected.code !== undefined) assert.equal(body.code, expected.code, what)
          if (expected.event) {
            assert.deepEqual([body.type, body.version], [expected.event.type, expected.event.version], what)
            log.events.push(expected.event)
          } else if (expected.status < 300) {
            assert.equal(body.unchanged, true, what)
            // the version it stands at, as the unit model checks it (seventh mutation batch, ar8)
            assert.equal(body.version, articles.get(op.id)?.version, what)
          }
          log.model = articles.get(op.id)
        }
        for (const n of [0, 1, 2]) {
          const which = n % 2
          assertShows(await get((instances[which] as IngestInstance).url, idOf(n)), articles.get(n), `${idOf(n)} live on instance ${which}`)
        }
      }),
      { numRuns: RUNS },
    )
  })

  test('afterwards: Kafka holds exactly the model’s events; a fresh instance shows the model; all stays updatable and withdrawable', async (t) => {
    const expectedEvents = [...finals.values()].reduce((n, f) => n + f.events.length, 0)
    const records = await readTopic(topicNames(prefix).events, (all) => all.length >= expectedEvents, 60_000)
    const byId = new Map<string, ModelEvent[]>()
    for (const { event } of records) {
      const list = byId.get(event.article.id) ?? []
      const { type, article, source } = event
      list.push({
        type: type as ModelEvent['type'],
        version: article.version,
        pubStatus: article.pubStatus,
        embargoedUntil: article.embargoedUntil === null ? null : new Date(article.embargoedUntil).toISOString(),
        source,
      })
      byId.set(event.article.id, list)
    }
    for (const [id, f] of finals) assert.deepEqual(byId.get(id) ?? [], f.events, `${id} after ${f.ops.join('; ')}`)
    assert.equal(records.length, expectedEvents)
    t.diagnostic(
      `model runs: ${run}, answers by status: ${JSON.stringify(Object.fromEntries(statuses))}, events: ${records.length}, sent to both at once: ${twins}`,
    )
    assert.ok(twins > 0, 'no request went to both instances at once')

    const fresh = await startTestIngest(t, prefix, { INGEST_API_KEYS: apiKeysEnv })
    for (const [id, f] of finals) assertShows(await get(fresh.url, id), f.model, `${id} after a reload`)

    const dev = keys.dev.key
    for (const [id, f] of finals) {
      if (f.model === undefined || f.model.pubStatus === 'canceled') continue
      const headers = { 'content-type': 'application/merge-patch+json' }
      const updated = await http(`${fresh.url}/v1/articles/${id}`, {
        method: 'PATCH',
        key: dev,
        headers,
        body: JSON.stringify({ headline: 'Last word' }),
      })
      assert.equal(updated.status, 200, `${id}: ${updated.text}`)
      const killed = await http(`${fresh.url}/v1/articles/${id}/withdraw`, {
        method: 'POST',
        key: dev,
        json: { reason: 'end of the test' },
      })
      assert.equal(killed.status, 200, `${id}: ${killed.text}`)
      assert.equal((killed.body as { version: number }).version, f.model.version + 2)
    }
  })
})
