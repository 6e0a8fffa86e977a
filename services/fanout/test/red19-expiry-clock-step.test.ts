// red19 attack run (2026-12-06): a newsroom connection outliving its token by the host's clock.
// The expiry is a timer (setTimerAt), and Node's timers are monotonic: when the host's wall clock
// steps ahead (NTP correcting a clock that ran behind, a VM resumed after a pause, whose monotonic
// clock did not count the pause), a token whose `exp` the host's clock has passed is still
// admitted on its open connection until the timer's own duration has run out, up to the token's
// whole lifetime. Every pass in between judged "now" past its `exp`, and wrote to it all the same:
// a story withheld after the token expired, with its text.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { newsroom, subscribe } from './support/live-story.ts'

const MIN = 60_000

test('a newsroom connection is sent nothing once the host clock has passed its token expiry, before the expiry timer fires', async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  await h.settle()
  const expiresAt = h.clock.now() + 30 * MIN
  const { conn, t } = h.connect(newsroom.audience, newsroom.scope, expiresAt)
  subscribe(h, conn, ['all'])
  // a colleague on the same view (the same broadcast group) whose token is good for the day
  const other = h.connect(newsroom.audience, newsroom.scope, h.clock.now() + 24 * 60 * MIN)
  subscribe(h, other.conn, ['all'])
  await h.settle()
  const before = t.messages.length
  // the host's clock steps an hour ahead; no time passes on the monotonic clock, so no timer is due
  // (FakeClock.step fires none, as Node's would not)
  h.clock.step(60 * MIN)
  const now = h.clock.now()
  h.append(event('CREATED', { id: 'held', version: 1, pubStatus: 'withheld', headline: 'Held back' }, now))
  await h.settle()
  const late = t.at.map((at, i) => ({ at, m: t.messages[i] })).filter(({ at }) => at >= expiresAt)
  assert.deepEqual(late, [], 'written at or after the token expired, by the host clock')
  assert.equal(t.messages.length, before)
  assert.deepEqual(t.closed, { code: 4401, reason: 'token expired' })
  assert.ok(
    other.t.messages.some((m) => m.type === 'event' && (m.event as { article: { id: string } }).article.id === 'held'),
    'the colleague still gets it',
  )
})

test('a subscribe sent once the host clock has passed the token expiry is answered with nothing, not a snapshot', async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  const expiresAt = h.clock.now() + 30 * MIN
  const { conn, t } = h.connect(newsroom.audience, newsroom.scope, expiresAt)
  await h.settle()
  h.clock.step(60 * MIN)
  h.append(event('CREATED', { id: 'held', version: 1, pubStatus: 'withheld', headline: 'Held back' }, h.clock.now()))
  await h.settle()
  // the connection's own write (its snapshot), not a group's
  subscribe(h, conn, ['all'])
  await h.settle()
  assert.deepEqual(t.messages, [])
  assert.deepEqual(t.closed, { code: 4401, reason: 'token expired' })
})
