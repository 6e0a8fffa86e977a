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
import { scopeFromClaims, ScopeClaimError } from '../src/audience.ts'
import { signNewsroomToken, verifyNewsroomToken } from '../src/index.ts'
import { issued, keptOff, refusedUnseen, withPoliticsDraft } from './support/freelancer-tokens.ts'

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
  const fanout = await withPoliticsDraft(t)

  // the spelling the server reads keeps the freelancer off the draft
  await keptOff(t, fanout, { desks: ['sports'], languages: ['en'], embargo: false })

  for (const claims of misspelt) await refusedUnseen(t, fanout, claims, /^token claim '.+' is invalid$/)
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
