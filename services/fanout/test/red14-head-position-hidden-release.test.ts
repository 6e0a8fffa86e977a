// The shared head position (hub.ts headPosition) is signed again when a release is made, so a
// public reader subscribing now and then watched its watermark: one that moved while the offsets
// did not told of a release, and when (red14 attack run, 2026-12-06). A story held back past its
// embargo is released on the ledger (the newsroom's `released` readers see it) but never shown
// to the public: its embargo instant reached the public all the same. A position is signed again
// for the releases the reader's clearance may see; the others only the newsroom's head claims.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { peekPosition } from '../src/position.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import type { Clearance } from '../src/visibility.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { entryEvent } from './support/events.ts'

const START = 1_800_000_000_000
const MIN = 60_000

/** The watermarks of the positions fresh subscribes of `who` get, every 7 minutes for 42 minutes. */
async function watermarks(hidden: 'story' | 'entry' | null, who: 'public' | 'newsroom') {
  const h = new Harness({ partitions: 2 })
  const story = event('CREATED', { id: 'p', version: 1, live: true }, START)
  h.append(story)
  if (hidden === 'story')
    h.append(event('CREATED', { id: 'h', version: 1, pubStatus: 'withheld', embargoedUntil: START + 30 * MIN }, START))
  else if (hidden === 'entry')
    h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 1, pubStatus: 'withheld', embargoedUntil: START + 30 * MIN }, START))
  else h.append(event('CREATED', { id: 'q', version: 1 }, START))
  h.start()
  await h.settle()
  const out: number[] = []
  for (let m = 0; m < 6; m++) {
    const { conn, t } = h.connect(who)
    h.hub.handle(conn, {
      type: 'subscribe',
      id: 's',
      channels: parseChannels(['breaking'], 's'),
      filter: parseFilter(undefined, 's'),
      since: null,
      catchUp: 'all',
    })
    await h.settle()
    out.push((peekPosition((t.messages[0] as Message).position as string).t - START) / MIN)
    await h.tick(7 * MIN)
  }
  h.hub.stop()
  return out
}

test("a public reader's head positions say nothing of the release of a story or entry held back past its embargo", async () => {
  const none = await watermarks(null, 'public')
  for (const hidden of ['story', 'entry'] as const) assert.deepEqual(await watermarks(hidden, 'public'), none, hidden)
})

test("the newsroom's head position is signed again at such a release: it may see the story", async () => {
  const none = await watermarks(null, 'newsroom')
  assert.notDeepEqual(await watermarks('story', 'newsroom'), none)
})

test('a release the public sees gives a public reader a new head position, and its watermark covers it', async () => {
  const h = new Harness({ partitions: 2 })
  h.append(event('CREATED', { id: 'r', version: 1, breaking: true, embargoedUntil: START + 10 * MIN }, START))
  h.start()
  await h.settle()
  const head = (c: Clearance) => peekPosition(h.hub.headPosition(c)).t
  const before = head('public')
  await h.tick(15 * MIN)
  assert.ok(head('public') >= START + 10 * MIN, `${before} → ${head('public')}`)
})
