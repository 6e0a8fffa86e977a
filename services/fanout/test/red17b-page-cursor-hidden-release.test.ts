// The cursor of a first page (GET /v1/snapshot's `next`, a fresh `subscribed`'s `more`) is sealed
// with the stream position it was taken at, and sealed alike every time (its IV is derived from
// it, so an unchanged public page keeps its ETag). That position's watermark was the ledger's
// clock, which moves at every pass of the live loop: and a pass runs just after any embargo falls
// due, a story's held back past it too (the release timer; the feed's freshness check wakes just
// past it, feed.ts keepFresh). A public reader asking for the first page every few hundred
// milliseconds saw its `next` cursor (and its ETag) change, with no record read and no release it
// could see, at the instant the withheld story's embargo passed (red17 attack run, 2026-12-06: the
// page side of red14's head position). A page is now sealed at the head position its audience
// shares (hub.ts `headFor`), which moves only with the offsets and the releases it may see.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Admission } from '../src/http/access.ts'
import { answerPage } from '../src/http/snapshot.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { event, freshEventIds } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { freshLoop } from './support/fresh-loop.ts'

const START = 1_800_000_000_000
const publicAccess: Admission = { audience: 'public', expiresAt: null, reject: null }

/**
 * What a public reader polling the first page of one story (`limit=1`) every 100 ms sees over 40 s,
 * and the `more` of a subscribe right after each, in a world where a story the public never sees
 * (withheld) has its embargo at `embargo` (null: none). The feed's freshness loop runs as in
 * production (keepFresh, 250 ms near a release, else every 2 s), on the test's clock.
 */
async function firstPages(embargo: number | null): Promise<{ pages: string[]; more: string[] }> {
  freshEventIds()
  const h = new Harness({ partitions: 2, fresh: true, limits: { snapshotSize: 1 } })
  for (let i = 0; i < 3; i++) h.append(event('CREATED', { id: `p${i}`, version: 1, urgency: 1 }, START - (i + 1) * 60_000))
  h.append(event('CREATED', { id: 'held', version: 1, pubStatus: 'withheld', embargoedUntil: embargo }, START - 30_000))
  h.start()
  await h.settle()
  const stopFresh = freshLoop(h)
  const deps = h.routeDeps(1)
  const pages: string[] = []
  const more: string[] = []
  for (let step = 0; step < 400; step++) {
    h.clock.advance(100)
    // the timers' work (the freshness loop, the release timer, the passes they schedule)
    for (let i = 0; i < 5; i++) {
      await h.hub.idle()
      await new Promise((r) => setImmediate(r))
    }
    pages.push(answerPage(new URL('http://f/v1/snapshot?channels=breaking&limit=1'), publicAccess, deps))
    const { conn, t } = h.connect('public')
    h.hub.handle(conn, {
      type: 'subscribe',
      id: 's',
      channels: parseChannels(['breaking'], 's'),
      filter: parseFilter(undefined, 's'),
      since: null,
      catchUp: 'all',
    })
    await h.hub.idle()
    const subscribed = t.messages[0] as Message
    assert.equal(typeof subscribed.more, 'string', 'a snapshot of one story of three has more')
    more.push(String(subscribed.more))
    h.hub.conns.remove(conn)
  }
  stopFresh()
  h.clock.advance(2000)
  h.hub.stop()
  return { pages, more }
}

/** The instants (ms after START) at which the answer changed. */
const changes = (answers: string[]) => answers.flatMap((a, i) => (i > 0 && a !== answers[i - 1] ? [(i + 1) * 100] : []))

test("a public reader's first pages say nothing of when a withheld story's embargo passes", async () => {
  const none = await firstPages(null)
  const held = await firstPages(START + 20_300)
  assert.deepEqual(changes(held.pages), changes(none.pages), 'the first page changed at other instants')
  assert.deepEqual(held.pages, none.pages, "the first pages' cursors differ")
  assert.deepEqual(held.more, none.more, "the subscribes' `more` differ")
})
