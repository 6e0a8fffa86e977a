// Found by the confidentiality property's slow links (red13, seed -2047070459): a newsroom
// connection whose socket was behind keeps what the hub decided for it in its queue; when the
// socket drained and the token expired before the hub's next pass, the expiry closed the
// connection after flushing that queue: stories (embargoed ones too) were written to it at the
// instant its token expired. The same path red10 found for a connection opened
// after its expiry (red10-sse-expired-token.test.ts). Now the expiry drops the queue and closes
// at once: the reader resumes with a fresh token from what it had, and is sent the rest then.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, newsroom, subscribe } from './support/live-story.ts'

test('a newsroom connection behind when its token expires is closed with 4401 and sent nothing more', async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  await h.settle()
  const expiresAt = h.clock.now() + 2000
  const { conn, t } = h.connect(newsroom.audience, newsroom.scope, expiresAt)
  subscribe(h, conn, ['all'])
  await h.settle()
  const before = t.messages.length
  // behind: the socket takes nothing, so the hub queues what it decides
  t.backlog = 10 * 1024 * 1024
  const now = h.clock.now()
  h.append(event('CREATED', { id: 'e', version: 1, embargoedUntil: now + 3_600_000 }, now))
  h.append(event('CREATED', { id: 'p', version: 1 }, now))
  await h.settle()
  // it drains just before the expiry, before the hub's next pass has written its queue
  t.backlog = 0
  h.hub.drained(conn)
  h.clock.advance(60_000)
  await h.settle()
  assert.deepEqual(t.closed, { code: 4401, reason: 'token expired' })
  const late = t.at.map((at, i) => ({ at, m: t.messages[i] })).filter(({ at }) => at >= expiresAt)
  assert.deepEqual(late, [], 'written at or after the token expired')
  assert.equal(t.messages.length, before, 'nothing queued while behind was written')
  // the reader comes back with a fresh token and is sent what it missed
  const back = h.connect(newsroom.audience, newsroom.scope, h.clock.now() + 3_600_000)
  subscribe(h, back.conn, ['all'], { since: lastPosition(t.messages) })
  await h.settle()
  const ids = back.t.messages.filter((m) => m.type === 'event').map((m) => (m.event as { article: { id: string } }).article.id)
  assert.deepEqual(ids.sort(), ['e', 'p'])
})
