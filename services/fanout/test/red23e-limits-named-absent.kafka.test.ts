// red23e attack run (2026-12-07): `limits` names the limit claims a token carries (red23a), and a
// token naming one it does not carry was read without that limit. An issuer that fills the claims
// from its user records and names the limits from a fixed list (`limits: ["desks", "embargo"]`,
// `desks: user.desks`) leaves `desks` out of the JSON for a user whose desks are not set
// (undefined is dropped, where red22c refuses null): the freelancer meant for one desk, kept off
// embargoed drafts, was sent every desk's embargoed draft. The token says it carries a limit it
// lacks: it is refused (4401), never read as a token without limits.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { SignJWT } from 'jose'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { verifyNewsroomToken } from '../src/index.ts'
import { article, connect, publish, publishedTo, startTestFanout } from './helpers.ts'

function issued(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT({ scope: 'newsroom', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('freelancer')
    .setAudience('newswire')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(DEV_NEWSROOM_SECRET))
}

/** What a careless issuer signs for a user whose limits are not set: the names, not the claims. */
const lacking: Record<string, unknown>[] = [
  { limits: ['desks'] },
  { limits: ['embargo'] },
  { limits: ['languages'] },
  { limits: ['desks', 'embargo'], languages: ['bn'] },
  { limits: ['desks', 'languages', 'embargo'], desks: undefined, embargo: false, languages: ['bn'] },
]

test('a token naming in limits a limit claim it does not carry is refused 4401, never sent a draft (real WebSocket)', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const embargoedUntil = new Date(Date.now() + 3_600_000).toISOString()
  await publish(ingest.url, article('politics-draft', { category: 'politics', language: 'bn', embargoedUntil }))
  await fanout.settled(publishedTo(ingest.url))

  // carrying what it names, the freelancer is kept off the draft
  const right = await connect(t, fanout.wsUrl, { token: await issued({ limits: ['desks', 'embargo'], desks: ['sports'], embargo: false }) })
  right.send({ type: 'subscribe', id: 's', channels: ['all'] })
  assert.deepEqual((await right.next((m) => m.type === 'subscribed')).snapshot, [])

  for (const claims of lacking) {
    const c = await connect(t, fanout.wsUrl, { token: await issued(claims) })
    c.send({ type: 'subscribe', id: 's', channels: ['all'] })
    const first = await Promise.race([c.closed, c.next((m) => m.type === 'subscribed')])
    const seen = c.messages.filter((m) => m.type === 'subscribed').flatMap((m) => (m.snapshot as unknown[]) ?? [])
    assert.deepEqual(seen, [], `${JSON.stringify(claims)}: the token was sent the draft`)
    assert.ok('code' in first, JSON.stringify(claims))
    const closed = await c.closed
    assert.equal(closed.code, 4401, JSON.stringify(claims))
    assert.match(closed.reason, /^token limit '.+' is named in limits but not carried$/, JSON.stringify(claims))
  }
})

test('the reason names the first limit not carried, and fits a close frame', async () => {
  const r = await verifyNewsroomToken(await issued({ limits: ['desks', 'languages'], desks: ['sports'] }), DEV_NEWSROOM_SECRET, 'newswire')
  assert.deepEqual(r, { ok: false, reason: "token limit 'languages' is named in limits but not carried" })
})
