// red19 attack run: the dashboard's "last hour" counts (web/counts.ts DeskCounts, seeded from
// GET /v1/counts, kept from the stream) under a narrowed newsroom token.
//
// 1. A story moves to another desk (`withdrawn`, cause `left`), or is put under embargo again for
//    an `embargo: false` token (cause `embargoed`), while a counts answer made a moment before is
//    on its way (the HTTP answer after the stream's message; or a process that had not read the
//    move yet): the answer seeded it back, counted in the desk it left, or counted while held
//    ("out of the counts", README), until it aged out of the hour. red10 kept a kill out; a hold or
//    a move was forgotten, and the stale answer brought it back.
// 2. A `reset` (a refused resume) replaced the list but not the counts: a story that left the desk
//    while the page was away, or was killed then (an `embargo: false` token's reset holds no
//    killed story), stayed counted in its old category, where a reload counts nothing.
// Fixed: DeskCounts keeps the stories the stream took out until the stream brings them back, and
// starts again at a reset (the dashboard clears it), dropping counts asked before.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RecentCounts } from '@newswire/client'
import { DeskCounts } from '../web/counts.ts'

const NOW = 1_800_000_000_000
const MIN = 60_000

const answer = (ids: string[]): RecentCounts => ({
  from: new Date(NOW - 60 * MIN).toISOString(),
  to: new Date(NOW).toISOString(),
  categories: [{ category: 'politics', label: 'Politics', count: ids.length }],
  articles: ids.map((id) => ({ id, version: 1, category: 'politics', at: new Date(NOW - MIN).toISOString() })),
  truncated: false,
})

for (const cause of ['left', 'embargoed', 'withheld'] as const) {
  test(`a counts answer made before the stream's withdrawn (${cause}) does not count the story again`, () => {
    const counts = new DeskCounts()
    const asked = counts.asked()
    // the stream: the politics desk's story moves to sport (or is held); the token sees politics only
    counts.withdrawn({ articleId: 'moved', cause })
    // then the answer asked a moment before, which still listed it in politics
    counts.seed(answer(['moved']), asked)
    assert.deepEqual(counts.list(NOW), [], `a story the stream took out (${cause}) is counted in the desk it left`)
  })
}

test('the stream bringing a hidden story back counts it again', () => {
  const counts = new DeskCounts()
  counts.withdrawn({ articleId: 'moved', cause: 'left' })
  counts.note({ id: 'moved', version: 3, category: 'politics', label: null, at: NOW - MIN, killed: false })
  assert.deepEqual(
    counts.list(NOW).map((c) => [c.category, c.count]),
    [['politics', 1]],
  )
})

test('after a reset, a story it left out is not counted, nor by an answer asked before it', () => {
  const counts = new DeskCounts()
  counts.note({ id: 'gone', version: 1, category: 'politics', label: null, at: NOW - MIN, killed: false })
  const before = counts.asked()
  // the stream's reset (the dashboard clears the counts, then takes its items: none of `gone`, which
  // left the desk, or was killed for an `embargo: false` token, while the page was away)
  counts.clear()
  counts.seed(answer(['gone']), before)
  assert.deepEqual(counts.list(NOW), [], 'a story the reset no longer holds is counted')
  // an answer asked after the reset counts what it lists
  counts.seed(answer(['other']), counts.asked())
  assert.deepEqual(
    counts.list(NOW).map((c) => [c.category, c.count]),
    [['politics', 1]],
  )
})
