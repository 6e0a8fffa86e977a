// Deterministic doubles for the state-machine tests: a manual clock, a scripted WebSocket class,
// a scripted fetch for SSE.
import type { ArticleEvent, ArticleEventType, ClientEventMap, Clock, FetchLike, FetchResponseLike, StateChange } from '../src/index.ts'

interface Timer {
  id: number
  at: number
  fn: () => void
}

export class FakeClock implements Clock {
  #now: number
  #seq = 0
  #timers: Timer[] = []

  constructor(start = 1_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: ++this.#seq, at: this.#now + Math.max(0, ms), fn }
    this.#timers.push(timer)
    return timer.id
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle)
  }

  /** Pending timers as delays from now, soonest first. */
  get pending(): number[] {
    return this.#timers.map((t) => t.at - this.#now).sort((a, b) => a - b)
  }

  /**
   * A laptop asleep `ms`: the wall clock moves on, while every pending timer, kept by a clock that
   * stops during sleep, comes that much later and none fires.
   */
  suspend(ms: number): void {
    this.#now += ms
    for (const t of this.#timers) t.at += ms
  }

  /** Moves time forward, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const end = this.#now + ms
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!due) break
      this.#timers = this.#timers.filter((t) => t !== due)
      this.#now = due.at
      due.fn()
    }
    this.#now = end
  }

  /** Fires the next timer, whenever it is due; returns how far time moved. */
  next(): number {
    const [delay] = this.pending
    if (delay === undefined) throw new Error('no pending timer')
    this.advance(delay)
    return delay
  }
}

export class FakeWebSocket {
  static instances: FakeWebSocket[] = []
  static reset(): void {
    FakeWebSocket.instances = []
  }
  static get last(): FakeWebSocket {
    const ws = FakeWebSocket.instances.at(-1)
    if (!ws) throw new Error('no FakeWebSocket was created')
    return ws
  }

  readonly url: string
  /** The subprotocols offered (protocol.ts streamProtocols). */
  readonly protocols: string[] | undefined
  readyState = 0
  /** The subprotocol the server answered with ('' until open, or none). */
  protocol = ''
  sent: Record<string, unknown>[] = []
  closedWith: { code?: number; reason?: string } | null = null
  onopen: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  onerror: ((ev: { message?: string }) => void) | null = null
  onclose: ((ev: { code: number; reason: string }) => void) | null = null

  constructor(url: string, protocols?: string[]) {
    this.url = url
    this.protocols = protocols
    FakeWebSocket.instances.push(this)
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send while not open')
    this.sent.push(JSON.parse(data) as Record<string, unknown>)
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason }
    if (this.readyState === 3) return
    this.readyState = 3
    queueMicrotask(() => this.onclose?.({ code: code ?? 1005, reason: reason ?? '' }))
  }

  // ---- the server side ----

  /** `protocol`: the subprotocol answered (the fan-out's `newswire.url-subscription` took the URL's subscription). */
  open(protocol = ''): this {
    this.protocol = protocol
    this.readyState = 1
    this.onopen?.({})
    return this
  }

  /** The server sends a JSON frame. */
  push(frame: unknown): this {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) })
    return this
  }

  /** The server (or the network) closes the connection. */
  drop(code = 1006, reason = ''): void {
    this.readyState = 3
    this.onclose?.({ code, reason })
  }

  /** Connecting fails (refused, blocked by a proxy): error then close 1006, never open. */
  fail(message = 'connect ECONNREFUSED'): void {
    this.readyState = 3
    this.onerror?.({ message })
    this.onclose?.({ code: 1006, reason: '' })
  }

  get subscribes(): Record<string, unknown>[] {
    return this.sent.filter((m) => m.type === 'subscribe')
  }
}

/** A scripted SSE response: push text chunks, then end or error. */
export class FakeSseResponse implements FetchResponseLike {
  readonly ok: boolean
  readonly status: number
  readonly statusText = ''
  readonly headers: { get(name: string): string | null }
  readonly body: ReadableStream<Uint8Array>
  #controller!: ReadableStreamDefaultController<Uint8Array>

  constructor(status = 200, contentType = 'text/event-stream') {
    this.ok = status >= 200 && status < 300
    this.status = status
    this.headers = { get: (name) => (name.toLowerCase() === 'content-type' ? contentType : null) }
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller
      },
    })
  }

  write(text: string): this {
    this.#controller.enqueue(new TextEncoder().encode(text))
    return this
  }

  frame(event: string, data: unknown, id?: string): this {
    return this.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  }

  end(): void {
    this.#controller.close()
  }
}

export interface FakeFetch {
  fetch: FetchLike
  requests: { url: string; headers: Record<string, string> }[]
  /** Responses handed out in order; when none is queued, fetch rejects like a refused connection. */
  responses: FakeSseResponse[]
}

export function fakeFetch(): FakeFetch {
  const f: FakeFetch = {
    requests: [],
    responses: [],
    fetch: async (url, init) => {
      f.requests.push({ url, headers: init.headers })
      const res = f.responses.shift()
      if (!res) throw new TypeError('fetch failed')
      return res
    },
  }
  return f
}

/** Records everything a client emits. */
export function record(client: { on<K extends keyof ClientEventMap>(type: K, fn: (v: ClientEventMap[K]) => void): () => void }) {
  const log = {
    states: [] as StateChange[],
    events: [] as ClientEventMap['event'][],
    withdrawn: [] as ClientEventMap['withdrawn'][],
    resets: [] as ClientEventMap['reset'][],
    subscribed: [] as ClientEventMap['subscribed'][],
    errors: [] as ClientEventMap['error'][],
    get stateNames() {
      return log.states.map((s) => s.state)
    },
    get eventIds() {
      return log.events.map((e) => e.event.eventId)
    },
  }
  client.on('state', (s) => log.states.push(s))
  client.on('event', (e) => log.events.push(e))
  client.on('withdrawn', (w) => log.withdrawn.push(w))
  client.on('reset', (r) => log.resets.push(r))
  client.on('subscribed', (s) => log.subscribed.push(s))
  client.on('error', (e) => log.errors.push(e))
  return log
}

/** Lets pending promise callbacks (microtasks, stream reads) run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export function article(id: string, version: number, extra: Record<string, unknown> = {}) {
  return { id, version, headline: `${id} v${version}`, language: 'en', urgency: 3, ...extra }
}

export function articleEvent(id: string, version: number, type: ArticleEventType = version === 1 ? 'CREATED' : 'UPDATED'): ArticleEvent {
  return { eventId: `${id}-v${version}`, type, article: article(id, version) }
}

export function eventFrame(id: string, version: number, position: string, extra: Record<string, unknown> = {}) {
  return { type: 'event', channel: 'breaking', position, event: articleEvent(id, version), ...extra }
}

/** A fetch answering JSON bodies in order (a 500 problem when none is left), recording each request. */
export function jsonFetch() {
  const f = {
    requests: [] as { url: URL; headers: Record<string, string>; cache: string }[],
    /** `until`: the answer arrives once it resolves (a slow server). */
    answers: [] as { status: number; body: unknown; until?: Promise<void> }[],
    fetch: (async (url, init) => {
      f.requests.push({ url: new URL(url), headers: init.headers, cache: init.cache })
      const a = f.answers.shift() ?? { status: 500, body: { code: 'internal', detail: 'no answer scripted' } }
      await a.until
      const bytes = new TextEncoder().encode(JSON.stringify(a.body))
      let done = false
      const res: FetchResponseLike = {
        ok: a.status >= 200 && a.status < 300,
        status: a.status,
        statusText: '',
        headers: { get: () => 'application/json' },
        body: {
          getReader: () => ({
            read: async () => {
              if (done) return { done: true }
              done = true
              return { done: false, value: bytes }
            },
            cancel: async () => {},
          }),
        },
      }
      return res
    }) as FetchLike,
  }
  return f
}
