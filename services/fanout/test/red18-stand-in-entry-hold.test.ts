// red18 attack run, 2026-12-06: an entry's embargo numbered as its live version (a writer that is
// not ingest, or an ingest on a stale state) stands in as the next version, under that embargo
// (src/late-hold.ts); at the embargo the fan-out releases the stand-in, and a public reader is sent
// it as an entry, its number a guess. The writer's next record decides again, whatever its
// number: when it holds the entry back (withheld, or a new embargo) numbered below the stand-in,
// the public reader is sent its `entryWithdrawn` at that lower number. The SDK's entry filter took
// the withdrawal for a stale replay (a newer version, the guess, had been delivered since) and
// dropped it: the public page kept the entry the desk had withheld, while a reload showed none.
// Once taken, the entry's next version runs again on the page as on a reload.
// The SDK runs against the in-process hub (support/sdk-bridge.ts).
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { Audience } from '../src/visibility.ts'
import { Harness } from './support/harness.ts'
import { entryEvent } from './support/events.ts'
import { Story } from './support/live-story.ts'
import { storyOnHub } from './support/sdk-bridge.ts'

const SEC = 1000

/** A `story:` SDK follower on `h` and what it shows: `id@version pubStatus`. */
const follow = (t: TestContext, h: Harness, audience: Audience) => storyOnHub(t, h, audience, (e) => `${e.id}@${e.version} ${e.pubStatus}`)

async function ready(h: Harness, readers: { subscribed(): number }[]): Promise<void> {
  for (let i = 0; i < 200 && readers.some((r) => r.subscribed() < 1); i++) {
    await h.settle()
    await new Promise((r) => setTimeout(r, 2))
  }
  assert.ok(
    readers.every((r) => r.subscribed() >= 1),
    'a reader was never subscribed',
  )
}

const nexts = [
  ['withheld, numbered as the stand-in', 2, { pubStatus: 'withheld' as const }],
  ['withheld, numbered below the stand-in', 1, { pubStatus: 'withheld' as const }],
  ['under a new embargo, numbered below the stand-in', 1, { embargo: 60 * SEC }],
] as const

for (const [how, version, next] of nexts)
  test(`a released embargo stand-in, then the writer's next record ${how}: the public page takes the entry off, as a reload shows`, async (t) => {
    const h = new Harness({ partitions: 1 })
    h.start()
    const story = new Story(h)
    story.post('e1')
    await h.settle()
    const site = follow(t, h, 'public')
    await ready(h, [site])
    assert.deepEqual(site.shows(), ['e1@1 usable'])

    // an embargo numbered as the live version: it stands in as e1@2, under that embargo
    const until = h.clock.now() + 10 * SEC
    h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 1, embargoedUntil: until }, h.clock.now()))
    await h.settle()
    assert.deepEqual(site.shows(), [], 'the public still shows the entry put under embargo')
    // the embargo passes: the stand-in is released
    await h.tick(11 * SEC)
    await h.settle()
    assert.deepEqual(site.shows(), ['e1@2 usable'], 'the stand-in is released at its embargo')

    // the writer's next record, whatever its number, holds the entry back
    const embargoedUntil = 'embargo' in next ? h.clock.now() + next.embargo : null
    const pubStatus = 'pubStatus' in next ? next.pubStatus : 'usable'
    h.append(entryEvent(story.article, { id: 'e1', seq: 1, version, pubStatus, embargoedUntil }, h.clock.now()))
    await h.settle()
    await new Promise((r) => setTimeout(r, 5))
    const fresh = follow(t, h, 'public')
    await ready(h, [fresh])
    assert.deepEqual(fresh.shows(), [], 'a reload shows the entry held')
    assert.deepEqual(site.shows(), [], 'the public page still shows the entry the desk held back')

    // and the record after it, usable, runs the entry again on the page as on a reload
    h.clock.advance(61 * SEC)
    h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: version + 1, body: ['again'] }, h.clock.now()))
    await h.tick(SEC)
    await h.settle()
    await new Promise((r) => setTimeout(r, 5))
    const again = follow(t, h, 'public')
    await ready(h, [again])
    assert.deepEqual(again.shows(), [`e1@${version + 1} usable`])
    assert.deepEqual(site.shows(), again.shows(), 'the public page shows what a reload shows')
    h.hub.stop()
  })
