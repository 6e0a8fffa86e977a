// A tombstone in news.articles kills what its key names (schemas/README.md): the state holds the
// kill, so writes after it are refused as over any kill, and a state that could not be read is
// decided by it (rev37 review). Compaction removes the records before a tombstone and leaves it
// alone: it is an erasure all the same (the id is not created again, an erased entry's seq not
// given out again).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryStateKey } from '@newswire/shared'
import { planBatch } from '../src/batch-plan.ts'
import { ArticleState } from '../src/state.ts'
import { T0 } from './support/article-input.ts'
import { keys, apiKeysEnv } from './support/editorial-model.ts'
import { startInProcessApp } from './support/in-process-app.ts'
import { context, entryEventOf, eventOf, nextVersion, queued } from './support/plan-jobs.ts'
import { http } from '../../../test/helpers.ts'

test('a tombstone kills the article or entry held, the next version, and ends its unreadability', () => {
  const state = new ArticleState()
  state.apply(eventOf('s', 1, T0, { live: true }))
  state.apply(entryEventOf('s', 'e1', 2, T0))
  state.readable('s', false)
  const changes = state.changes
  state.erase('s', 'tombstone-0-9', 0)
  assert.equal(state.article('s')?.article.pubStatus, 'canceled')
  assert.equal(state.article('s')?.article.version, 2)
  assert.equal(state.article('s')?.type, 'WITHDRAWN')
  state.erase(entryStateKey('s', 'e1'), 'tombstone-0-10', 0)
  assert.equal(state.entry('s', 'e1')?.entry.pubStatus, 'canceled')
  assert.equal(state.entry('s', 'e1')?.entry.version, 3)
  assert.ok(state.changes > changes, 'an answer decided before it is decided again')
  // another id is not touched
  assert.equal(planBatch([queued(nextVersion('b'))], context(state)).planned[0]?.plan?.event?.article.version, 1)
})

test('a tombstone alone (compaction removed what was before it) erases its article: held as killed, with nothing known of it', () => {
  const state = new ArticleState()
  state.readable('gone', false)
  const changes = state.changes
  state.erase('gone', 'tombstone-0-11', 0)
  assert.equal(state.unreadable, 0, 'the tombstone is its latest record')
  assert.ok(state.changes > changes)
  const gone = state.article('gone')
  assert.deepEqual(
    [gone?.eventId, gone?.type, gone?.article.version, gone?.article.pubStatus, gone?.article.headline],
    ['tombstone-0-11', 'WITHDRAWN', 0, 'canceled', ''],
    'killed, its versions unknown, no content',
  )
  // a record after it on its partition (whatever its version) is the id's latest state, as once
  // compaction removes the tombstone
  state.recordOn('gone', 0)
  state.apply(eventOf('gone', 1, T0))
  assert.equal(state.article('gone')?.article.pubStatus, 'usable')
})

test("a tombstone alone of an entry's key: the entry is erased, and its seq (maybe the story's highest) is not given out again", () => {
  const state = new ArticleState()
  state.apply(eventOf('s', 1, T0, { live: true }))
  state.apply(entryEventOf('s', 'e1', 1, T0, { seq: 1 }))
  state.apply(entryEventOf('s', 'e2', 1, T0, { seq: 2 }))
  // e3 (seq 3) was compacted away under its tombstone
  state.erase(entryStateKey('s', 'e3'), 'tombstone-0-12', 0)
  assert.equal(state.entry('s', 'e3')?.entry.pubStatus, 'canceled')
  assert.equal(state.entry('s', 'e3')?.type, 'ENTRY_DELETED')
  assert.equal(state.nextSeq('s'), 4, 'seqs are gapless: three entry keys, three seqs taken')
  assert.deepEqual(
    state.entries('s').map((e) => e.entry.id),
    ['e1', 'e2'],
    'its seq unknown: not listed',
  )
  // a story known only by its entries' tombstones counts them too
  state.erase(entryStateKey('t', 'e1'), 'tombstone-0-13', 0)
  assert.equal(state.nextSeq('t'), 2)
})

test('ingest over a tombstone alone: the id is not created again (409), GET reads it killed; the erased entry is not written again', async (t) => {
  const state = new ArticleState()
  state.erase('gone-1', 'tombstone-0-20', 0)
  state.apply(eventOf('live-1', 1, T0, { live: true }))
  state.apply(entryEventOf('live-1', 'e1', 1, T0, { seq: 1 }))
  state.erase(entryStateKey('live-1', 'e2'), 'tombstone-0-21', 0)
  const app = await startInProcessApp(state, apiKeysEnv)
  t.after(() => app.close())
  const key = keys.dev.key
  const body = { id: 'gone-1', language: 'en', headline: 'Sent again', body: ['p'], category: 'national', urgency: 3 }
  const again = await http(`${app.url}/v1/articles`, { method: 'POST', key, json: body })
  assert.equal(again.status, 409, again.text)
  assert.equal((again.body as { conflict: string }).conflict, 'article_withdrawn')
  const patched = await http(`${app.url}/v1/articles/gone-1`, {
    method: 'PATCH',
    key,
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ headline: 'Patched' }),
  })
  assert.equal(patched.status, 409, patched.text)
  const read = await http(`${app.url}/v1/articles/gone-1`, { key })
  assert.equal(read.status, 200, read.text)
  assert.deepEqual(
    { type: (read.body as { type: string }).type, pubStatus: (read.body as { article: { pubStatus: string } }).article.pubStatus },
    { type: 'WITHDRAWN', pubStatus: 'canceled' },
  )
  // the erased entry: refused as a deleted one; a new entry gets the seq after it
  const entry = { headline: null, body: ['again'] }
  const put = await http(`${app.url}/v1/articles/live-1/entries/e2`, { method: 'PUT', key, json: entry })
  assert.equal(put.status, 409, put.text)
  assert.equal((put.body as { conflict: string }).conflict, 'entry_deleted')
  const next = await http(`${app.url}/v1/articles/live-1/entries/e3`, { method: 'PUT', key, json: entry })
  assert.equal(next.status, 201, next.text)
  assert.equal((next.body as { seq: number }).seq, 3)
  assert.deepEqual(
    app.publisher.published.map((e) => e.type),
    ['ENTRY_CREATED'],
  )
})
