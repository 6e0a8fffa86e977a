// A freelancer's newsroom tokens as other issuers write them, against the real ingest and fan-out
// holding another desk's embargoed draft: what the claim tests (red22c, red23d, red23e) check is
// that a token whose limits the server cannot read is refused, never read as a token without them.
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { SignJWT } from 'jose'
import { startTestIngest, uniquePrefix } from '../../../../test/helpers.ts'
import type { FanoutInstance } from '../../src/index.ts'
import { article, connect, publish, publishedTo, startTestFanout } from '../helpers.ts'

/** A newsroom token as another issuer writes it: `claims` beside the scope. */
export function issued(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT({ scope: 'newsroom', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('freelancer')
    .setAudience('newswire')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(DEV_NEWSROOM_SECRET))
}

/** Real ingest and fan-out holding `politics-draft`, embargoed for an hour, in Bengali. */
export async function withPoliticsDraft(t: TestContext): Promise<FanoutInstance> {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const embargoedUntil = new Date(Date.now() + 3_600_000).toISOString()
  await publish(ingest.url, article('politics-draft', { category: 'politics', language: 'bn', embargoedUntil }))
  await fanout.settled(publishedTo(ingest.url))
  return fanout
}

/** A token with `claims`, subscribed to `all`, is answered with an empty snapshot: the limits kept it off the draft. */
export async function keptOff(t: TestContext, fanout: FanoutInstance, claims: Record<string, unknown>): Promise<void> {
  const c = await connect(t, fanout.wsUrl, { token: await issued(claims) })
  c.send({ type: 'subscribe', id: 's', channels: ['all'] })
  assert.deepEqual((await c.next((m) => m.type === 'subscribed')).snapshot, [])
}

/** A token with `claims`, subscribed to `all`, is closed 4401 with `reason` before anything of the draft reaches it. */
export async function refusedUnseen(
  t: TestContext,
  fanout: FanoutInstance,
  claims: Record<string, unknown>,
  reason: RegExp,
): Promise<void> {
  const c = await connect(t, fanout.wsUrl, { token: await issued(claims) })
  c.send({ type: 'subscribe', id: 's', channels: ['all'] })
  // admitted, it is answered `subscribed` with its snapshot; refused, it is closed first
  const first = await Promise.race([c.closed, c.next((m) => m.type === 'subscribed')])
  const seen = c.messages.filter((m) => m.type === 'subscribed').flatMap((m) => (m.snapshot as unknown[]) ?? [])
  assert.deepEqual(seen, [], `${JSON.stringify(claims)}: the token was sent the draft`)
  assert.ok('code' in first, `${JSON.stringify(claims)}: admitted`)
  const closed = await c.closed
  assert.equal(closed.code, 4401, JSON.stringify(claims))
  assert.match(closed.reason, reason, JSON.stringify(claims))
}
