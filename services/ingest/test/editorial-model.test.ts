// The issue-14 model test on the unit path: the real HTTP app, authenticator, validation and
// article service on loopback, with an in-process publisher instead of Kafka, so many more random
// sequences run in seconds. The broker-backed twin (editorial-model.kafka.test.ts) adds two
// instances, fencing and what Kafka holds.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { ArticleState } from '../src/state.ts'
import { assertShows, get, send } from './support/editorial-driver.ts'
import { apiKeysEnv, opArb, revisionOf, step } from './support/editorial-model.ts'
import type { ModelArticle, ModelEvent } from './support/editorial-model.ts'
import { startInProcessApp } from './support/in-process-app.ts'
import type { InProcessApp } from './support/in-process-app.ts'

let ingest: InProcessApp
const state = new ArticleState()

before(async () => {
  ingest = await startInProcessApp(state, apiKeysEnv)
})
after(() => ingest.close())

test('model: every answer, every state and every event is the model’s; a rebuilt state shows the same', async () => {
  let run = 0
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
      const r = run++
      const articles = new Map<number, ModelArticle>()
      const events = new Map<number, ModelEvent[]>()
      const idOf = (n: number) => `u${r}-${n}`
      for (const op of ops) {
        const revision = op.kind === 'post' ? revisionOf(op.revision, articles.get(op.id)?.version ?? 0) : undefined
        const expected = step(articles, op)
        const res = await send(ingest.url, idOf(op.id), op, revision)
        const what = `${JSON.stringify(op)}: ${res.text}`
        assert.equal(res.status, expected.status, what)
        const body = res.body as { code?: string; version?: number; type?: string; unchanged?: boolean }
        if (expected.code !== undefined) assert.equal(body.code, expected.code, what)
        if (expected.event) {
          assert.deepEqual([body.type, body.version], [expected.event.type, expected.event.version], what)
          events.set(op.id, [...(events.get(op.id) ?? []), expected.event])
        } else if (expected.status < 300) {
          assert.equal(body.unchanged, true, what)
        }
      }
      // What would reach Kafka, and what an instance rebuilding from it would show
      const rebuilt = new ArticleState()
      for (const n of [0, 1, 2]) {
        const published = ingest.publisher.published
          .filter((e) => e.article.id === idOf(n))
          .map((e) => ({
            type: e.type,
            version: e.article.version,
            pubStatus: e.article.pubStatus,
            embargoedUntil: e.article.embargoedUntil === null ? null : new Date(e.article.embargoedUntil).toISOString(),
            source: e.source,
          }))
        assert.deepEqual(published, events.get(n) ?? [], idOf(n))
        assertShows(await get(ingest.url, idOf(n)), articles.get(n), `${idOf(n)} live`)
        for (const e of ingest.publisher.published) if (e.article.id === idOf(n)) rebuilt.apply(e)
      }
      const reloaded = await startInProcessApp(rebuilt, apiKeysEnv)
      try {
        for (const n of [0, 1, 2]) assertShows(await get(reloaded.url, idOf(n)), articles.get(n), `${idOf(n)} after a reload`)
      } finally {
        await reloaded.close()
      }
    }),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 150) },
  )
})
