// red26a attack run, 2026-12-07 (the two-process story model, given ingest's erasures): a public
// reader of a live story, shown it and its first entry, away while the story was erased (ingest's
// POST /v1/articles/{id}/erase: the kill without the content, then tombstones for the story's key
// and its entries' in news.articles), resumed from its position on an instance started after the
// erasure, once compaction had left the tombstones alone and with history (the last events of the
// log) holding the erasure's kill but not the versions before it. It was never told of the kill
// and showed the erased story and its entry for good: a tombstone carries none of the views
// ingest noted with the story's state (the `earlier-views` header), so the instance took the story
// for one nobody had seen. As for a state from news.articles whose earlier views are not all
// known (ledger.ts load), the view it was killed in may have been public before.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resumedAfterErasure } from './support/erased-resume.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { lastPosition, subscribe } from './support/live-story.ts'
import { erasureOf } from './support/story-erasure.ts'

const T = 1_800_000_000_000

for (const from of ['the erasure', 'the story'] as const) {
  test(`a public reader shown a story, resuming on an instance started after its erasure with history from ${from}, is told of its kill`, async () => {
    // history: the last 2 events (the erasure's kill on), or all 4
    const ms = await resumedAfterErasure('public', 'story:L', from === 'the erasure' ? 2 : 1000)
    const told = ms.filter((m) => (m.type === 'withdrawn' && m.articleId === 'L') || m.type === 'reset')
    assert.ok(told.length > 0, `the erased story was left shown: ${JSON.stringify(ms)}`)
    assert.ok(!ms.some((m) => m.type === 'event' || m.type === 'entry'), `a version came back: ${JSON.stringify(ms)}`)
  })
}

// A story the desk withdrew (its kill keeps the content) and a court had erased later: ingest now
// writes that kill again without the content, the next version (ingest red26a-erase-withdrawn).
// The newsroom, live, is told it is erased; resumed from before it, or opened afresh, it gets none
// of the text (before, no event came and every running instance kept the withdrawn text).
test('the newsroom, live, resumed or opened afresh after a withdrawn story is erased, gets none of its text and is told it is erased', async () => {
  const h = new Harness({ partitions: 1, start: T, historySize: 1000 })
  h.start()
  const v1 = event('CREATED', { id: 'W', version: 1, live: true, headline: 'W secret v1' }, T)
  h.append(v1)
  h.append(entryEvent(v1.article, { id: 'e1', seq: 1, version: 1, body: ['W secret entry'] }, T))
  await h.settle()
  const live = h.connect('newsroom')
  subscribe(h, live.conn, ['story:W'], { entries: 5 })
  const away = h.connect('newsroom')
  subscribe(h, away.conn, ['all'])
  await h.settle()
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  const withdrawn = event('WITHDRAWN', { ...v1.article, version: 2, pubStatus: 'canceled' }, T + 1000, { reason: 'legal' })
  h.append(withdrawn)
  await h.settle()
  h.append(erasureOf(withdrawn, T + 2000))
  await h.settle()
  const erased = live.t.messages.filter((m) => m.type === 'withdrawn' && m.erased === true).map((m) => m.version)
  assert.deepEqual(erased, [3], `the live newsroom reader was not told of the erasure: ${JSON.stringify(live.t.messages)}`)
  for (const catchUp of ['all', 'latest'] as const) {
    const back = h.connect('newsroom')
    subscribe(h, back.conn, ['all'], { since, catchUp })
    const fresh = h.connect('newsroom')
    subscribe(h, fresh.conn, ['story:W'], { entries: 5 })
    await h.settle()
    for (const ms of [back.t.messages, fresh.t.messages])
      assert.ok(!JSON.stringify(ms).includes('secret'), `the erased text was sent (${catchUp}): ${JSON.stringify(ms)}`)
    assert.ok(
      back.t.messages.some((m) => m.type === 'withdrawn' && m.articleId === 'W' && m.erased === true),
      JSON.stringify(back.t.messages),
    )
  }
  h.hub.stop()
})
