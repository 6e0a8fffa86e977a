// red12b attack run (2026-12-05): what ingest itself still showed of an erased story. An erasure
// (POST /v1/articles/{id}/erase, legal removal) writes the story's kill without its content and
// tombstones every key of the story, and the README promises the content leaves the compacted
// topic. But ingest's own state, which GET answers from and which a restart rebuilds from
// news.articles, read each entry's tombstone as "the entry, deleted": its headline and body
// stayed, so GET /v1/articles/{id}/entries still served every erased entry's text, also after a
// restart (the entry records come before their tombstones until compaction runs). The same for a
// story withdrawn first and erased after (its kill, with the content, was held as it was), and for
// an article under a tombstone written by hand. Fixed in state.ts with erasure.ts: a tombstone
// leaves what it erases killed and without its content (what decideErase keeps of an article; of
// an entry its id, seq, version, flags and times), whatever was held before it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { startInProcessApp } from './support/in-process-app.ts'
import { eventOf } from './support/plan-jobs.ts'
import { T0 } from './support/article-input.ts'

const KEY = 'dev-ingest-key-1'
const SECRET = 'Qz9secret'

test('after an erasure, GET shows none of the erased story’s or its entries’ text, also after a rebuild from the records', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const call = (path: string, method = 'GET', json?: unknown) => http(`${app.url}${path}`, { method, key: KEY, json })
  for (const id of ['erased-live', 'withdrawn-then-erased']) {
    const story = { id, language: 'en', headline: `Story ${SECRET}`, body: [`Body ${SECRET}`], live: true }
    assert.equal((await call('/v1/articles', 'POST', story)).status, 201)
    assert.equal(
      (await call(`/v1/articles/${id}/entries/e1`, 'PUT', { headline: `Entry ${SECRET}`, body: [`Text ${SECRET}`] })).status,
      201,
    )
    assert.equal((await call(`/v1/articles/${id}/entries/e2`, 'PUT', { body: [`Deleted ${SECRET}`] })).status, 201)
    assert.equal((await call(`/v1/articles/${id}/entries/e2`, 'DELETE', { reason: 'wrong' })).status, 200)
  }
  assert.equal((await call('/v1/articles/withdrawn-then-erased/withdraw', 'POST', { reason: 'legal' })).status, 200)
  for (const id of ['erased-live', 'withdrawn-then-erased']) {
    const erased = await call(`/v1/articles/${id}/erase`, 'POST', { reason: 'court order' })
    assert.equal(erased.status, 200, erased.text)
  }

  const shows = async (s: ArticleState, what: string) => {
    const app2 = s === state ? app : await startInProcessApp(s, `dev:${KEY}:*`)
    try {
      for (const id of ['erased-live', 'withdrawn-then-erased']) {
        for (const path of [
          `/v1/articles/${id}`,
          `/v1/articles/${id}/entries`,
          `/v1/articles/${id}/entries/e1`,
          `/v1/articles/${id}/entries/e2`,
        ]) {
          const r = await http(`${app2.url}${path}`, { key: KEY })
          assert.equal(r.status, 200, `${what} ${path}: ${r.text}`)
          assert.ok(!r.text.includes(SECRET), `${what}: GET ${path} still shows the erased text: ${r.text}`)
        }
        const listed = await http(`${app2.url}/v1/articles/${id}/entries`, { key: KEY })
        const entries = (listed.body as { entries: { id: string; seq: number; pubStatus: string }[] }).entries
        assert.deepEqual(
          entries.map((e) => [e.id, e.seq, e.pubStatus]),
          [
            ['e1', 1, 'canceled'],
            ['e2', 2, 'canceled'],
          ],
          `${what}: the erased entries stay listed, deleted, in their places`,
        )
      }
    } finally {
      if (app2 !== app) await app2.close()
    }
  }
  await shows(state, 'live')

  // a restart before compaction: news.articles as written (each state, then the tombstones)
  const rebuilt = new ArticleState()
  for (const event of app.publisher.published) {
    rebuilt.apply(event)
    if (event.type === 'WITHDRAWN' && event.reason === 'court order') {
      const id = event.article.id
      for (const key of [id, `${id}/entries/e1`, `${id}/entries/e2`]) rebuilt.erase(key, `tombstone-${key}`, 0)
    }
  }
  // the already-withdrawn story's erasure wrote tombstones only (no event): read them too
  for (const key of ['withdrawn-then-erased', 'withdrawn-then-erased/entries/e1', 'withdrawn-then-erased/entries/e2'])
    rebuilt.erase(key, `tombstone-${key}`, 0)
  await shows(rebuilt, 'rebuilt')
})

test('a tombstone written by hand over an article leaves it killed without its content', () => {
  const state = new ArticleState()
  state.apply(eventOf('by-hand', 1, T0, { headline: `Headline ${SECRET}`, body: [`Body ${SECRET}`], category: 'national' }))
  state.erase('by-hand', 'tombstone-0-1', 0)
  const held = state.article('by-hand')
  assert.deepEqual([held?.article.pubStatus, held?.article.version, held?.article.category], ['canceled', 2, 'national'])
  assert.ok(!JSON.stringify(held?.article).includes(SECRET), JSON.stringify(held?.article))
})
