// red23e attack run (2026-12-07): a newsroom token whose issuer writes its user ids as numbers
// (`sub: 123`, `jti: 42`: JWT libraries sign any JSON) could not be revoked by subject or id. The
// credential kept the number, the list's rules are text, and `sub 123 …` / `jti 42` never matched:
// the operator named the editor who left and the leaked token, the file was read, and both read
// on, embargoed drafts included, until their exp. A number is now the text a rule names; a `sub`
// or `jti` no rule can name (a list, an object, a fraction) refuses the token.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { article, connect, eventsOf, publish } from './helpers.ts'
import { issued, revocationWorld } from './support/revocation-world.ts'

test('a token whose sub or jti is a number is cut by the rule naming it; one no rule can name is refused (real WebSocket)', {
  timeout: 60_000,
}, async (t) => {
  const { fanout, ingest, write, inForce, open } = await revocationWorld(t)
  const now = Math.floor(Date.now() / 1000)
  const left = await issued({ sub: 123 }, now - 60)
  const leaked = await issued({ sub: 7, jti: 42 }, now - 60)
  const stays = await issued({ sub: 1234, jti: 43 }, now - 60)
  const [a, l, s] = [await open(left), await open(leaked), await open(stays)]
  write(`sub 123 ${new Date((now - 5) * 1000).toISOString()}\njti 42\n`)
  assert.equal(await inForce(2), 2, 'the list was read')
  const timeout = (ms: number) => new Promise<'open'>((r) => setTimeout(() => r('open'), ms).unref())
  assert.deepEqual(await Promise.race([a.closed, timeout(3000)]), { code: 4401, reason: 'token revoked' }, 'sub 123 cut its reader')
  assert.deepEqual(await Promise.race([l.closed, timeout(3000)]), { code: 4401, reason: 'token revoked' }, 'jti 42 cut its reader')
  const [seenA, seenL] = [a.messages.length, l.messages.length]
  await publish(ingest.url, article('held-2', { embargoedUntil: new Date(Date.now() + 600_000).toISOString() }))
  await s.until((all) => eventsOf(all).some((m) => m.event.article.id === 'held-2'))
  assert.equal(a.messages.length, seenA)
  assert.equal(l.messages.length, seenL)
  const again = await connect(t, fanout.wsUrl, { token: left })
  assert.deepEqual(await again.closed, { code: 4401, reason: 'token revoked' })

  // a subject or id no rule can name: refused, not admitted unrevocable
  for (const claims of [{ sub: ['123'] }, { sub: { id: 123 } }, { jti: 4.2 }, { jti: true }, { sub: 2 ** 60 }]) {
    const c = await connect(t, fanout.wsUrl, { token: await issued(claims, now) })
    c.send({ type: 'subscribe', id: 'n', channels: ['all'] })
    const closed = await c.closed
    assert.equal(closed.code, 4401, JSON.stringify(claims))
    assert.match(closed.reason, /^token claim '(sub|jti)' is invalid$/, JSON.stringify(claims))
    assert.ok(!c.messages.some((m) => m.type === 'subscribed'), JSON.stringify(claims))
  }
})
