// The fan-out's admission of one newsroom token under a revocation list, in process (the revocation
// spelling tests: red24d's quoted names, red24e's names copied from a decoded token).
import type { IncomingMessage } from 'node:http'
import { createAccess } from '../../src/http/access.ts'
import type { Revocations } from '../../src/revocations.ts'

const url = new URL('http://fanout/v1/snapshot?channels=all')
const req = (token: string) =>
  ({ headers: { authorization: `Bearer ${token}` }, rawHeaders: ['Authorization', `Bearer ${token}`] }) as unknown as IncomingMessage

/** What the fan-out does with `token` (signed with `secret`) under `list`: admitted as the newsroom, or refused and why. */
export async function admitUnder(secret: string, list: Revocations, token: string): Promise<string> {
  const access = createAccess(
    { allowedOrigins: ['*'], jwtSecret: secret, jwtAudience: 'newswire', maxConnectionsPerIp: 10 },
    undefined,
    () => list,
  )
  const a = await access.admit(req(token), url)
  return a.reject === null ? a.audience : a.reject.reason
}
