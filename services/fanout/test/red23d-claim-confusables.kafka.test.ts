// red23d attack run (2026-12-07): a limit claim whose name is not printable ASCII was ignored, the
// token read without that limit. An issuer's claim mapper typed `desks ` (a trailing space), the
// name in full-width letters (an IME left in full-width mode: `ｄｅｓｋｓ`), with a Cyrillic `е`, or
// with a zero-width space: every desk, every language and the embargoed drafts. A limit's name in
// any such spelling now makes the token invalid (4401). Real ingest, Kafka, fan-out, WebSocket.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { verifyNewsroomToken } from '../src/index.ts'
import { issued, refusedUnseen, withPoliticsDraft } from './support/freelancer-tokens.ts'

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
  const fanout = await withPoliticsDraft(t)

  for (const claims of confusable) await refusedUnseen(t, fanout, claims, /^token claim '[\x21-\x7e]+' is invalid$/)
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
