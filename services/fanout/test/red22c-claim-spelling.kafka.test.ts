// red22c attack run (2026-12-07): the audience claims were read by their exact names, anything
// else ignored, and a null read as an absent claim. A token its issuer meant to limit to a desk, a
// language or to released content, with the limit spelled as another issuer spells it (`desk`,
// `Desks`, `categories`, `language`, `lang`, a namespaced `https://newswire.example/desks`, as
// Auth0 requires of custom claims) or carried as null (a user with no desk in the issuer's
// database, `embargo` never set), was a token without limits: every desk, every language and the
// embargoed drafts. A limit the server cannot read now makes the token invalid (4401), and null
// limits nothing only by being refused.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { SignJWT } from 'jose'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { scopeFromClaims, ScopeClaimError } from '../src/audience.ts'
import { signNewsroomToken, verifyNewsroomToken } from '../src/index.ts'
import { article, connect, publish, publishedTo, startTestFanout } from './helpers.ts'

/** A newsroom token as another issuer writes it: `claims` beside the scope. */
function issued(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT({ scope: 'newsroom', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('freelancer')
    .setAudience('newswire')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(DEV_NEWSROOM_SECRET))
}

/** Limits as issuers spell them, each meant to keep the sports freelancer off the politics draft. */
const misspelt: Record<string, unknown>[] = [
  { desk: ['sports'] },
  { Desks: ['sports'] },
  { categories: ['sports'] },
  { 'https://newswire.example/desks': ['sports'] },
  { newswire_desks: ['sports'] },
  { language: ['en'] },
  { lang: ['en'] },
  { Languages: ['en'] },
  { embargoed: false },
  { Embargo: false },
  { desks: null },
  { languages: null },
  { embargo: null },
]

test('a limit the server cannot read makes the token invalid: 4401, never a token without limits (real WebSocket)', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const embargoedUntil = new Date(Date.now() + 3_600_000).toISOString()
  await publish(ingest.url, article('politics-draft', { category: 'politics', language: 'bn', embargoedUntil }))
  await fanout.settled(publishedTo(ingest.url))

  // the spelling the server reads keeps the freelancer off the draft
  const right = await connect(t, fanout.wsUrl, { token: await issued({ desks: ['sports'], languages: ['en'], embargo: false }) })
  right.send({ type: 'subscribe', id: 's', channels: ['all'] })
  assert.deepEqual((await right.next((m) => m.type === 'subscribed')).snapshot, [])

  for (const claims of misspelt) {
    const c = await connect(t, fanout.wsUrl, { token: await issued(claims) })
    c.send({ type: 'subscribe', id: 's', channels: ['all'] })
    // admitted, it is answered `subscribed` with its snapshot; refused, it is closed first
    const first = await Promise.race([c.closed, c.next((m) => m.type === 'subscribed')])
    const seen = c.messages.filter((m) => m.type === 'subscribed').flatMap((m) => (m.snapshot as unknown[]) ?? [])
    assert.deepEqual(seen, [], `${JSON.stringify(claims)}: the token was sent the draft`)
    const closed = await c.closed
    assert.ok('code' in first, JSON.stringify(claims))
    assert.equal(closed.code, 4401, JSON.stringify(claims))
    assert.match(closed.reason, /^token claim '.+' is invalid$/, JSON.stringify(claims))
  }
})

test('claims that only look alike, and other issuers\u2019 claims, still pass', async () => {
  for (const claims of [{ deskTimeZone: 'Asia/Dhaka' }, { name: 'A. Editor', email: 'a@example.com', roles: ['editor'] }, { iss: 'idp' }]) {
    const v = await verifyNewsroomToken(await issued(claims), DEV_NEWSROOM_SECRET, 'newswire')
    assert.equal(v.ok, true, JSON.stringify(claims))
  }
  const limited = await verifyNewsroomToken(
    await signNewsroomToken(DEV_NEWSROOM_SECRET, { desks: ['sports'] }),
    DEV_NEWSROOM_SECRET,
    'newswire',
  )
  assert.ok(limited.ok && limited.scope.categories?.[0] === 'sports')
  for (const claims of misspelt) assert.throws(() => scopeFromClaims(claims), ScopeClaimError, JSON.stringify(claims))
})
