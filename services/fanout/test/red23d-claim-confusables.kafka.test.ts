// red23d attack run (2026-12-07): a limit claim whose name is not printable ASCII was ignored, the
// token read without that limit. An issuer's claim mapper typed `desks ` (a trailing space), the
// name in full-width letters (an IME left in full-width mode: `ｄｅｓｋｓ`), with a Cyrillic `е`, or
// with a zero-width space: every desk, every language and the embargoed drafts. A limit's name in
// any such spelling now makes the token invalid (4401). Real ingest, Kafka, fan-out, WebSocket.
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

/** Limits meant to keep the sports freelancer off the politics draft, their names spelled otherwise. */
export const confusable: Record<string, unknown>[] = [
  { 'desks ': ['sports'] },
  { ' desks': ['sports'] },
  { '\uff44\uff45\uff53\uff4b\uff53': ['sports'] },
  { 'd\u0435sks': ['sports'] },
  { 'desks\u200b': ['sports'] },
  { 'languages\u00a0': ['en'] },
  { '\uff4c\uff41\uff4e\uff47': ['en'] },
  { 'l\u0430nguages': ['en'] },
  { '\u0435mbargo': false },
  { 'embargo\u200d': false },
  { 'https://newswire.example/\uff44\uff45\uff53\uff4b\uff53': ['sports'] },
]

test('a limit whose name is spelled in other characters makes the token invalid: 4401, never a token without limits', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const embargoedUntil = new Date(Date.now() + 3_600_000).toISOString()
  await publish(ingest.url, article('politics-draft', { category: 'politics', language: 'bn', embargoedUntil }))
  await fanout.settled(publishedTo(ingest.url))

  for (const claims of confusable) {
    const c = await connect(t, fanout.wsUrl, { token: await issued(claims) })
    c.send({ type: 'subscribe', id: 's', channels: ['all'] })
    const first = await Promise.race([c.closed, c.next((m) => m.type === 'subscribed')])
    const seen = c.messages.filter((m) => m.type === 'subscribed').flatMap((m) => (m.snapshot as unknown[]) ?? [])
    assert.deepEqual(seen, [], `${JSON.stringify(claims)}: the token was sent the draft`)
    assert.ok('code' in first, `${JSON.stringify(claims)}: admitted`)
    const closed = await c.closed
    assert.equal(closed.code, 4401, JSON.stringify(claims))
    assert.match(closed.reason, /^token claim '[\x21-\x7e]+' is invalid$/, JSON.stringify(claims))
  }
})

test('other issuers\u2019 claims in other scripts still pass', async () => {
  for (const claims of [
    { '\u09a8\u09be\u09ae': '\u0986\u09a8\u09be' },
    { 'display name': 'A. Editor' },
    { 'd\u00e9partement': 'sports' },
    { deskTimeZone: 'Asia/Dhaka' },
  ]) {
    const v = await verifyNewsroomToken(await issued(claims), DEV_NEWSROOM_SECRET, 'newswire')
    assert.equal(v.ok, true, JSON.stringify(claims))
  }
})
