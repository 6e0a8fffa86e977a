// red24e attack run (2026-12-07): a revocation rule copied from a decoded token as a JWT debugger
// or `jq` prints it, one claim a line: `  "jti": "4f1c9a2e",`. The operator keeps the value as it
// stands, quotes and trailing comma (`jti "4f1c9a2e",`): red24d refused a name in quotes, but this
// one ends with a comma, so it was read as a rule naming `"4f1c9a2e",`, in force and naming
// nobody, and the leaked token read the embargoed and withheld drafts on until its `exp`. A name
// opening with a double quote (straight or typographic), or in quotes but for a comma or
// semicolon after them, is now a bad line; a token whose sub or jti is so is refused.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isRevoked, parseRevocations, RevocationsError } from '../src/revocations.ts'
import type { Revocations } from '../src/revocations.ts'
import { signNewsroomToken } from '../src/token.ts'
import { admitUnder } from './support/admit-under.ts'

const SECRET = 'red24e-json-revocation-secret-001'
const admit = (list: Revocations, token: string) => admitUnder(SECRET, list, token)

/** What a line of a decoded token's JSON gives when copied from its value to the line's end, or cut short. */
const COPIES = ['"4f1c9a2e",', '"4f1c9a2e";', '“4f1c9a2e”,', '"4f1c9a2e', '«4f1c9a2e»,']

test('a rule naming a token as a decoded token prints it (quotes, a trailing comma) is a bad line, never a rule that names nobody', async () => {
  const leaked = await signNewsroomToken(SECRET, { sub: 'editor-7', jti: '4f1c9a2e' })
  for (const copy of COPIES) {
    let list: Revocations | null = null
    try {
      list = parseRevocations(`jti ${copy}\n`)
    } catch (err) {
      assert.ok(err instanceof RevocationsError, String(err))
      assert.match(err.message, /^line 1: .*quotes/, copy)
      continue
    }
    assert.equal(await admit(list, leaked), 'token revoked', `the rule \`jti ${copy}\` names nobody: the leaked token reads on`)
  }
  // a comma or an apostrophe of the name's own stays its own
  assert.ok(isRevoked(parseRevocations('jti abc,\n'), { sub: null, issuedAt: 0, id: 'abc,' }))
  assert.ok(isRevoked(parseRevocations("sub 'o'brien 2099-01-01T00:00:00Z\n"), { sub: "'o'brien", issuedAt: 0, id: null }))
})

test('a token whose sub or jti reads as such a copy, which no rule can name, is refused', async () => {
  for (const copy of COPIES)
    assert.equal(await admit(parseRevocations(''), await signNewsroomToken(SECRET, { jti: copy })), "token claim 'jti' is invalid", copy)
  assert.equal(await admit(parseRevocations(''), await signNewsroomToken(SECRET, { sub: 'editor-7', jti: 'abc,' })), 'newsroom')
})
