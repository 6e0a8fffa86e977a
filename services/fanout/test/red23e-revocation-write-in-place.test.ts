// red23e attack run (2026-12-07): NEWSROOM_REVOKED_FILE edited in place (an editor that saves over
// the file, `cat > revoked`, a config agent on a VM) is truncated before it is written. A poll in
// between read the list empty, or cut at a line: a valid list naming fewer tokens, put in force
// at once, and every token the edit kept revoked was let in (and its new streams served) until the
// next poll. A read that takes a rule out is now applied only once the file has stayed so for
// SETTLE_MS (an operator's removal is never urgent); a read that only adds is applied at once.
// Property: liftsRules says exactly whether a list lets in a token another revokes.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { SETTLE_MS, watchRevocationFile } from '../src/revocation-file.ts'
import type { Credential, Revocations } from '../src/revocations.ts'
import { isRevoked, liftsRules, parseRevocations } from '../src/revocations.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
async function until(done: () => boolean, what: string, ms = 3000): Promise<void> {
  for (let i = 0; i < ms / 10 && !done(); i++) await sleep(10)
  assert.ok(done(), what)
}

test('a list read while it is written in place does not lift its rules; an addition is at once, a removal once settled', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'newswire-red23e-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'revoked')
  const full = 'jti leaked-1\nsub alice 2026-12-07T05:00:00Z\n'
  writeFileSync(path, full)
  const changed: Revocations[] = []
  const file = watchRevocationFile({ path, pollMs: 20, changed: (r) => changed.push(r), failed: () => undefined })
  t.after(() => file.stop())
  assert.equal(file.current().size, 2)

  // the editor truncated the file and has not written yet; then wrote half of it
  truncateSync(path, 0)
  await sleep(SETTLE_MS / 4)
  assert.equal(file.current().size, 2, 'the truncated file lifted every rule')
  writeFileSync(path, 'jti leaked-1\n')
  await sleep(SETTLE_MS / 4)
  assert.equal(file.current().size, 2, 'the half-written file lifted a rule')
  // the edit done: one rule more, in force at its first poll
  const added = performance.now()
  writeFileSync(path, `${full}jti leaked-2\n`)
  await until(() => file.current().size === 3, 'the edit was not taken')
  assert.ok(performance.now() - added < SETTLE_MS, 'an addition waited')
  assert.equal(changed.at(-1)?.size, 3)

  // an operator taking rules out: in force once the file has stayed so
  const removed = performance.now()
  writeFileSync(path, 'jti leaked-2\n')
  await sleep(SETTLE_MS / 4)
  assert.equal(file.current().size, 3)
  await until(() => file.current().size === 1, 'a removal was never applied', SETTLE_MS * 4)
  assert.ok(performance.now() - removed >= SETTLE_MS)
  assert.deepEqual([...file.current().ids], ['leaked-2'])
})

const T0 = Date.parse('2026-12-07T05:00:00Z')
const rule = fc.oneof(
  fc
    .tuple(fc.constantFrom('alice', 'bob'), fc.integer({ min: -2, max: 2 }))
    .map(([s, d]) => `sub ${s} ${new Date(T0 + d * 1000).toISOString()}`),
  fc.constantFrom('jti t1', 'jti t2'),
  fc.integer({ min: -2, max: 2 }).map((d) => `all ${new Date(T0 + d * 1000).toISOString()}`),
)
const credentials: Credential[] = []
for (const sub of ['alice', 'bob', 'carol', null])
  for (const issuedAt of [null, ...[-3, -2, -1, 0, 1, 2, 3].map((d) => T0 + d * 1000)])
    for (const id of ['t1', 't2', 't3', null]) credentials.push({ sub, issuedAt, id })

test('property: liftsRules(from, to) iff some token from revokes, to lets in', () => {
  fc.assert(
    fc.property(fc.array(rule, { maxLength: 5 }), fc.array(rule, { maxLength: 5 }), (a, b) => {
      const [from, to] = [parseRevocations(a.join('\n')), parseRevocations(b.join('\n'))]
      const model = credentials.some((c) => isRevoked(from, c) && !isRevoked(to, c))
      assert.equal(liftsRules(from, to), model, JSON.stringify({ a, b }))
    }),
    { numRuns: 1000 },
  )
})
