// A revocation names a token by the `sub` or `jti` an operator reads and types (red23d attack
// run): the same name spelled otherwise by the issuer — a `jti` sent as a JSON number, a subject in
// NFD where the operator's keyboard writes NFC, a subject with a space no rule's line can hold, an
// id with a zero-width space the operator cannot see — was never matched, and the token read on,
// embargoed stories included, after the rule was in force. The real fan-out with
// NEWSROOM_REVOKED_FILE, real ingest and Kafka: every such token is cut by the rule as typed, or
// refused at the door as a token no rule could name.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { SignJWT } from 'jose'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, connect, eventsOf, publish, publishedTo, scrapeMetric, startTestFanout } from './helpers.ts'

/** A token as a careless issuer writes it: any JSON for `sub` and `jti`. */
async function issued(claims: Record<string, unknown>, issuedAt: number): Promise<string> {
  return new SignJWT({ scope: 'newsroom', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience('newswire')
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + 3600)
    .sign(new TextEncoder().encode(DEV_NEWSROOM_SECRET))
}

test('a revocation rule as an operator types it cuts the token whatever spelling its issuer used', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'newswire-red23d-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'revoked')
  writeFileSync(file, '# nobody yet\n')
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, { NEWSROOM_REVOKED_FILE: file, FANOUT_REVOKED_POLL_MS: '100' })
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
  await publish(ingest.url, article('held-1', { embargoedUntil: new Date(Date.now() + 600_000).toISOString() }))
  await fanout.settled(publishedTo(ingest.url))

  const open = async (token: string) => {
    const c = await connect(t, fanout.wsUrl, { token })
    c.send({ type: 'subscribe', id: 'n', channels: ['all'] })
    const first = await Promise.race([c.next((m) => m.type === 'subscribed').then(() => 'open' as const), c.closed])
    return { c, first }
  }
  const opened = []
  for (const k of cases) opened.push({ ...k, ...(await open(await issued(k.claims, now))) })
  const b = (await open(control)).c

  writeFileSync(file, `${cases.map((k) => k.line).join('\n')}\n`)
  for (let i = 0; i < 200 && (await scrapeMetric(fanout.url, 'newswire_fanout_revocations')) < cases.length; i++)
    await new Promise((r) => setTimeout(r, 25))
  assert.equal(await scrapeMetric(fanout.url, 'newswire_fanout_revocations'), cases.length, 'the operator’s list is in force')
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
