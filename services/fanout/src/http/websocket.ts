// /v1/stream: the WebSocket upgrade (origin, token, per-address limit), the transport the hub
// writes through (pre-framed messages, one write per socket per flush; with `?batch=1`, the
// messages of a flush as batches, a message per line: messages.ts wsBatchFrame), client messages
// in, and the protocol-level heartbeat that finds dead peers.
import { closeCodes } from '@newswire/shared'
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from '@newswire/shared'
import { WebSocket, WebSocketServer } from 'ws'
import type { FanoutConfig } from '../config.ts'
import type { Hub } from '../hub.ts'
import { wsBatchFrame, wsTextFrameOf, wsTextFrameParts } from '../messages.ts'
import type { FanoutMetrics } from '../metrics.ts'
import type { Transport } from '../model.ts'
import { parseClientMessage, ProtocolError } from '../protocol.ts'
import type { Access, Admission } from './access.ts'

export interface WebSocketEndpoint {
  /** The server's `upgrade` handler for /v1/stream (the caller checked path and readiness). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Open sockets. */
  readonly size: number
  /** Terminates what is still open. */
  terminateAll(): void
  close(): void
}

export interface WebSocketDeps {
  hub: Hub
  access: Access
  config: FanoutConfig
  metrics: FanoutMetrics
  log: Logger
  closing: () => boolean
}

/** The buffer `make` builds for a list of frames, remembered for the next call with the same frames. */
function memoized(make: (frames: readonly Buffer[]) => Buffer): (frames: readonly Buffer[]) => Buffer {
  let last: readonly Buffer[] = []
  let out: Buffer | null = null
  return (frames) => {
    if (frames.length === 1) return frames[0] as Buffer
    if (out !== null && frames.length === last.length) {
      let i = frames === last ? frames.length : 0
      while (i < frames.length && frames[i] === last[i]) i++
      if (i === frames.length) return out
    }
    last = frames
    out = make(frames)
    return out
  }
}

export function createWebSocketEndpoint(d: WebSocketDeps): WebSocketEndpoint {
  const { hub, access, config, log } = d
  const sockets = new Map<WebSocket, { alive: boolean }>()
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxMessageBytes,
    clientTracking: false,
    perMessageDeflate: config.permessageDeflate ? { threshold: 256, serverNoContextTakeover: true, clientNoContextTakeover: true } : false,
  })

  // The frames of one flush are usually the same buffers, in the same order (often the very same
  // array: a broadcast group's), for every connection: join them once and write that to each
  const joined = memoized((frames) => Buffer.concat(frames))
  // Connections that asked for batches get the same messages as one frame, a message per line
  const batched = memoized(wsBatchFrame)

  const open = (ws: WebSocket, socket: Socket, ip: string, admission: Admission, batch: boolean) => {
    const deflate = ws.extensions.includes('permessage-deflate')
    let killTimer: NodeJS.Timeout | null = null
    const transport: Transport = {
      kind: deflate ? 'wsz' : 'ws',
      // without deflate every frame is written to the socket directly: its queue is the backlog
      buffered: deflate ? () => ws.bufferedAmount : () => socket.writableLength,
      // Pre-framed: one write per socket per flush; with deflate, ws compresses each message
      frame: deflate ? (_type, json) => Buffer.from(json) : (_type, json) => wsTextFrameOf(json),
      frameEvent: deflate ? undefined : wsTextFrameParts,
      write: (frames) => {
        if (ws.readyState !== WebSocket.OPEN) return
        if (!deflate) {
          socket.write(batch ? batched(frames) : joined(frames))
          return
        }
        socket.cork()
        for (const f of frames) ws.send(f, { binary: false })
        process.nextTick(() => socket.uncork())
      },
      close: (code, reason) => {
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason)
        killTimer ??= setTimeout(() => ws.terminate(), 5000)
        killTimer.unref()
      },
    }
    const conn = hub.conns.add(admission.audience, transport, admission.scope, admission.expiresAt)
    sockets.set(ws, { alive: true })
    ws.on('message', (data, isBinary) => {
      if (conn.closed) return
      if (isBinary) {
        hub.conns.kill(conn, closeCodes.badMessage, 'binary frames are not accepted; send JSON text')
        return
      }
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')
      try {
        const msg = parseClientMessage(text)
        if (msg.type === 'subscribe' && hub.conns.overSubscribeRate(conn, Date.now())) {
          // the answers already queued (subscribed, error) go out before the close
          hub.conns.closeAfterFlush(conn, closeCodes.tooMany, 'too many subscribe messages')
          return
        }
        hub.handle(conn, msg)
      } catch (err) {
        if (!(err instanceof ProtocolError)) {
          log.error({ err }, 'handling a client message failed')
          hub.conns.kill(conn, closeCodes.internalError, 'internal error')
        } else if (err.fatal) hub.conns.closeAfterFlush(conn, closeCodes.badMessage, err.message)
        else hub.sendError(conn, err)
      }
    })
    ws.on('pong', () => {
      const s = sockets.get(ws)
      if (s) s.alive = true
    })
    socket.on('drain', () => hub.drained(conn))
    ws.on('error', (err) => log.debug({ err, conn: conn.id }, 'websocket error'))
    ws.on('close', () => {
      sockets.delete(ws)
      access.releaseIp(ip)
      if (killTimer) clearTimeout(killTimer)
      hub.conns.remove(conn)
    })
  }

  // Protocol-level ping: keeps proxies from closing idle connections and finds dead peers
  let pinging = false
  const heartbeat = setInterval(() => {
    if (pinging) return
    pinging = true
    void (async () => {
      let i = 0
      for (const [ws, s] of [...sockets]) {
        if (!s.alive) ws.terminate()
        else {
          s.alive = false
          ws.ping()
        }
        if (++i % 1000 === 0) await new Promise((r) => setImmediate(r))
      }
    })().finally(() => {
      pinging = false
    })
  }, config.pingIntervalMs)
  heartbeat.unref()

  return {
    upgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://fanout')
      const ip = req.socket.remoteAddress ?? 'unknown'
      access.admit(req, url).then(
        (admission) => {
          if (socket.destroyed) return
          let reject = admission.reject
          const counted = reject === null && access.countIp(ip)
          if (reject === null && !counted)
            reject = { code: closeCodes.tooMany, reason: 'too many connections from this address', metric: 'per_ip' }
          wss.handleUpgrade(req, socket, head, (ws) => {
            if (reject) {
              d.metrics.connectionsRejected.inc({ reason: reject.metric })
              ws.close(reject.code, reject.reason)
              setTimeout(() => ws.terminate(), 2000).unref()
              return
            }
            if (d.closing()) {
              access.releaseIp(ip)
              ws.close(closeCodes.serviceRestart, 'service restart')
              return
            }
            // The upgrade's own socket: what the hub measures and writes to
            open(ws, socket as Socket, ip, admission, url.searchParams.get('batch') === '1')
          })
        },
        (err: unknown) => {
          log.error({ err }, 'upgrade failed')
          socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
        },
      )
    },
    get size() {
      return sockets.size
    },
    terminateAll() {
      for (const ws of sockets.keys()) ws.terminate()
    },
    close() {
      clearInterval(heartbeat)
      wss.close()
    },
  }
}
