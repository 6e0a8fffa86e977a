// /v1/stream: the WebSocket upgrade (origin, token, per-address limit; a token offered as a
// `newswire.bearer.<token>` subprotocol, answered with `newswire` alone), the transport the hub
// writes through (pre-framed messages, one write per socket per flush; with `?batch=1`, the
// messages of a flush as batches, a message per line; with `?batch=1&deflate=1`, a group's batches
// compressed: ws-framing.ts), client messages in, and the protocol-level heartbeat that finds dead
// peers.
import { closeCodes } from '@newswire/shared'
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from '@newswire/shared'
import type { RawData } from 'ws'
import { WebSocket, WebSocketServer } from 'ws'
import type { FanoutConfig } from '../config.ts'
import type { Hub } from '../hub.ts'
import { wsTextFrameOf, wsTextFrameParts } from '../messages.ts'
import type { FanoutMetrics } from '../metrics.ts'
import type { ServerMessageType } from '../messages.ts'
import type { Conn, Transport } from '../model.ts'
import { parseClientMessage, parseId, ProtocolError } from '../protocol.ts'
import type { ClientMessage } from '../protocol.ts'
import type { Access, Admission } from './access.ts'
import { selectProtocol } from './access.ts'
import { namesSubscription, subscriptionFromQuery } from './query.ts'
import { UpgradeQueue } from './upgrade-queue.ts'
import { createFramings } from './ws-framing.ts'
import type { WsFraming } from './ws-framing.ts'

export interface WebSocketEndpoint {
  /** The server's `upgrade` handler for /v1/stream (the caller parsed the URL, checked path and readiness). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void
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
  /**
   * This process has not known the event log read to its end for a while (readiness.ts): a
   * subscription answered now would show the state of when it last did (red21).
   */
  logBehind?: () => boolean
}

/** The hint a subscribe on a process behind the log gets: come back, here or elsewhere. */
const BEHIND_LOG_RETRY_MS = 2000

/**
 * One WebSocket connection as the hub sees it. A class, so its methods are shared: 10,000
 * connections each holding their own closures (and a context for them) made the fan-out's heap
 * per connection twice the raw baseline's, and the mark-compact pauses while thousands connect grow
 * with that heap. Without deflate every frame is written to the socket directly (pre-framed, one
 * write per flush): its queue is the backlog; with deflate, ws compresses each message.
 */
class WsTransport implements Transport {
  readonly kind: 'ws' | 'wsz'
  readonly frameEvent: ((head: string, tail: Buffer) => Buffer) | undefined
  readonly ws: WebSocket
  readonly socket: Socket
  /** Joins (or batches, or compresses) a flush's frames into one buffer; shared by every connection of the endpoint. */
  readonly #framing: WsFraming
  readonly ip: string
  /** The hub's connection, once added. */
  conn: Conn | null = null
  /** Answered the last ping (the heartbeat terminates a peer that did not). */
  alive = true
  #killTimer: NodeJS.Timeout | null = null

  /** `deflate`: ws compresses each message for this connection (FANOUT_PERMESSAGE_DEFLATE). */
  constructor(ws: WebSocket, socket: Socket, ip: string, framing: WsFraming, deflate: boolean) {
    this.ws = ws
    this.socket = socket
    this.ip = ip
    this.#framing = framing
    this.kind = deflate ? 'wsz' : 'ws'
    this.frameEvent = deflate ? undefined : wsTextFrameParts
  }

  buffered(): number {
    return this.kind === 'wsz' ? this.ws.bufferedAmount : this.socket.writableLength
  }

  frame(_type: ServerMessageType, json: string): Buffer {
    return this.kind === 'wsz' ? Buffer.from(json) : wsTextFrameOf(json)
  }

  write(frames: Buffer[], group = false): number {
    const ws = this.ws
    if (ws.readyState !== WebSocket.OPEN) return 0
    if (this.kind === 'ws') {
      const out = group ? this.#framing.group(frames) : this.#framing.own(frames)
      this.socket.write(out)
      return out.length
    }
    const socket = this.socket
    socket.cork()
    // ws compresses each message later, off the books: what it was given is all that is known here
    let bytes = 0
    for (const f of frames) {
      ws.send(f, { binary: false })
      bytes += f.length
    }
    process.nextTick(() => socket.uncork())
    return bytes
  }

  close(code: number, reason: string): void {
    const ws = this.ws
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason)
    this.#killTimer ??= setTimeout(() => ws.terminate(), 5000)
    this.#killTimer.unref()
  }

  /** The socket is gone: the close timer has nothing left to do. */
  closed(): void {
    if (this.#killTimer) clearTimeout(this.#killTimer)
  }
}

/** ws' WebSocket carrying its transport, so one set of listeners serves every connection (through `this`). */
class StreamSocket extends WebSocket {
  transport: WsTransport | null = null
}

const transportOf = (ws: WebSocket): WsTransport | null => (ws instanceof StreamSocket ? ws.transport : null)

/** An admitted upgrade waiting for its handshake. */
interface PendingUpgrade {
  req: IncomingMessage
  socket: Duplex
  head: Buffer
  url: URL
  admission: Admission
}

/** permessage-deflate as the fan-out offers it: no context takeover either way (no zlib state kept per connection). */
const deflateOptions = { threshold: 256, serverNoContextTakeover: true, clientNoContextTakeover: true }

/**
 * Whether the client's offer limits the server's LZ77 window (RFC 7692 server_max_window_bits
 * under 15): ws then accepts that limit, and frames compressed once with the full window would be
 * unreadable to this client. Any such parameter in any offer counts (ws takes the first it can).
 */
export function limitsServerWindow(req: IncomingMessage): boolean {
  const header = req.headers['sec-websocket-extensions']
  if (typeof header !== 'string') return false
  for (const m of header.matchAll(/server_max_window_bits\s*=\s*"?(\d+)/gi)) if (Number(m[1]) < 15) return true
  return false
}

/** Handshakes answered per turn of the event loop, in ms of work (the rest wait for the next turn). */
const UPGRADE_BUDGET_MS = 5

export function createWebSocketEndpoint(d: WebSocketDeps): WebSocketEndpoint {
  const { hub, access, config, log } = d
  const sockets = new Set<WsTransport>()
  /** Whether the upgrade being answered names its subscription (ws asks handleProtocols within handleUpgrade, synchronously). */
  let answeringUrlSubscription = false
  const handleProtocols = (offered: Set<string>) => selectProtocol(offered, answeringUrlSubscription)
  const wss = new WebSocketServer({
    noServer: true,
    WebSocket: StreamSocket,
    maxPayload: config.maxMessageBytes,
    clientTracking: false,
    perMessageDeflate: config.permessageDeflate ? deflateOptions : false,
    handleProtocols,
  })
  // Compressed batches (ws-framing.ts): upgrades asking `?batch=1&deflate=1` go through a server
  // that negotiates the extension (if offered), and get their group's batches compressed once
  const wssDeflate = config.batchDeflate
    ? new WebSocketServer({
        noServer: true,
        WebSocket: StreamSocket,
        maxPayload: config.maxMessageBytes,
        clientTracking: false,
        perMessageDeflate: deflateOptions,
        handleProtocols,
      })
    : null

  const framings = createFramings(config.batchDeflateLevel)

  // The listeners of every connection: shared, each finds its connection through `this`
  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const conn = transportOf(this)?.conn
    if (!conn || conn.closed) return
    if (isBinary) {
      hub.conns.kill(conn, closeCodes.badMessage, 'binary frames are not accepted; send JSON text')
      return
    }
    // ws hands over a Buffer (binaryType 'nodebuffer'); decode it in place, without a copy
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data).toString('utf8')
    let msg: ClientMessage
    try {
      msg = parseClientMessage(text)
    } catch (err) {
      failed(conn, err)
      return
    }
    dispatch(conn, msg)
  }
  /** A client's message, parsed: from a frame, or the subscription its URL names. */
  function dispatch(conn: Conn, msg: ClientMessage): void {
    try {
      if (msg.type === 'subscribe' && hub.conns.overSubscribeRate(conn, Date.now())) {
        // the answers already queued (subscribed, error) go out before the close
        hub.conns.closeAfterFlush(conn, closeCodes.tooMany, 'too many subscribe messages')
        return
      }
      // a connection opened before this process lost the log (a change of view, the SDK's
      // update()): answered here, a story killed since would be in its snapshot; elsewhere it is not
      if (msg.type === 'subscribe' && d.logBehind?.() === true) {
        hub.conns.closeWithRetryHint(conn, closeCodes.tryAgainLater, 'not ready: the event log is not read', BEHIND_LOG_RETRY_MS)
        return
      }
      hub.handle(conn, msg)
    } catch (err) {
      failed(conn, err)
    }
  }
  function failed(conn: Conn, err: unknown): void {
    if (!(err instanceof ProtocolError)) {
      log.error({ err }, 'handling a client message failed')
      hub.conns.kill(conn, closeCodes.internalError, 'internal error')
    } else if (err.fatal) hub.conns.closeAfterFlush(conn, closeCodes.badMessage, err.message)
    else hub.sendError(conn, err)
  }
  /**
   * The subscription a /v1/stream URL names, made as the connection opens, exactly as if it were
   * the client's first message: a reader saves a round trip, and its `subscribed` leaves in the
   * same write as the handshake's answer.
   */
  function subscribeFromUrl(conn: Conn, q: URLSearchParams): void {
    let msg: ClientMessage
    try {
      // no `id`: one is made, as for a message without one
      const id = parseId(q.get('id') ?? undefined, false)
      msg = subscriptionFromQuery(q, id, id, q.get('since'))
    } catch (err) {
      failed(conn, err)
      return
    }
    dispatch(conn, msg)
  }
  function onPong(this: WebSocket): void {
    const t = transportOf(this)
    if (t) t.alive = true
  }
  function onError(this: WebSocket, err: Error): void {
    log.debug({ err, conn: transportOf(this)?.conn?.id }, 'websocket error')
  }
  function onClose(this: WebSocket): void {
    const t = transportOf(this)
    if (!t) return
    sockets.delete(t)
    access.releaseIp(t.ip)
    t.closed()
    if (t.conn) hub.conns.remove(t.conn)
  }
  const onDrain = (t: WsTransport) => () => {
    if (t.conn) hub.drained(t.conn)
  }

  /** `shared`: upgraded by the compressed batches' server; `fullWindow`: its compressed frames are for this client. */
  const open = (
    ws: StreamSocket,
    socket: Socket,
    ip: string,
    admission: Admission,
    batch: boolean,
    shared: boolean,
    fullWindow: boolean,
    /** The subscription the URL names (its query), if any. */
    urlSubscription: URLSearchParams | null,
  ) => {
    const negotiated = ws.extensions.includes('permessage-deflate')
    // a client that limited the server's window gets its batches uncompressed (RSV1 clear is allowed)
    const framing = shared && negotiated && fullWindow ? framings.deflate : batch ? framings.batch : framings.plain
    const transport = new WsTransport(ws, socket, ip, framing, negotiated && !shared)
    transport.conn = hub.conns.add(admission.audience, transport, admission.scope, admission.expiresAt, admission.credential ?? null)
    ws.transport = transport
    sockets.add(transport)
    ws.on('message', onMessage)
    ws.on('pong', onPong)
    socket.on('drain', onDrain(transport))
    ws.on('error', onError)
    ws.on('close', onClose)
    if (urlSubscription !== null) subscribeFromUrl(transport.conn, urlSubscription)
  }

  // Protocol-level ping: keeps proxies from closing idle connections and finds dead peers
  let pinging = false
  const heartbeat = setInterval(() => {
    if (pinging) return
    pinging = true
    void (async () => {
      let i = 0
      for (const t of [...sockets]) {
        if (!t.alive) t.ws.terminate()
        else {
          t.alive = false
          t.ws.ping()
        }
        if (++i % 1000 === 0) await new Promise((r) => setImmediate(r))
      }
    })().finally(() => {
      pinging = false
    })
  }, config.pingIntervalMs)
  heartbeat.unref()

  /** Completes one admitted upgrade: the per-address limit, the handshake, the connection. */
  const answer = ({ req, socket, head, url, admission }: PendingUpgrade) => {
    if (socket.destroyed) return
    const ip = access.addressOf(req)
    const batch = url.searchParams.get('batch') === '1'
    const server = batch && url.searchParams.get('deflate') === '1' ? (wssDeflate ?? wss) : wss
    const shared = server === wssDeflate
    // the handshake's answer and a URL subscription's `subscribed` leave in one write
    const urlSubscription = url.search !== '' && namesSubscription(url.searchParams) ? url.searchParams : null
    if (urlSubscription !== null) socket.cork()
    answeringUrlSubscription = urlSubscription !== null
    server.handleUpgrade(req, socket, head, (ws) => {
      // The address is counted once the handshake is made, and released when the socket it opened
      // closes: an upgrade ws refuses itself (a version it does not speak, a POST) or whose client
      // left before the answer opens none, and counted before, it stayed counted for good (red23c)
      let reject = admission.reject
      if (reject === null && !access.countIp(ip))
        reject = { code: closeCodes.tooMany, reason: 'too many connections from this address', metric: 'per_ip' }
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
      open(ws as StreamSocket, socket as Socket, ip, admission, batch, shared, shared && !limitsServerWindow(req), urlSubscription)
    })
    if (urlSubscription !== null) socket.uncork()
  }
  // A burst of handshakes is answered a time budget at a time, so it cannot hold the event loop
  const upgrades = new UpgradeQueue<PendingUpgrade>({
    run: answer,
    budgetMs: UPGRADE_BUDGET_MS,
    failed: ({ socket }, err) => {
      log.error({ err }, 'upgrade failed')
      socket.destroy()
    },
  })

  return {
    upgrade(req, socket, head, url) {
      // a reader without a token is admitted at once; a token is checked asynchronously
      const admission = access.admit(req, url)
      if (!(admission instanceof Promise)) {
        upgrades.push({ req, socket, head, url, admission })
        return
      }
      admission.then(
        (a) => {
          if (!socket.destroyed) upgrades.push({ req, socket, head, url, admission: a })
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
      for (const t of sockets) t.ws.terminate()
    },
    close() {
      clearInterval(heartbeat)
      wss.close()
      wssDeflate?.close()
    },
  }
}
