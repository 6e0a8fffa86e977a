// The issue-14 model test on the unit path: the real HTTP app, authenticator, validation and
// article service on loopback, with an in-process publisher instead of Kafka, so many more random
// sequences run in seconds. The broker-backed twin (editorial-model.kafka.test.ts) adds two
// instances, fencing and what Kafka holds. Here a newer ingest instance also writes versions
// this one can or cannot decode (a deploy under way): what it cannot read, it refuses to decide on.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import type { NewswireEvent } from '@newswire/shared'
import { ArticleState } from '../src/state.ts'
import { assertShows, get, send } from './support/editorial-driver.ts'
import { apiKeysEnv, newer, newerArb, opArb, revisionOf, stepOver } from './support/editorial-model.ts'
import type { ModelArticle, ModelEvent, NewerOp, Op } from './support/editorial-model.ts'
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
    fc.asyncProperty(
      fc.array(fc.oneof({ arbitrary: opArb, weight: 8 }, { arbitrary: newerArb, weight: 1 }), { minLength: 1, maxLength: 30 }),
      async (ops) => {
        const r = run++
        const articles = new Map<number, ModelArticle>()
        const unreadable = new Set<number>()
        const events = new Map<number, ModelEvent[]>()
        const idOf = (n: number) => `u${r}-${n}`
        // news.articles as the tail reads it: this instance's commits and the newer instance's records, in order
        const log: (NewswireEvent | { unreadable: string } | { tombstone: string })[] = []
        let wrote = ingest.publisher.written.length
        const written = (op: NewerOp) => {
          const next = newer(articles, unreadable, op)
          if (next === null) return
          if (!op.decodable) {
            state.readable(idOf(op.id), false)
            log.push({ unreadable: idOf(op.id) })
            return
          }
          const stored = state.get(idOf(op.id))
          assert.ok(stored, `the newer instance edits what exists: ${idOf(op.id)}`)
          const e: NewswireEvent = {
            eventId: `newer-${r}-${log.length}`,
            type: 'UPDATED',
            occurredAt: Date.now(),
            ingestedAt: Date.now(),
            source: stored.source,
            traceId: 'newer',
            changedFields: [],
            reason: null,
            article: { ...stored.article, version: next.version },
            correction: null,
            entry: null,
          }
          state.apply(e)
          state.readable(idOf(op.id), true)
          log.push(e)
        }
        for (const op of ops) {
          if (op.kind === 'newer') {
            written(op)
            continue
          }
          const revision = op.kind === 'post' ? revisionOf(op.revision, articles.get(op.id)?.version ?? 0) : undefined
          const expected = stepOver(articles, unreadable, op as Op)
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
            // the version it stands at (seventh mutation batch, ar8: a killed one's, one past it)
            assert.equal(body.version, articles.get(op.id)?.version, what)
          }
          // what it wrote to news.articles: the events' states, and an erasure's tombstones
          for (const w of ingest.publisher.written.slice(wrote)) log.push('event' in w ? w.event : w)
          wrote = ingest.publisher.written.length
        }
        // What would reach Kafka, and what an instance rebuilding from it would show
        const rebuilt = new ArticleState()
        for (const x of log) {
          if ('unreadable' in x) rebuilt.readable(x.unreadable, false)
          else if ('tombstone' in x) rebuilt.erase(x.tombstone, `tombstone-${x.tombstone}`, 0)
          else {
            rebuilt.apply(x)
            rebuilt.readable(x.article.id, true)
          }
        }
        const shows = async (url: string, n: number, what: string) => {
          const res = await get(url, idOf(n))
          if (unreadable.has(n))
            assert.deepEqual([res.status, (res.body as { code?: string }).code], [503, 'not_ready'], `${what}: ${res.text}`)
          else assertShows(res, articles.get(n), what)
        }
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
          await shows(ingest.url, n, `${idOf(n)} live`)
        }
        const reloaded = await startInProcessApp(rebuilt, apiKeysEnv)
        try {
          for (const n of [0, 1, 2]) await shows(reloaded.url, n, `${idOf(n)} after a reload`)
        } finally {
          await reloaded.close()
        }
      },
    ),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 150) },
  )
})
