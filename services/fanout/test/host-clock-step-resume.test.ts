// Review rev34 of the red7 fix (ledger.ts `advance` follows a host clock stepped back). A position
// handed out while the host clock ran ahead carries a release made by that clock as its watermark `t`. The
// ledger's clock is now behind it (within MAX_CLOCK_SKEW_MS, so the position is accepted), and a
// story filed after the correction whose embargo falls before `t` is released by the corrected
// clock: a reader resuming from that position must get it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { answerPage } from '../src/http/snapshot.ts'
import { peekPosition } from '../src/position.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, shown, subscribe } from './support/live-story.ts'

const START = 1_800_000_000_000
const SEC = 1000

for (const ahead of [30 * SEC, 2 * SEC])
  test(`a reader resuming from a position issued while the host clock ran ${ahead / SEC} s ahead gets a story released after the correction`, async () => {
    const h = new Harness({ partitions: 1, start: START })
    h.append(event('CREATED', { id: 'before', version: 1 }, START - SEC))
    h.start()
    const reader = h.connect('public')
    subscribe(h, reader.conn, ['category:news'])
    await h.settle()

    // the host clock runs ahead; a story's embargo passes by it, and its release goes out to the
    // reader with a position made then (a position's watermark is the last release its reader may
    // see, not the clock: red17)
    h.append(event('CREATED', { id: 'early', version: 1, embargoedUntil: START + ahead - 1 }, START - SEC))
    await h.settle()
    h.clock.step(ahead)
    await h.settle()
    const since = lastPosition(reader.t.messages)
    assert.equal(peekPosition(since).t, START + ahead - 1, 'the position carries the clock that ran ahead')
    // NTP steps the clock back; the reader drops
    h.clock.step(-ahead)
    await h.settle()
    h.hub.conns.remove(reader.conn)

    // after the correction, the desk files a story under a short embargo, due before that watermark
    const embargo = START + ahead / 2
    h.append(event('CREATED', { id: 'budget', version: 1, embargoedUntil: embargo }, h.clock.now()))
    await h.settle()

    // the reader comes back with its position (within the minute of skew the service accepts)
    const back = h.connect('public')
    subscribe(h, back.conn, ['category:news'], { since })
    await h.settle()
    assert.deepEqual(shown(back.t.messages), [], 'nothing is public yet')
    await h.tick(ahead + SEC)
    const page = JSON.parse(
      answerPage(new URL('http://f/v1/snapshot'), { audience: 'public', expiresAt: null, reject: null }, h.routeDeps(50)),
    ) as { items: { article: { id: string } }[] }
    assert.ok(
      page.items.some((i) => i.article.id === 'budget'),
      'the story is public: it is in a fresh snapshot',
    )
    h.hub.stop()
    assert.deepEqual(
      shown(back.t.messages).filter((id) => id === 'budget'),
      ['budget'],
      `the resumed reader never got the released story: ${JSON.stringify(back.t.messages.map((m) => m.type))}`,
    )
  })
