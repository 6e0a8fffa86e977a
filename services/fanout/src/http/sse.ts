// /v1/sse: the same stream over Server-Sent Events for clients whose proxies block WebSockets.
// One subscription per request (id `sse`), from query parameters (query.ts); `id:` lines carry positions,
// so a browser's Last-Event-ID resumes exactly; comments keep proxies from timing out.
import { closeCodes } from '@newswire/shared'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '@newswire/shared'
import type { Hub } from '../hub.ts'
import { sseFrame } from '../messages.ts'
import type { Conn, Transport } from '../model.ts'
import { checkAccess, ProtocolError } from '../protocol.ts'
import type { SubscribeMessage } from '../protocol.ts'
import type { Admission } from './access.ts'
import { sendProblem } from './problem.ts'
import { subscriptionFromQuery } from './query.ts'

export interface SseDeps {
  hub: Hub
  log: Logger
  heartbeatMs: number
  /** Registered so shutdown can end the stream. */
  track: (end: (reason: string) => void) => () => void
}

/**
 * Builds the subscription from the query string (a Last-Event-ID header wins over `since`); throws
 * ProtocolError. An empty `since` is no position (a page that writes `?since=${saved ?? ''}`): it
 * was refused 400, which ends a raw EventSource for good (red28a attack run).
 */
export function sseSubscription(url: URL, lastEventId: string | undefined): SubscribeMessage {
  const q = url.searchParams
  const since = lastEventId !== undefined && lastEventId !== '' ? lastEventId : q.get('since')
  return subscriptionFromQuery(q, 'sse', 'sse', since === '' ? null : since)
}

/** Serves one SSE stream; like a WebSocket, a newsroom stream ends with 4401 when its token expires. */
export function handleSse(req: IncomingMessage, res: ServerResponse, url: URL, admission: Admission, deps: SseDeps): void {
  const audience = admission.audience
  let msg: SubscribeMessage
  try {
    msg = sseSubscription(url, req.headers['last-event-id'] as string | undefined)
    checkAccess(msg, audience)
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
    sendProblem(res, err.code, err.message)
    return
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  })
  res.write('retry: 2000\n\n')
  res.socket?.setNoDelay(true)
  let conn: Conn | null = null
  let ended = false
  const end = (code: number, reason: string, retryAfterMs?: number) => {
    if (ended) return
    ended = true
    if (!res.writableEnded) {
      // The reconnect hint: EventSource and the SDK wait `retry:` ms before reconnecting
      const hint = retryAfterMs === undefined ? '' : `retry: ${retryAfterMs}\n\n`
      const body = retryAfterMs === undefined ? { type: 'close', code, reason } : { type: 'close', code, reason, retryAfterMs }
      res.write(hint + sseFrame('close', JSON.stringify(body), null).toString())
      res.end()
    }
    // A client that does not read may never let end() finish
    setTimeout(() => res.destroy(), 2000).unref()
  }
  const transport: Transport = {
    kind: 'sse',
    buffered: () => res.writableLength,
    write: (frames) => {
      if (ended) return 0
      const out = frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames)
      res.write(out)
      return out.length
    },
    frame: sseFrame,
    close: end,
  }
  conn = deps.hub.conns.add(audience, transport, admission.scope, admission.expiresAt, admission.credential ?? null)
  const c = conn
  if (c.closed) return // its token expired before it opened (closed with 4401)
  const heartbeat = setInterval(() => {
    if (!ended) res.write(': heartbeat\n\n')
  }, deps.heartbeatMs)
  heartbeat.unref()
  const untrack = deps.track((reason) => {
    const retryAfterMs = deps.hub.conns.restartRetryAfterMs()
    deps.hub.conns.remove(c)
    end(closeCodes.serviceRestart, reason, retryAfterMs)
  })
  res.on('drain', () => deps.hub.drained(c))
  res.on('close', () => {
    clearInterval(heartbeat)
    untrack()
    deps.hub.conns.remove(c)
  })
  deps.hub.handle(c, msg)
}
