// An erasure through ingest (POST /v1/articles/{id}/erase): the kill as a withdrawal decides it,
// without the content, and tombstones for the article's key and every entry key of the story, on
// the story's partition, in the same transaction (articles.ts, batch-plan.ts, publisher.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryStateKey } from '@newswire/shared'
import { planBatch } from '../src/batch-plan.ts'
import type { Job } from '../src/batch-plan.ts'
import { decideErase } from '../src/decide.ts'
import { ArticleState } from '../src/state.ts'
import { T0 } from './support/article-input.ts'
import { startInProcessApp } from './support/in-process-app.ts'
import { context, entryEventOf, eventOf, nextEntryVersion, queued } from './support/plan-jobs.ts'

const KEY = 'dev-ingest-key-1'
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }

test('decideErase: the next version killed, without its content but with what routes the kill; a killed one stays as it is', () => {
  const prev = eventOf('s-1', 3, T0, {
    live: true,
    category: 'national',
    url: 'https://example.com/s-1',
    authors: ['A. Writer'],
    subjects: ['person'],
    summary: 'summary',
    dateline: 'DHAKA',
  }).article
  const d = decideErase(prev, T0 + 1000)
  assert.equal(d.kind, 'erased')
  if (d.kind !== 'erased') return
  const a = d.article
  assert.deepEqual([a.version, a.pubStatus, a.updatedAt], [4, 'canceled', T0 + 1000])
  assert.deepEqual(
    [a.id, a.category, a.language, a.urgency, a.breaking, a.live],
    [prev.id, 'national', prev.language, prev.urgency, false, true],
  )
  assert.deepEqual(
    [a.url, a.headline, a.summary, a.body, a.subjects, a.authors, a.dateline, a.related, a.corrections],
    [null, '', null, [], [], [], null, [], []],
  )
  assert.ok(d.changedFields.includes('pubStatus') && d.changedFields.includes('headline') && d.changedFields.includes('body'))
  assert.deepEqual(decideErase(a, T0 + 2000), { kind: 'killed', current: a })
})

/** An erase job as articles.ts plans it (its keys), for planning alone. */
function eraseJob(id: string): Job<string[]> {
  return {
    articleId: id,
    idempotency: null,
    plan: (_current, view) => {
      const keys = [id, ...view.entryKeys(id)]
      return { event: null, erase: { keys, traceId: 't', at: T0 }, result: keys }
    },
  }
}

test('an erasure plans a tombstone for every entry key of the story: stored, deleted, created earlier in the batch or not read back yet', () => {
  const state = new ArticleState()
  state.apply(eventOf('s-1', 1, T0, { live: true }))
  state.apply(entryEventOf('s-1', 'e1', 1, T0))
  state.apply(entryEventOf('s-1', 'e2', 2, T0, { pubStatus: 'canceled' }))
  state.apply(entryEventOf('other', 'x1', 1, T0))
  const unseen = [entryEventOf('s-1', 'e3', 1, T0)]
  const batch = [queued(nextEntryVersion('s-1', 'e4', T0, {})), queued(eraseJob('s-1'))]
  const { planned } = planBatch(batch, context(state, { unseen }))
  const erase = planned[1]
  assert.ok(erase?.plan, String(erase?.error))
  assert.deepEqual(
    erase.tombstones.map((t) => [t.key, t.value]),
    [['s-1', null], ...['e1', 'e2', 'e3', 'e4'].map((e) => [entryStateKey('s-1', e), null])],
  )
  assert.equal(erase.records, null)
  assert.deepEqual(erase.tombstones[0]?.headers, { 'trace-id': 't', writer: 'i' })
})

test('POST /v1/articles/{id}/erase: kills without the content, tombstones every key of the story, answers as withdraw; later writes are refused', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*,cms:cms-key-0001:write+read,desk:desk-key-001:withdraw`)
  t.after(() => app.close())
  const post = (path: string, body: unknown, headers: Record<string, string> = auth, method = 'POST') =>
    fetch(`${app.url}${path}`, { method, headers, body: JSON.stringify(body) }).then(async (r) => ({
      status: r.status,
      type: r.headers.get('content-type'),
      body: (await r.json()) as Record<string, unknown>,
    }))

  const created = await post('/v1/articles', { id: 'story-1', language: 'en', headline: 'Secret', body: ['Secret text'], live: true })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  for (const e of ['e1', 'e2'])
    assert.equal((await post(`/v1/articles/story-1/entries/${e}`, { body: [`Entry ${e}`] }, auth, 'PUT')).status, 201)

  const noScope = await post('/v1/articles/story-1/erase', { reason: 'court order' }, { ...auth, authorization: 'Bearer cms-key-0001' })
  assert.equal(noScope.status, 403)
  assert.equal((await post('/v1/articles/story-1/erase', {})).status, 422)
  const unknown = await post('/v1/articles/nope/erase', { reason: 'court order' })
  assert.deepEqual([unknown.status, unknown.type], [404, 'application/problem+json'])

  const erased = await post('/v1/articles/story-1/erase', { reason: 'court order' }, { ...auth, authorization: 'Bearer desk-key-001' })
  assert.equal(erased.status, 200, JSON.stringify(erased.body))
  assert.deepEqual({ ...erased.body, eventId: 'x' }, { id: 'story-1', version: 2, eventId: 'x', type: 'WITHDRAWN' })
  const kill = app.publisher.published.at(-1)
  assert.equal(kill?.type, 'WITHDRAWN')
  assert.equal(kill?.reason, 'court order')
  assert.ok(!JSON.stringify(kill).includes('Secret'), 'the kill publishes the erased content again')
  // the tombstones read back: every key of the story held killed
  assert.equal(state.get('story-1')?.article.pubStatus, 'canceled')
  assert.deepEqual(
    state.entries('story-1').map((e) => e.entry.pubStatus),
    ['canceled', 'canceled'],
  )

  const again = await post('/v1/articles/story-1/erase', { reason: 'court order' })
  assert.deepEqual([again.status, again.body], [200, { id: 'story-1', version: 2, unchanged: true }])
  assert.equal(app.publisher.published.at(-1), kill, 'no second kill')
  const update = await post('/v1/articles', { id: 'story-1', language: 'en', headline: 'Back', body: ['b'] })
  assert.deepEqual([update.status, update.body.conflict], [409, 'article_withdrawn'])
  // as for any killed story (entry-decide.ts)
  assert.equal((await post('/v1/articles/story-1/entries/e3', { body: ['more'] }, auth, 'PUT')).status, 404)
})
