// The client: a connection state machine (connect → connected → reconnecting → … → failed or
// disconnected) over a WebSocket or SSE transport. State changes only through #setState, which
// emits 'state'.
import { closeCodes, closeDisposition, type Disposition, httpDisposition } from './close-codes.ts'
import { Delivery } from './delivery.ts'
import { Emitter, type Listener } from './emitter.ts'
import { ClientError } from './errors.ts'
import { MessageQueue } from './iterator.ts'
import { Liveness } from './liveness.ts'
import { joined } from './narrower.ts'
import { checkChannels, copyFilter, type ResolvedOptions, resolveOptions } from './options.ts'
import { type Endpoints, endpoints, streamProtocols, streamUrl, urlSubscriptionProtocol } from './protocol.ts'
import { requestHooks } from './request-hooks.ts'
import { decideRetry } from './retry-policy.ts'
import { openSseEventSource, openSseFetch } from './sse-transport.ts'
import type { CloseInfo, Transport, TransportHandlers } from './transport.ts'
import type {
  ClientEventMap,
  ClientState,
  ClientStats,
  ConnectOptions,
  Position,
  StateChange,
  StreamFilter,
  StreamMessage,
  TransportKind,
} from './types.ts'
import { openWebSocket } from './ws-transport.ts'

/** A close reason carrying the server's reconnect hint, e.g. `too many resumes; retry after 1800 ms`. */
const retryAfterInReason = /retry after (\d{1,9}) ms/

type StateExtra = Omit<StateChange, 'state' | 'previous' | 'transport'> & { transport?: TransportKind | null }

/**
 * Opens a stream and keeps it open: reconnects with jittered backoff, resumes from the last
 * position, drops duplicates, falls back from WebSocket to SSE.
 *
 * @example
 * import { connect } from '@newswire/client'
 * const client = connect('wss://news.example', { channels: ['breaking'] })
 * client.on('event', ({ event }) => render(event.article))
 * client.on('state', ({ state, reason }) => console.log(state, reason ?? ''))
 */
export function connect(url: string | URL, options: ConnectOptions): Client {
  return new Client(url, options)
}

/** The network came back: reconnect within this much, at random. */
const ONLINE_SPREAD_MS = 500
export class Client implements AsyncIterable<StreamMessage> {
  #o: ResolvedOptions
  #endpoints: Endpoints
  #emitter: Emitter<ClientEventMap>
  #delivery: Delivery
  #liveness: Liveness
  #state: ClientState = 'connecting'
  #channels: string[]
  #filter: StreamFilter | undefined
  /** Transport to use for the next open. */
  #kind: TransportKind
  #transport: Transport | null = null
  #transportOpen = false
  /** Bumped on every detach so late callbacks of an old transport are ignored. */
  #gen = 0
  /** Consecutive failures to open, on #kind (drives the SSE fallback). */
  #openFailures = 0
  /** Consecutive reconnects since the last healthy connection (drives backoff and maxRetries). */
  #attempt = 0
  /** A connection is healthy once the server has sent something on it. */
  #healthy = false
  #downSince: number | null
  #retryHintMs = 0
  /** The server's hint for the next reconnect (`reconnect` message or close reason); used once. */
  #serverRetryAfterMs = 0
  #subscriptionId: string | null = null
  #seq = 0
  #connectTimer: unknown = null
  /** SSE responses in a row held back (a proxy): a head without a byte after it, or silent before its first frame. */
  #heldBack = 0
  /** When the connection being opened must be open by (a replaced SSE stream's deadline carries over). */
  #connectDeadline = 0
  #reconnectTimer: unknown = null
  #failure: ClientError | null = null
  #closing: Promise<void> | null = null
  #stats = { attempts: 0, reconnects: 0 }
  /** The pending reconnect waits on our backoff alone: `online` may cut it short. */
  #backoffOnly = false
  /** The SSE `retry:` hint the pending reconnect honours ends then: `online` waits for it too. */
  #hintUntil = 0
  #offOnline: (() => void) | null = null

  constructor(url: string | URL, options: ConnectOptions) {
    this.#o = resolveOptions(options)
    this.#endpoints = endpoints(url)
    this.#channels = this.#o.channels
    this.#filter = this.#o.filter
    this.#emitter = new Emitter<ClientEventMap>((err, type) => this.#listenerError(err, type))
    this.#delivery = new Delivery(this.#o.since, this.#o.dedupeCapacity, this.#emitter)
    this.#liveness = new Liveness(this.#o.clock, this.#o.pingIntervalMs, this.#o.pongTimeoutMs, {
      ping: () => this.#transport?.send({ type: 'ping', id: `p${++this.#seq}` }),
      dead: (reason) => {
        // silent before its first frame: held back too (a proxy that passed only the first bytes)
        if (this.#transport?.kind === 'sse' && !this.#healthy && this.#holdBack(`${reason}, no frame`)) return
        this.#onDead(reason)
      },
    })
    const o = this.#o
    this.#kind = o.transport === 'sse' || (o.transport === 'auto' && !o.WebSocket) ? 'sse' : 'websocket'
    this.#downSince = o.clock.now()
    // older() and counts() (requests.ts) are functions, not methods: a bundle that never pages
    // (the ticker) leaves them out. This is what they need of the client.
    requestHooks.set(this, () => [this.#o, this.#endpoints, this.#channels, this.#filter, this.#delivery])
    this.#watchNetwork()
    this.#open()
  }

  /** Current connection state. */
  get state(): ClientState {
    return this.#state
  }

  /** Position after the last message seen (or `since`); persist it to resume later. */
  get position(): Position | null {
    return this.#delivery.position
  }

  /** Transport of the current (or pending) connection. */
  get transport(): TransportKind | null {
    return this.#transport?.kind ?? null
  }

  get channels(): readonly string[] {
    return [...this.#channels]
  }

  get stats(): Readonly<ClientStats> {
    return { ...this.#stats, delivered: this.#delivery.delivered, duplicates: this.#delivery.duplicates }
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof ClientEventMap>(type: K, listener: Listener<ClientEventMap[K]>): () => void {
    return this.#emitter.on(type, listener)
  }

  /**
   * Changes the subscription. An open WebSocket: unsubscribe + subscribe on it; SSE, or a
   * WebSocket still opening: reopens the stream. Either way the new view starts from its snapshot, delivered as a `reset`
   * (replace what you show). `filter` omitted keeps the current one; pass `{}` to clear it.
   */
  update(channels: string[], filter?: StreamFilter): void {
    this.#channels = checkChannels(channels)
    if (filter !== undefined) this.#filter = copyFilter(filter)
    this.#delivery.startOver = true
    const transport = this.#transport
    // no transport: the next open (after the backoff) asks for the new view
    if (this.#state === 'disconnected' || this.#state === 'failed' || !transport) return
    if (transport.kind === 'websocket' && this.#transportOpen) {
      if (this.#subscriptionId !== null) transport.send({ type: 'unsubscribe', id: this.#subscriptionId })
      this.#subscribe()
      return
    }
    // a stream still opening (or SSE) asked for the old view in its URL: reopen it (late frames are ignored)
    const wasOpen = this.#transportOpen
    this.#detach()
    void transport.close(1000, 'subscription updated')
    if (wasOpen) this.#setState('reconnecting', { reason: 'subscription updated', delayMs: 0, transport: 'sse' })
    // a stream replaced while opening keeps its deadline: updates faster than the connect timeout
    // must not keep a server that never answers from being noticed (rev32 review)
    this.#open(wasOpen ? undefined : this.#connectDeadline)
  }

  /** Closes the connection for good. Idempotent; resolves once the connection is gone. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing
    if (this.#state === 'failed') {
      this.#closing = Promise.resolve()
      return this.#closing
    }
    const transport = this.#transport
    this.#detach()
    this.#offOnline?.()
    this.#setState('disconnected', { reason: 'closed by client', transport: transport?.kind ?? null })
    this.#closing = transport ? this.#closeWithin(transport, 2_000) : Promise.resolve()
    return this.#closing
  }

  /** Yields every event, withdrawn, reset, gap, entry and entryWithdrawn message from now on; ends on close, throws on failure. */
  [Symbol.asyncIterator](): AsyncIterableIterator<StreamMessage> {
    const offs: (() => void)[] = []
    const queue = new MessageQueue<StreamMessage>(() => {
      for (const off of offs.splice(0)) off()
    })
    if (this.#state === 'disconnected') queue.end()
    else if (this.#state === 'failed') queue.end(this.#failure ?? undefined)
    else {
      const push = (m: StreamMessage) => queue.push(m)
      offs.push(
        this.on('event', push),
        this.on('withdrawn', push),
        this.on('reset', push),
        this.on('gap', push),
        this.on('entry', push),
        this.on('entryWithdrawn', push),
        this.on('state', (s) => {
          if (s.state === 'disconnected') queue.end()
          else if (s.state === 'failed') queue.end(s.error)
        }),
      )
    }
    return queue
  }

  // ---- connection lifecycle ----

  #open(deadline?: number): void {
    const gen = ++this.#gen
    const o = this.#o
    this.#transportOpen = false
    this.#stats.attempts++
    const current = () => gen === this.#gen
    const handlers: TransportHandlers = {
      open: (protocol) => {
        if (current()) this.#onOpen(gen, protocol)
      },
      frame: (frame) => {
        if (!current()) return
        this.#liveness.touch()
        this.#heldBack = 0
        if (!this.#healthy) {
          this.#healthy = true
          this.#attempt = 0
          this.#downSince = null
        }
        if (frame.type === 'reconnect') this.#serverRetryAfterMs = frame.retryAfterMs
        this.#delivery.handle(frame, this.#subscriptionId, current)
      },
      activity: () => {
        if (!current()) return
        this.#liveness.touch()
        // the fetch reader's SSE stream is open once a byte comes after its head (the server writes one with it)
        this.#clearConnectTimer()
      },
      retryHint: (ms) => {
        if (current()) this.#retryHintMs = ms
      },
      protocolError: (err) => {
        if (current()) this.#emitter.emit('error', err)
      },
      closed: (info) => {
        if (current()) this.#onClosed(info)
      },
    }
    const since = this.#delivery.startOver ? null : this.position
    const sub = { channels: this.#channels, filter: this.#filter, since, catchUp: o.catchUp, entries: o.entries }
    if (this.#kind === 'websocket' && o.WebSocket) {
      // the subscription in the URL, answered with the handshake (#onOpen); a token no protocol carries too
      const protocols = streamProtocols(o.token)
      this.#subscriptionId = `s${++this.#seq}`
      // a list item holding a comma is two names in a URL, one in a message (refused: red12): sent as one
      const named = joined(sub) ? { channels: [], filter: undefined, since: null } : { ...sub, id: this.#subscriptionId }
      const url = streamUrl(this.#endpoints.websocket, { ...named, token: protocols[2] ? undefined : o.token })
      this.#transport = openWebSocket(url, o.WebSocket, handlers, undefined, protocols)
    } else {
      const url = streamUrl(this.#endpoints.sse, { ...sub, token: o.fetch ? undefined : o.token }) // fetch: Authorization
      this.#transport = o.fetch ? openSseFetch(url, o.fetch, handlers, o.token) : openSseEventSource(url, o.EventSource as never, handlers)
    }
    if (o.connectTimeoutMs > 0 && current()) {
      this.#connectDeadline = deadline ?? o.clock.now() + o.connectTimeoutMs
      this.#connectTimer = o.clock.setTimeout(
        () => {
          this.#connectTimer = null
          if (!current()) return
          const transport = this.#transport
          // An SSE head and not a byte after it: a proxy passes the stream in blocks, and would
          // hold a kill as long as the reader stays, resume after resume; at the second in a row
          // the client fails, so a page shows nothing it cannot take down (red20 attack run)
          const open = this.#transportOpen
          const reason = `${open ? 'no byte after the head' : 'not connected'} within ${o.connectTimeoutMs} ms`
          if (open && this.#holdBack(reason)) return
          this.#onClosed({ code: closeCodes.abnormal, reason, opened: false })
          void transport?.close(closeCodes.clientPingTimeout, 'connect timeout')
        },
        Math.max(0, this.#connectDeadline - o.clock.now()),
      )
    }
  }

  #onOpen(gen: number, protocol?: string): void {
    const kind = this.#transport?.kind ?? this.#kind
    // The fetch reader's SSE stream is open at its first byte (see activity); EventSource hides the
    // `retry:` line the server writes with its head
    if (kind === 'websocket' || !this.#o.fetch) this.#clearConnectTimer()
    this.#transportOpen = true
    this.#openFailures = 0
    // an older server took no URL subscription: sent as a message with its id, unless a 'connected' listener closed or updated
    const urlId = this.#subscriptionId ?? undefined
    if (kind === 'websocket' && protocol !== urlSubscriptionProtocol) this.#subscriptionId = null
    this.#setState('connected', { transport: kind })
    if (gen !== this.#gen) return
    if (kind === 'websocket' && this.#subscriptionId === null) this.#subscribe(urlId)
    this.#liveness.start(kind === 'websocket' ? 'ping' : 'idle')
  }

  #subscribe(id = `s${++this.#seq}`): void {
    this.#subscriptionId = id
    const since = this.#delivery.startOver ? null : this.position
    this.#transport?.send({
      type: 'subscribe',
      id,
      channels: [...this.#channels],
      ...(this.#filter === undefined ? {} : { filter: { ...this.#filter } }),
      ...(since === null ? {} : { since }),
      ...(this.#o.catchUp === 'latest' ? { catchUp: 'latest' as const } : {}),
      // undefined (the server's default) leaves it out of the JSON
      entries: this.#o.entries,
    })
  }

  /**
   * `online` (browsers): reconnect within ONLINE_SPREAD_MS unless the server asked to wait (the
   * spread: a city's phones whose network came back together do not all arrive in one instant);
   * connected, ping now (red8).
   */
  #watchNetwork(): void {
    const host = globalThis as {
      addEventListener?: (type: string, fn: () => void) => void
      removeEventListener?: (type: string, fn: () => void) => void
    }
    if (typeof host.addEventListener !== 'function' || typeof host.removeEventListener !== 'function') return
    const onOnline = () => {
      // connected: a WebSocket pings now; an SSE stream cannot ping, and the network change may
      // have left it dead with no word for 35 s: it resumes now (rev35)
      if (this.#state === 'connected' && this.#transport?.kind === 'sse') this.#onDead('the network changed')
      else if (this.#state === 'connected') this.#liveness.probe()
      if (this.#state !== 'reconnecting' || this.#reconnectTimer === null || !this.#backoffOnly) return
      this.#o.clock.clearTimeout(this.#reconnectTimer)
      const hint = Math.max(0, this.#hintUntil - this.#o.clock.now())
      this.#reconnectTimer = this.#o.clock.setTimeout(
        () => {
          this.#reconnectTimer = null
          this.#open()
        },
        Math.max(hint, Math.floor(this.#o.random() * ONLINE_SPREAD_MS)),
      )
    }
    // a tab back in front (a laptop woken, a tab from the background) ran its timers late or not at
    // all: a connection that died meanwhile is found now, not up to 36 s later (going to the
    // background too: a ping costs less than the bytes to tell the two apart)
    const onVisible = () => {
      if (this.#state === 'connected') this.#liveness.probe()
    }
    host.addEventListener('online', onOnline)
    host.addEventListener('visibilitychange', onVisible)
    this.#offOnline = () => {
      host.removeEventListener?.('online', onOnline)
      host.removeEventListener?.('visibilitychange', onVisible)
    }
  }

  /** One more SSE response in a row held back by something on the way; the second fails the client (red20). */
  #holdBack(reason: string): boolean {
    if (++this.#heldBack < 2) return false
    const transport = this.#transport
    this.#fail(new ClientError('NEWSWIRE_ERR_CLIENT_HELD_BACK', `SSE held back by a proxy? ${reason}`), {})
    void transport?.close(closeCodes.clientPingTimeout, 'held back')
    return true
  }

  #onDead(reason: string): void {
    const transport = this.#transport
    this.#onClosed({ code: closeCodes.clientPingTimeout, reason, opened: true })
    void transport?.close(closeCodes.clientPingTimeout, 'ping timeout')
  }

  #onClosed(info: CloseInfo): void {
    const closedKind = this.#transport?.kind ?? this.#kind
    this.#detach()
    if (!info.opened) this.#noteOpenFailure()
    const disposition: Disposition =
      info.status === undefined ? closeDisposition(info.code, info.reason) : httpDisposition(info.status, info.reason)
    const detail = { code: info.code, ...(info.status === undefined ? {} : { status: info.status }) }
    if (!disposition.retry) {
      const details = { closeCode: info.code, ...(info.status === undefined ? {} : { status: info.status }) }
      this.#fail(new ClientError(disposition.errorCode, disposition.reason, { details }), detail)
      return
    }
    if (this.#healthy) {
      this.#healthy = false
      this.#downSince = this.#o.clock.now()
    }
    const o = this.#o
    const hinted = retryAfterInReason.exec(info.reason)
    const serverRetryAfterMs = Math.max(this.#serverRetryAfterMs, hinted ? Number(hinted[1]) : 0)
    this.#serverRetryAfterMs = 0
    const retryHintMs = closedKind === 'sse' ? this.#retryHintMs : 0
    this.#hintUntil = o.clock.now() + Math.min(retryHintMs, o.backoff.maxMs)
    const decision = decideRetry(o, {
      attempt: this.#attempt,
      downForMs: o.clock.now() - (this.#downSince ?? o.clock.now()),
      disposition,
      retryHintMs,
      serverRetryAfterMs,
    })
    if (decision.giveUp) {
      this.#fail(new ClientError('NEWSWIRE_ERR_CLIENT_GAVE_UP', decision.reason, { details: detail }), detail)
      return
    }
    const { delayMs } = decision
    const lost = info.code === closeCodes.abnormal || info.code === closeCodes.clientPingTimeout
    this.#backoffOnly = lost && serverRetryAfterMs === 0 && disposition.minDelayMs === 0 && disposition.minStep === 0
    this.#attempt++
    this.#stats.reconnects++
    this.#setState('reconnecting', { ...detail, reason: disposition.reason, delayMs, attempt: this.#attempt, transport: this.#kind })
    if (this.#state !== 'reconnecting') return
    this.#reconnectTimer = o.clock.setTimeout(() => {
      this.#reconnectTimer = null
      this.#open()
    }, delayMs)
  }

  /** auto transport: after `fallbackAfter` failed opens in a row, try the other transport. */
  #noteOpenFailure(): void {
    const o = this.#o
    this.#openFailures++
    const both = o.WebSocket !== undefined && (o.fetch !== undefined || o.EventSource !== undefined)
    if (o.transport === 'auto' && both && this.#openFailures >= o.fallbackAfter) {
      this.#kind = this.#kind === 'websocket' ? 'sse' : 'websocket'
      this.#openFailures = 0
    }
  }

  #fail(error: ClientError, detail: { code?: number; status?: number }): void {
    this.#detach()
    this.#offOnline?.()
    this.#failure = error
    this.#setState('failed', { ...detail, reason: error.message, error })
    this.#emitter.emit('error', error)
  }

  /** Stops timers and forgets the transport (without closing it). */
  #detach(): void {
    this.#gen++
    this.#clearConnectTimer()
    if (this.#reconnectTimer !== null) this.#o.clock.clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = null
    this.#liveness.stop()
    this.#transport = null
    this.#transportOpen = false
    this.#subscriptionId = null
  }

  #clearConnectTimer(): void {
    if (this.#connectTimer !== null) this.#o.clock.clearTimeout(this.#connectTimer)
    this.#connectTimer = null
  }

  #closeWithin(transport: Transport, ms: number): Promise<void> {
    const clock = this.#o.clock
    return new Promise<void>((resolve) => {
      const timer = clock.setTimeout(resolve, ms)
      void transport.close(1000, 'client closed').then(() => {
        clock.clearTimeout(timer)
        resolve()
      })
    })
  }

  #setState(state: ClientState, extra: StateExtra = {}): void {
    const previous = this.#state
    this.#state = state
    const { transport, ...rest } = extra
    this.#emitter.emit('state', {
      state,
      previous,
      transport: transport === undefined ? (this.#transport?.kind ?? null) : transport,
      ...rest,
    })
  }

  #listenerError(err: unknown, type: keyof ClientEventMap): void {
    if (type === 'error') {
      // An 'error' listener that throws has nowhere safer to go: surface it like an uncaught error
      queueMicrotask(() => {
        throw err
      })
      return
    }
    this.#emitter.emit(
      'error',
      new ClientError(
        'NEWSWIRE_ERR_CLIENT_LISTENER',
        `a '${String(type)}' listener threw: ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
        },
      ),
    )
  }
}
