// A reader's address, which the per-address connection limit counts: the socket's peer, or, behind
// proxies named in FANOUT_TRUSTED_PROXIES (an ingress, a load balancer), the address the closest
// untrusted hop says it was asked from (X-Forwarded-For read from the right: proxy-addr). Without
// it, every reader behind an ingress is one address, and the limit refuses them all at once.
import type { IncomingMessage } from 'node:http'
import proxyaddr from 'proxy-addr'

export type AddressOf = (req: IncomingMessage) => string

/** Throws TypeError naming a value proxy-addr cannot read (config.ts reports it). */
export function clientAddress(trusted: readonly string[]): AddressOf {
  if (trusted.length === 0) return (req) => req.socket.remoteAddress ?? 'unknown'
  const trust = proxyaddr.compile([...trusted])
  // a socket already gone has no peer to read: the same 'unknown' as without proxies
  return (req) => (req.socket.remoteAddress === undefined ? 'unknown' : proxyaddr(req, trust))
}
