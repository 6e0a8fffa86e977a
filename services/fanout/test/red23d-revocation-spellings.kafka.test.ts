// A revocation names a token by the `sub` or `jti` an operator reads and types (red23d attack
// run): the same name spelled otherwise by the issuer — a `jti` sent as a JSON number, a subject in
// NFD where the operator's keyboard writes NFC, a subject with a space no rule's line can hold, an
// id with a zero-width space the operator cannot see — was never matched, and the token read on,
// embargoed stories included, after the rule was in force. The real fan-out with
// NEWSROOM_REVOKED_FILE, real ingest and Kafka: every such token is cut by the rule as typed, or
// refused at the door as a token no rule could name.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { article, connect, eventsOf, publish } from './helpers.ts'
import { issued, revocationWorld } from './support/revocation-world.ts'

test('a revocation rule as an operator types it cuts the token whatever spelling its issuer used', { timeout: 90_000 }, async (t) => {
  const { fanout, ingest, write, inForce, open, tryOpen } = await revocationWorld(t)
  const now = Math.floor(Date.now() / 1000) - 60
  const rule = `${new Date((now + 5) * 1000).toISOString()}`
  // the issuer's spelling, and the line an operator writes for it
  const cases = [
    { name: 'numeric jti', claims: { sub: 'c1', jti: 12345 }, line: 'jti 12345' },
    { name: 'NFD subject', claims: { sub: 'jo\u0301zef' }, line: `sub j\u00f3zef ${rule}` },
    { name: 'subject with a space', claims: { sub: 'ana rahman' }, line: `sub ana ${rule}` },
    { name: 'zero-width in jti', claims: { sub: 'c4', jti: 'leak\u200b-7' }, line: 'jti leak-7' },
    { name: 'numeric subject', claims: { sub: 42 }, line: `sub 42 ${rule}` },
  ]
  const control = await issued({ sub: 'bob' }, now)

  const opened = []
  for (const k of cases) opened.push({ ...k, ...(await tryOpen(await issued(k.claims, now))) })
  const b = await open(control)

  write(`${cases.map((k) => k.line).join('\n')}\n`)
  assert.equal(await inForce(cases.length), cases.length, 'the operator’s list is in force')
  await new Promise((r) => setTimeout(r, 500))
  await publish(ingest.url, article('held-2', { embargoedUntil: new Date(Date.now() + 600_000).toISOString() }))
  await b.until((all) => eventsOf(all).some((m) => m.event.article.id === 'held-2'))

  for (const k of opened) {
    if (k.first === 'open') {
      const cut = await Promise.race([k.c.closed, new Promise((r) => setTimeout(() => r('still open'), 1000))])
      assert.deepEqual(cut, { code: 4401, reason: 'token revoked' }, `${k.name}: the rule as typed did not cut it`)
    } else assert.equal(k.first.code, 4401, `${k.name}: refused at the door`)
    assert.ok(
      !eventsOf(k.c.messages).some((m) => m.event.article.id === 'held-2'),
      `${k.name}: an embargoed story reached a token after the rule naming it was in force`,
    )
    const again = await connect(t, fanout.wsUrl, { token: await issued(k.claims, now) })
    assert.equal((await again.closed).code, 4401, `${k.name}: admitted again after its rule`)
  }
  assert.equal(b.ws.readyState, b.ws.OPEN)
})
