// A revocation rule whose name an operator wrote in quotes (red24d attack run, 2026-12-07):
// `jti "4f1c…"`, copied from a JSON log line or typed from a shell habit, was read as a rule
// naming `"4f1c…"`, quotes and all: in force (newswire_fanout_revocations counted it) and naming
// nobody, so the leaked token read on, embargoed drafts included, until its `exp`. A name in quotes
// is now a bad line (the list in force stays and the reload failure is counted; a start refuses),
// and a token whose `sub` or `jti` is in quotes, which no rule could name, is refused.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isRevoked, parseRevocations, RevocationsError } from '../src/revocations.ts'
import type { Revocations } from '../src/revocations.ts'
import { signNewsroomToken } from '../src/token.ts'
import { admitUnder } from './support/admit-under.ts'

const SECRET = 'red24d-quoted-revocation-secret-01'
const admit = (list: Revocations, token: string) => admitUnder(SECRET, list, token)

const QUOTES = ['"', "'", '`', '“', '”', '‘', '’', '«', '»', '„']

test('a rule naming a token in quotes is a bad line, never a rule that names nobody', async () => {
  const leaked = await signNewsroomToken(SECRET, { sub: 'editor-7', jti: '4f1c9a2e' })
  assert.equal(await admit(parseRevocations('jti 4f1c9a2e\n'), leaked), 'token revoked')
  assert.equal(await admit(parseRevocations('sub editor-7 2099-01-01T00:00:00Z\n'), leaked), 'token revoked')
  for (const [open, close] of [
    ['"', '"'],
    ["'", "'"],
    ['`', '`'],
    ['“', '”'],
    ['‘', '’'],
    ['«', '»'],
    ['„', '“'],
  ]) {
    for (const line of [`jti ${open}4f1c9a2e${close}`, `sub ${open}editor-7${close} 2099-01-01T00:00:00Z`]) {
      let list: Revocations | null = null
      try {
        list = parseRevocations(`${line}\n`)
      } catch (err) {
        assert.ok(err instanceof RevocationsError, line)
        assert.match(err.message, /^line 1: .*quotes/, line)
      }
      // read as a rule, it had to name the token; it named nobody
      if (list !== null) assert.equal(await admit(list, leaked), 'token revoked', `'${line}' was in force and named nobody`)
      assert.equal(list, null, `'${line}' was read as a rule`)
    }
  }
  // a quote inside a name, or an apostrophe at one end only, is the name's own
  assert.ok(isRevoked(parseRevocations("sub o'brien 2099-01-01T00:00:00Z\n"), { sub: "o'brien", issuedAt: 0, id: null }))
  assert.ok(isRevoked(parseRevocations("jti abc'\n"), { sub: null, issuedAt: 0, id: "abc'" }))
})

test('a token whose sub or jti is in quotes, which no rule can name, is refused', async () => {
  for (const q of QUOTES) {
    assert.equal(
      await admit(parseRevocations(''), await signNewsroomToken(SECRET, { sub: `${q}editor-7${q}` })),
      "token claim 'sub' is invalid",
    )
    assert.equal(
      await admit(parseRevocations(''), await signNewsroomToken(SECRET, { jti: `${q}4f1c${q}` })),
      "token claim 'jti' is invalid",
    )
  }
  assert.equal(await admit(parseRevocations(''), await signNewsroomToken(SECRET, { sub: "o'brien", jti: "x'" })), 'newsroom')
})
