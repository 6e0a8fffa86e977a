// proxy-addr (express's own) ships no types: the part the fan-out uses to find a reader's address
// behind the proxies it is told to trust (http/client-address.ts).
declare module 'proxy-addr' {
  import type { IncomingMessage } from 'node:http'
  type Trust = (address: string, hop: number) => boolean
  /** The closest untrusted address: the socket's peer, then X-Forwarded-For from the right while each hop is trusted. */
  function proxyaddr(req: IncomingMessage, trust: Trust): string
  namespace proxyaddr {
    /** `loopback`, `linklocal`, `uniquelocal`, addresses and CIDRs; throws TypeError on one it cannot read. */
    function compile(values: string[]): Trust
  }
  export default proxyaddr
}
