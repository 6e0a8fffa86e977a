// red16d attack run (2026-12-06): a consumer built from schemas/README.md, over random newsroom
// sequences ingest really writes (stories held, released, embargoed, corrected, killed, erased;
// entries posted, held, deleted). The consumer that reads news.article-events from its start, in
// order, sees the public as it was at each event. Every other way the guide allows (a snapshot of
// news.articles as written or compacted, then the events from any earlier offset; readers of v1 and
// v2) must end showing what it ends showing, and never show a text it never showed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCodec, loadSchemas } from '@newswire/shared'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { GuideConsumer } from './support/guide-consumer.ts'
import type { GuideRules } from './support/guide-consumer.ts'
import { eventRecords, stateRecords } from './support/guide-records.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const codec = createCodec(loadSchemas())
const KEY = 'dev-ingest-key-1'
const rules: GuideRules = {
  deletedEntryMarkers: process.env.RED16D_UNMARKED === undefined,
  markerMs: 15 * 86_400_000,
  undecodableByHeaders: true,
}

/** mulberry32: a seeded run can be replayed. */
function rng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** RED16D_SEEDS=<n> runs seeds 1..n (a longer hunt: 300 held); 24 by default (seeds 21 and 22 fail without the deleted entries' markers, RED16D_UNMARKED=1). */
const SEEDS = Array.from({ length: Number(process.env.RED16D_SEEDS ?? 24) }, (_, i) => i + 1)

for (const seed of SEEDS) {
  test(`seed ${seed}: every snapshot and follow the guide allows ends as the full follow, never showing more`, async (t) => {
    const app = await startInProcessApp(new ArticleState(), `dev:${KEY}:*`)
    t.after(() => app.close())
    const r = rng(seed)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
    let token = 0
    const text = () => `t${++token}x`
    const status = () => pick(['usable', 'usable', 'withheld'] as const)
    const embargo = () => pick([undefined, undefined, null, '2099-01-01T00:00:00Z', '2001-01-01T00:00:00Z'])
    const call = (path: string, method: string, json: unknown) => {
      const headers = method === 'PATCH' ? { 'content-type': 'application/merge-patch+json' } : undefined
      return http(`${app.url}${path}`, { method, key: KEY, json, headers })
    }
    const stories = ['s1', 's2', 's3']
    const entries = ['e1', 'e2', 'e3']
    for (let step = 0; step < 40; step++) {
      const s = pick(stories)
      const e = pick(entries)
      const op = r()
      if (op < 0.25) {
        const body: Record<string, unknown> = { id: s, language: 'en', headline: text(), body: [text()], live: true, pubStatus: status() }
        const until = embargo()
        if (until !== undefined) body.embargoedUntil = until
        if (r() < 0.2) body.correction = { note: text() }
        await call('/v1/articles', 'POST', body)
      } else if (op < 0.35) {
        await call(`/v1/articles/${s}`, 'PATCH', { pubStatus: status(), headline: text() })
      } else if (op < 0.65) {
        const body: Record<string, unknown> = { headline: text(), body: [text()], pubStatus: status() }
        const until = embargo()
        if (until !== undefined) body.embargoedUntil = until
        await call(`/v1/articles/${s}/entries/${e}`, 'PUT', body)
      } else if (op < 0.75) {
        await call(`/v1/articles/${s}/entries/${e}`, 'PATCH', { pubStatus: status(), body: [text()] })
      } else if (op < 0.85) {
        await call(`/v1/articles/${s}/entries/${e}`, 'DELETE', { reason: 'wrong' })
      } else if (op < 0.93) {
        await call(`/v1/articles/${s}/withdraw`, 'POST', { reason: 'legal' })
      } else {
        await call(`/v1/articles/${s}/erase`, 'POST', { reason: 'court order' })
      }
    }
    const events = eventRecords(codec, app.publisher.published)
    const texts = (c: GuideConsumer) => new Set(c.everShown.flatMap((s) => s.match(/t\d+x/g) ?? []))
    const truth = new GuideConsumer(codec, 3, rules)
    for (const rec of events) truth.read(rec)
    const everPublic = texts(truth)
    const finalShown = [...truth.shown].sort()
    for (const compacted of [false, true]) {
      const snapshot = stateRecords(codec, app.publisher.written, compacted)
      for (let from = 0; from <= events.length; from++) {
        for (const reader of [1, 2, 3]) {
          const c = new GuideConsumer(codec, reader, rules)
          for (const rec of snapshot) c.read(rec)
          for (const rec of events.slice(from)) c.read(rec)
          const what = `seed ${seed}, compacted ${compacted}, from ${from}, reader v${reader}`
          const extra = [...texts(c)].filter((x) => !everPublic.has(x))
          if (extra.length > 0 && process.env.DBG) {
            for (const rec of events) {
              const ev = codec.decode(rec.value as Buffer)
              const ent = 'entry' in ev && ev.entry ? ` ${ev.entry.id} v${ev.entry.version} ${ev.entry.pubStatus} ${ev.entry.headline}` : ''
              console.log(
                ev.type,
                ev.article.id,
                `v${ev.article.version}`,
                ev.article.pubStatus,
                ev.article.embargoedUntil,
                ev.article.headline,
                ent,
              )
            }
            console.log('snapshot', snapshot.map((x) => `${x.key}:${x.value ? codec.decode(x.value).type : 'null'}`).join(' '))
            console.log(c.everShown, truth.everShown)
          }
          assert.deepEqual(extra, [], `${what}: showed what was never public`)
          assert.deepEqual(c.revived, [], `${what}: showed again what it had read killed`)
          const expected = reader === 3 ? finalShown : finalShown.filter((k) => !k.includes('/'))
          assert.deepEqual([...c.shown].sort(), expected, what)
        }
      }
    }
    // at-least-once: the whole topic read, a restart (the event ids seen were in memory), then a
    // redelivery from any earlier offset
    for (let from = 0; from <= events.length; from++) {
      const c = new GuideConsumer(codec, 3, rules)
      for (const rec of events) c.read(rec)
      c.restart()
      for (const rec of events.slice(from)) c.read(rec)
      const what = `seed ${seed}, redelivered from ${from}`
      assert.deepEqual(
        [...texts(c)].filter((x) => !everPublic.has(x)),
        [],
        `${what}: showed what was never public`,
      )
      assert.deepEqual(c.revived, [], `${what}: showed again what it had read killed`)
      assert.deepEqual([...c.shown].sort(), finalShown, what)
    }
  })
}
