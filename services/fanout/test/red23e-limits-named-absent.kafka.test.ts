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
import { verifyNewsroomToken } from '../src/index.ts'
import { issued, keptOff, refusedUnseen, withPoliticsDraft } from './support/freelancer-tokens.ts'

/** What a careless issuer signs for a user whose limits are not set: the names, not the claims. */
const lacking: Record<string, unknown>[] = [
  { limits: ['desks'] },
  { limits: ['embargo'] },
  { limits: ['languages'] },
  { limits: ['desks', 'embargo'], languages: ['bn'] },
  { limits: ['desks', 'languages', 'embargo'], desks: undefined, embargo: false, languages: ['bn'] },
]

test('a token naming in limits a limit claim it does not carry is refused 4401, never sent a draft (real WebSocket)', async (t) => {
  const fanout = await withPoliticsDraft(t)

  // carrying what it names, the freelancer is kept off the draft
  await keptOff(t, fanout, { limits: ['desks', 'embargo'], desks: ['sports'], embargo: false })

  for (const claims of lacking) await refusedUnseen(t, fanout, claims, /^token limit '.+' is named in limits but not carried$/)
})

test('the reason names the first limit not carried, and fits a close frame', async () => {
  const r = await verifyNewsroomToken(await issued({ limits: ['desks', 'languages'], desks: ['sports'] }), DEV_NEWSROOM_SECRET, 'newswire')
  assert.deepEqual(r, { ok: false, reason: "token limit 'languages' is named in limits but not carried" })
})
