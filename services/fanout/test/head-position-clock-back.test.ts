// The shared head position (hub.ts headPosition) after the host clock went back and came forward
// again. A story released before the step back stays released (ledger.ts advance), and a position
// signed while the clock was back has a watermark before that release. Reused once the clock is at
// or past the release again (no pass makes it a second time, so none drops the position), it would
// tell a reader whose snapshot holds the story that the release is still to come: a resume from it
// sends the story again. A position handed out once the clock is past a release claims it; so does
// one handed out while the clock is back below it (red21c attack run).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { peekPosition } from '../src/position.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, shown, snapshotArticles, subscribe, T0 } from './support/live-story.ts'

const SEC = 1000

test('a head position handed out once the clock came forward again to a release made before it went back claims that release', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  await h.settle()
  const embargo = T0 + SEC
  h.append(event('CREATED', { id: 'held', version: 1, embargoedUntil: embargo }, T0))
  await h.settle()
  await h.tick(2 * SEC)
  const before = h.connect('public')
  subscribe(h, before.conn, ['category:news'])
  await h.settle()

  // NTP steps the host clock back; the ledger's clock follows it at the next pass
  h.clock.step(-4 * SEC)
  await h.settle()
  const early = h.connect('public')
  subscribe(h, early.conn, ['category:news'])
  await h.settle()
  // what was released stays released, and the watermark claims it, past the clock now (red21c: a
  // position below it told another process, or this one restarted, that the reader could not hold
  // the story, and a kill read there more than the race allowance before the embargo went untold)
  assert.deepEqual(
    snapshotArticles(early.t.messages).map((a) => a.id),
    ['held'],
    'released before the step back: in the snapshot',
  )
  assert.equal(peekPosition(lastPosition(early.t.messages)).t, embargo, 'the watermark claims the release made before the step back')

  // the clock comes forward again, to the release's own millisecond (the edge); nothing new is read
  h.clock.step(3 * SEC)
  assert.equal(h.clock.now(), embargo)
  await h.settle()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()
  assert.deepEqual(
    snapshotArticles(reader.t.messages).map((a) => a.id),
    ['held'],
    'the story is public: it is in the snapshot',
  )
  const since = lastPosition(reader.t.messages)
  assert.ok(peekPosition(since).t >= embargo, `the watermark ${peekPosition(since).t - T0} claims the release at ${embargo - T0}`)

  // the reader drops and resumes from what it was given: the story is not sent again
  h.hub.conns.remove(reader.conn)
  const back = h.connect('public')
  subscribe(h, back.conn, ['category:news'], { since })
  await h.settle()
  h.hub.stop()
  assert.deepEqual(shown(back.t.messages), [], `sent again: ${JSON.stringify(back.t.messages.map((m) => m.type))}`)
})
