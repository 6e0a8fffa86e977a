// What to do after a connection ends: by WebSocket close code, or by HTTP status when an SSE
// request or a WebSocket handshake was refused. See docs/stream-design.md "Close codes".
import type { ClientErrorCode } from './errors.ts'

export const closeCodes = {
  normal: 1000,
  goingAway: 1001,
  abnormal: 1006,
  policy: 1008,
  tooBig: 1009,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  slowConsumer: 4008,
  badMessage: 4400,
  unauthorized: 4401,
  tooMany: 4429,
  /** Sent by the client when it drops a connection that stopped answering pings. */
  clientPingTimeout: 4000,
} as const

export interface RetryDisposition {
  retry: true
  /** Backoff step to use at least (a slow-consumer close never retries at the first step). */
  minStep: number
  /** Delay to wait at least, whatever the backoff says. */
  minDelayMs: number
  reason: string
}
export interface FatalDisposition {
  retry: false
  errorCode: ClientErrorCode
  reason: string
}
export type Disposition = RetryDisposition | FatalDisposition

const retry = (reason: string, minStep = 0, minDelayMs = 0): RetryDisposition => ({ retry: true, minStep, minDelayMs, reason })
const fatal = (errorCode: ClientErrorCode, reason: string): FatalDisposition => ({ retry: false, errorCode, reason })

/** Minimum delay after 4429 / HTTP 429 (too many connections or subscribes from this IP). */
export const tooManyMinDelayMs = 5_000

export function closeDisposition(code: number, reason: string): Disposition {
  const why = (what: string) => (reason ? `${what} (${code}: ${reason})` : `${what} (${code})`)
  switch (code) {
    case closeCodes.unauthorized:
      return fatal('NEWSWIRE_ERR_CLIENT_UNAUTHORIZED', why('unauthorized: token rejected, not retrying with the same token'))
    case closeCodes.policy:
      return fatal('NEWSWIRE_ERR_CLIENT_POLICY', why('refused by server policy (origin not allowed?), not retrying'))
    case closeCodes.badMessage:
      return fatal('NEWSWIRE_ERR_CLIENT_BAD_REQUEST', why('server could not parse a client frame, not retrying'))
    case closeCodes.serviceRestart:
      return retry(why('server restarting'))
    case closeCodes.tryAgainLater:
      return retry(why('server overloaded'), 2)
    case closeCodes.slowConsumer:
      return retry(why('slow consumer'), 2)
    case closeCodes.clientPingTimeout:
      return retry(reason || 'server stopped answering')
    case closeCodes.tooMany:
      return retry(why('too many connections or subscribes'), 4, tooManyMinDelayMs)
    default:
      return retry(why(code === closeCodes.abnormal ? 'connection lost' : 'connection closed'))
  }
}

export function httpDisposition(status: number, reason: string): Disposition {
  const why = (what: string) => `${what} (HTTP ${status}${reason ? `: ${reason}` : ''})`
  if (status === 401)
    return fatal('NEWSWIRE_ERR_CLIENT_UNAUTHORIZED', why('unauthorized: token rejected, not retrying with the same token'))
  if (status === 403) return fatal('NEWSWIRE_ERR_CLIENT_POLICY', why('forbidden by server policy, not retrying'))
  if (status === 400) return fatal('NEWSWIRE_ERR_CLIENT_BAD_REQUEST', why('server rejected the request, not retrying'))
  if (status === 429) return retry(why('too many connections'), 4, tooManyMinDelayMs)
  if (status === 503) return retry(why('server unavailable'), 2)
  return retry(why('request failed'))
}
