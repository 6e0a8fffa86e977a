// A minimal Newswire fan-out for tests: WebSocket (ws) and SSE (node:http) on one port, speaking
// the protocol of docs/stream-design.md over an in-memory log. Positions are "pos:<n>": the
// next log index to deliver.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { TestContext } from 'node:test'
import { WebSocket, WebSocketServer } from 'ws'
import type { ArticleEvent } from '../src/index.ts'

interface Subscriber {
  id: string | null
  channels: string[]
  next: number
  send: (frame: Record<string, unknown>) => void
}

const position = (n: number) => `pos:${n}`
const parsePosition = (p: unknown) => (typeof p === 'string' && p.startsWith('pos:') ? Number(p.slice(4)) : null)

export class FakeNewsServer {
  readonly log: { channel: string; event: ArticleEvent }[] = []
  /** Every subscribe frame and SSE request, as { channels, since, token }. */
  readonly subscribes: { transport: 'websocket' | 'sse'; channels: string[]; since: string | null; token: string | null }[] = []
  /** Replay this many already-delivered events again on resume (a sloppy server, to exercise dedupe). */
  overlap = 0
  /** Connections with this token are closed with 4401 (WebSocket) or get HTTP 401 (SSE). */
  rejectToken: string | null = null
  /** Refuse WebSocket upgrades by resetting the connection (a proxy that blocks WebSocket). */
  blockWebSocket = false
  /** Pings answered so far. */
  pongs = 0
  /** Extra static files (path → content type and body), e.g. a page and the browser bundle. */
  readonly files = new Map<string, { type: string; body: string }>()
  #http: Server
  #wss: WebSocketServer
  #subscribers = new Set<Subscriber>()
  #sockets = new Set<WebSocket>()
  #responses = new Set<ServerResponse>()
  #raw = new Set<Socket>()

  private constructor() {
    this.#http = createServer((req, res) => this.#onHttp(req, res))
    this.#wss = new WebSocketServer({ noServer: true })
    this.#http.on('connection', (s: Socket) => {
      this.#raw.add(s)
      s.on('close', () => this.#raw.delete(s))
    })
    this.#http.on('upgrade', (req, socket, head) => {
      if (this.blockWebSocket || !req.url?.startsWith('/v1/stream')) {
        socket.destroy()
        return
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onWebSocket(ws, req))
    })
  }

  static async start(t: TestContext): Promise<FakeNewsServer> {
    const server = new FakeNewsServer()
    await new Promise<void>((resolve) => server.#http.listen(0, '127.0.0.1', resolve))
    t.after(() => server.close())
    return server
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#http.address() as AddressInfo).port}`
  }

  publish(channel: string, event: ArticleEvent): void {
    this.log.push({ channel, event })
    for (const sub of this.#subscribers) this.#pump(sub)
  }

  /** Kills every connection without a close frame (network drop). */
  dropAll(): void {
    for (const ws of this.#sockets) ws.terminate()
    for (const res of this.#responses) res.destroy()
  }

  /** Closes every WebSocket with a close code. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.#sockets) ws.close(code, reason)
  }

  get connections(): number {
    return this.#sockets.size + this.#responses.size
  }

  async close(): Promise<void> {
    this.dropAll()
    for (const s of this.#raw) s.destroy()
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()))
    await new Promise<void>((resolve) => this.#http.close(() => resolve()))
  }

  #subscribe(sub: Omit<Subscriber, 'next'>, since: string | null): void {
    const from = parsePosition(since)
    let snapshot: ArticleEvent[] = []
    let next: number
    if (from === null) {
      // Fresh subscription: the latest version of every matching article, then live from the head
      const latest = new Map<string, ArticleEvent>()
      for (const e of this.log) if (sub.channels.includes(e.channel)) latest.set(e.event.article.id, e.event)
      snapshot = [...latest.values()]
      next = this.log.length
    } else {
      next = Math.max(0, from - this.overlap)
    }
    sub.send({
      type: 'subscribed',
      ...(sub.id === null ? {} : { id: sub.id }),
      channels: sub.channels,
      position: position(from ?? next),
      snapshot,
    })
    const full = { ...sub, next }
    this.#subscribers.add(full)
    this.#pump(full)
  }

  #pump(sub: Subscriber): void {
    while (sub.next < this.log.length) {
      const entry = this.log[sub.next]
      sub.next++
      if (entry && sub.channels.includes(entry.channel)) {
        sub.send({ type: 'event', channel: entry.channel, position: position(sub.next), event: entry.event })
      }
    }
  }

  #onWebSocket(ws: WebSocket, req: IncomingMessage): void {
    this.#sockets.add(ws)
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token')
    const mine = new Set<Subscriber>()
    ws.on('close', () => {
      this.#sockets.delete(ws)
      for (const s of mine) this.#subscribers.delete(s)
    })
    if (this.rejectToken !== null && token === this.rejectToken) {
      ws.close(4401, 'token expired')
      return
    }
    const send = (frame: Record<string, unknown>) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame))
    }
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; id: string; channels: string[]; since?: string }
      if (msg.type === 'ping') {
        send({ type: 'pong', id: msg.id })
        this.pongs++
      } else if (msg.type === 'unsubscribe') {
        for (const s of this.#subscribers) if (s.id === msg.id && mine.has(s)) this.#subscribers.delete(s)
      } else if (msg.type === 'subscribe') {
        this.subscribes.push({ transport: 'websocket', channels: msg.channels, since: msg.since ?? null, token })
        const before = new Set(this.#subscribers)
        this.#subscribe({ id: msg.id, channels: msg.channels, send }, msg.since ?? null)
        for (const s of this.#subscribers) if (!before.has(s)) mine.add(s)
      }
    })
  }

  #onHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x')
    const file = this.files.get(url.pathname)
    if (file) {
      res.writeHead(200, { 'content-type': file.type }).end(file.body)
      return
    }
    if (url.pathname !== '/v1/sse') {
      res.writeHead(404).end()
      return
    }
    const token = url.searchParams.get('token')
    if (this.rejectToken !== null && token === this.rejectToken) {
      res.writeHead(401).end('token expired')
      return
    }
    const channels = (url.searchParams.get('channels') ?? '').split(',').filter(Boolean)
    const since = url.searchParams.get('since') ?? (req.headers['last-event-id'] as string | undefined) ?? null
    this.subscribes.push({ transport: 'sse', channels, since, token })
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
    res.write('retry: 10\n: connected\n\n')
    this.#responses.add(res)
    const sub: Omit<Subscriber, 'next'> = {
      id: null,
      channels,
      send: (frame) => {
        const id = typeof frame.position === 'string' ? `id: ${frame.position}\n` : ''
        res.write(`${id}event: ${String(frame.type)}\ndata: ${JSON.stringify(frame)}\n\n`)
      },
    }
    const before = new Set(this.#subscribers)
    this.#subscribe(sub, since)
    const mine = [...this.#subscribers].filter((s) => !before.has(s))
    res.on('close', () => {
      this.#responses.delete(res)
      for (const s of mine) this.#subscribers.delete(s)
    })
  }
}

/** Polls until `check()` is true (real timers). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
