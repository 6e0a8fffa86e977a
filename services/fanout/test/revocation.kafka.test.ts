// Newsroom tokens revoked before their `exp`, end to end: the real fan-out with
// NEWSROOM_REVOKED_FILE, real ingest and Kafka, newsroom readers over WebSocket and SSE. An
// operator names an editor who left (by subject) and a leaked token (by id): their open streams
// close 4401 `token revoked` within a poll, with nothing written after; the same tokens are
// refused on the stream, SSE and pages; a token issued after the rule, and everyone else, read on.
// A bad edit keeps the list in force.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { signNewsroomToken } from '../src/index.ts'
import { article, connect, eventsOf, openSse, publish, scrapeMetric } from './helpers.ts'
import { revocationWorld } from './support/revocation-world.ts'

test('a revoked token is cut within a poll and refused everywhere after; others read on', { timeout: 90_000 }, async (t) => {
  const { ingest, fanout, write, open } = await revocationWorld(t)
  const now = Math.floor(Date.now() / 1000)
  const alice = await signNewsroomToken(DEV_NEWSROOM_SECRET, { sub: 'alice', issuedAt: now - 60 })
  const leaked = await signNewsroomToken(DEV_NEWSROOM_SECRET, { sub: 'bob', jti: 'leaked-1' })
  const bob = await signNewsroomToken(DEV_NEWSROOM_SECRET, { sub: 'bob', jti: 'bob-2' })

  const [a, l, b] = [await open(alice), await open(leaked), await open(bob)]
  const sse = await openSse(t, `${fanout.url}/v1/sse?channels=all`, { authorization: `Bearer ${alice}` })
  assert.equal(sse.status, 200)
  await sse.until((all) => all.some((e) => e.event === 'subscribed'))

  write(`sub alice ${new Date((now - 5) * 1000).toISOString()}\njti leaked-1\n`)
  const [closedA, closedL] = await Promise.all([a.closed, l.closed])
  assert.deepEqual(closedA, { code: 4401, reason: 'token revoked' })
  assert.deepEqual(closedL, { code: 4401, reason: 'token revoked' })
  const seenA = a.messages.length
  // nothing more for them; bob reads on, SSE's stream for alice ended
  await publish(ingest.url, article('held-2', { embargoedUntil: new Date(Date.now() + 600_000).toISOString() }))
  await b.until((all) => eventsOf(all).some((m) => m.event.article.id === 'held-2'))
  assert.equal(a.messages.length, seenA)
  assert.ok(!sse.events.some((e) => JSON.stringify(e.data).includes('held-2')), 'the revoked SSE reader got a story after its revocation')

  // refused everywhere after
  const again = await connect(t, fanout.wsUrl, { token: alice })
  assert.deepEqual(await again.closed, { code: 4401, reason: 'token revoked' })
  const sseAgain = await fetch(`${fanout.url}/v1/sse?channels=all`, { headers: { authorization: `Bearer ${leaked}` } })
  assert.equal(sseAgain.status, 401)
  assert.match(await sseAgain.text(), /token revoked/)
  const page = await fetch(`${fanout.url}/v1/snapshot?channels=all`, { headers: { authorization: `Bearer ${alice}` } })
  assert.equal(page.status, 401)
  // a token issued after the rule is another sign-in
  await open(await signNewsroomToken(DEV_NEWSROOM_SECRET, { sub: 'alice' }))

  // a bad edit keeps the list in force, and is counted
  write('sub alice yesterday\n')
  for (let i = 0; i < 200 && (await scrapeMetric(fanout.url, 'newswire_fanout_revocation_reload_failures_total')) < 1; i++)
    await new Promise((r) => setTimeout(r, 25))
  assert.equal(await scrapeMetric(fanout.url, 'newswire_fanout_revocation_reload_failures_total'), 1)
  assert.equal(await scrapeMetric(fanout.url, 'newswire_fanout_revocation_file_unread'), 1, 'the alert reads this')
  const still = await connect(t, fanout.wsUrl, { token: alice })
  assert.deepEqual(await still.closed, { code: 4401, reason: 'token revoked' })
  assert.equal(await scrapeMetric(fanout.url, 'newswire_fanout_revocations'), 2)
  assert.ok((await scrapeMetric(fanout.url, 'newswire_fanout_connections_revoked_total')) >= 3, 'WS, WS and SSE cut')
  assert.equal(b.ws.readyState, b.ws.OPEN)
})
