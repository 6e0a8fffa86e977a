// The world of the revocation tests (revocation, red23d's spellings, red23e's numeric names): the
// real fan-out reading a revocation list from a temp file polled every 100 ms, real ingest and
// Kafka, one embargoed draft already read, newsroom readers over WebSocket, and tokens as any
// issuer signs them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { SignJWT } from 'jose'
import { startTestIngest, uniquePrefix } from '../../../../test/helpers.ts'
import type { FanoutInstance } from '../../src/index.ts'
import type { TestClient } from '../helpers.ts'
import { article, connect, publish, publishedTo, scrapeMetric, startTestFanout } from '../helpers.ts'

export interface RevocationWorld {
  ingest: { url: string }
  fanout: FanoutInstance
  /** Writes the list as an operator does (the file replaced in place). */
  write: (text: string) => void
  /** Until the fan-out holds `rules` rules (its gauge), or 5 s. */
  inForce: (rules: number) => Promise<number>
  /** A newsroom reader of every channel, once subscribed. */
  open: (token: string) => Promise<TestClient>
  /** The same, or its close if the token is refused at the door. */
  tryOpen: (token: string) => Promise<{ c: TestClient; first: 'open' | { code: number; reason: string } }>
}

export async function revocationWorld(t: TestContext): Promise<RevocationWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'newswire-revoked-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'revoked')
  writeFileSync(file, '# nobody yet\n')
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, { NEWSROOM_REVOKED_FILE: file, FANOUT_REVOKED_POLL_MS: '100' })
  await publish(ingest.url, article('held-1', { embargoedUntil: new Date(Date.now() + 600_000).toISOString() }))
  await fanout.settled(publishedTo(ingest.url))
  const tryOpen = async (token: string) => {
    const c = await connect(t, fanout.wsUrl, { token })
    c.send({ type: 'subscribe', id: 'n', channels: ['all'] })
    const first = await Promise.race([c.next((m) => m.type === 'subscribed').then(() => 'open' as const), c.closed])
    return { c, first }
  }
  return {
    ingest,
    fanout,
    write: (text) => writeFileSync(file, text),
    inForce: async (rules) => {
      for (let i = 0; i < 200 && (await scrapeMetric(fanout.url, 'newswire_fanout_revocations')) < rules; i++)
        await new Promise((r) => setTimeout(r, 25))
      return scrapeMetric(fanout.url, 'newswire_fanout_revocations')
    },
    open: async (token) => {
      const { c, first } = await tryOpen(token)
      if (first !== 'open') throw new Error(`the reader was refused: ${first.code} ${first.reason}`)
      return c
    },
    tryOpen,
  }
}

/** A newsroom token as a careless issuer writes it: any JSON for `sub` and `jti`, valid 10 minutes from `iat`. */
export function issued(claims: Record<string, unknown>, iat: number): Promise<string> {
  return new SignJWT({ scope: 'newsroom', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience('newswire')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 600)
    .sign(new TextEncoder().encode(DEV_NEWSROOM_SECRET))
}
