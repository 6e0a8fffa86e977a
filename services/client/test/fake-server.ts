// A minimal Newswire fan-out for tests: WebSocket (ws) and SSE (node:http) on one port, speaking
// the protocol of docs/stream-design.md over an in-memory log. Positions are "pos:<n>": the
// next log index to deliver. Live stories (docs/live-stories-protocol.md) as far as the SDK's
// followers need them: other frames in the log (`withdrawn`, `entry`, `entryWithdrawn`), the
// entries of a `story:` snapshot, and GET /v1/stories/<id>/entries.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { TestContext } from 'node:test'
import { WebSocket, WebSocketServer } from 'ws'
import type { ArticleEvent, StoryEntry } from '../src/index.ts'

interface Subscriber {
  id: string | null
  channels: string[]
  /** Latest entries in a `story:` snapshot. */
  entries?: number
  next: number
  /** Below this log index the subscription is replaying (overlap): with `overlapFrames: 'events'`, events alone. */
  replayTo?: number
  send: (frame: Record<string, unknown>) => void
}

type Frame = Record<string, unknown>

/** A newsroom event's flags: under embargo, or the release of a version sent under embargo. */
export interface EventFlags {
  embargoed?: boolean
  released?: boolean
}

/** An article event (with its newsroom flags), or any other frame (withdrawn, entry, entryWithdrawn), on a channel. */
export type LogItem =
  | { channel: string; event: ArticleEvent; flags?: EventFlags; frame?: undefined }
  | { channel: string; event?: undefined; frame: Frame }

const position = (n: number) => `pos:${n}`
const parsePosition = (p: unknown) => (typeof p === 'string' && p.startsWith('pos:') ? Number(p.slice(4)) : null)

export class FakeNewsServer {
  readonly log: LogItem[] = []
  /** Every subscribe frame and SSE request, as { channels, since, token, entries }. */
  readonly subscribes: {
    transport: 'websocket' | 'sse'
    channels: string[]
    since: string | null
    token: string | null
    entries?: number | null
  }[] = []
  /** Every GET /v1/stories/<id>/entries, as its URL and Authorization header. */
  readonly entryRequests: { url: URL; authorization: string | null }[] = []
  /** Replay this many already-delivered events again on resume (a sloppy server, to exercise dedupe). */
  overlap = 0
  /**
   * What that replay holds: every frame, or article events alone (a server that re-sends events
   * but never an old `withdrawn`, which could otherwise come after the version that lifted it).
   */
  overlapFrames: 'all' | 'events' = 'all'
  /**
   * A replay reaches no further back than this log index: a test sets it where the story came down
   * or ran again (the filter forgot the story's entries there, and its own withdrawal again is a
   * duplicate, so what came before would be taken as new: Known limits).
   */
  replayFloor = 0
  /** Where the last fresh snapshot or reset was made: an events-only replay reaches no further back (the client's filter starts there). */
  #snapshotAtIndex = 0
  /** Connections with this token are closed with 4401 (WebSocket) or get HTTP 401 (SSE). */
  rejectToken: string | null = null
  /** Refuse WebSocket upgrades by resetting the connection (a proxy that blocks WebSocket). */
  blockWebSocket = false
  /**
   * The next resume lands on a process this far behind the log's end (entries): it refuses the
   * position with a `reset` made at its own head, then reads on, sending what came after (a lagging
   * fan-out process behind a balancer; red14). Used once.
   */
  lagReset: number | null = null
  /** GET /v1/snapshot answered so far. */
  pages = 0
  /** Pings answered so far. */
  pongs = 0
  /** The path and query of every request and upgrade, as a proxy's log keeps them. */
  readonly requestLines: string[] = []
  /** Extra static files (path → content type and body), e.g. a page and the browser bundle. */
  readonly files = new Map<string, { type: string; body: string }>()
  #http: Server
  #wss: WebSocketServer
  #subscribers = new Set<Subscriber>()
  #sockets = new Set<WebSocket>()
  #responses = new Set<ServerResponse>()
  #raw = new Set<Socket>()

  private constructor() {
    this.#http = createServer((req, res) => {
      this.requestLines.push(req.url ?? '')
      this.#onHttp(req, res)
    })
    // the fan-out's answer: `newswire`, never the token's subprotocol
    this.#wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => offered.has('newswire') && 'newswire' })
    this.#http.on('connection', (s: Socket) => {
      this.#raw.add(s)
      s.on('close', () => this.#raw.delete(s))
    })
    this.#http.on('upgrade', (req, socket, head) => {
      this.requestLines.push(req.url ?? '')
      if (this.blockWebSocket || !req.url?.startsWith('/v1/stream')) {
        socket.destroy()
        return
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onWebSocket(ws, req))
    })
  }

  /** `t`: what closes it when the test ends (a TestContext, or a model run's own clean-up list). */
  static async start(t: Pick<TestContext, 'after'>): Promise<FakeNewsServer> {
    const server = new FakeNewsServer()
    await new Promise<void>((resolve) => server.#http.listen(0, '127.0.0.1', resolve))
    t.after(() => server.close())
    return server
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#http.address() as AddressInfo).port}`
  }

  /** `flags` as a newsroom reader gets them: on the live frame, and spliced into a snapshot's item while embargoed. */
  publish(channel: string, event: ArticleEvent, flags?: EventFlags): void {
    this.log.push(flags ? { channel, event, flags } : { channel, event })
    for (const sub of this.#subscribers) this.#pump(sub)
  }

  /** Any other frame on `channel` (its `channel` and `position` are filled in when sent). */
  publishFrame(channel: string, frame: Frame): void {
    this.log.push({ channel, frame })
    for (const sub of this.#subscribers) this.#pump(sub)
  }

  /** A new version of an entry of `story:<storyId>`. */
  publishEntry(storyId: string, entry: StoryEntry, extra: Frame = {}): void {
    this.publishFrame(`story:${storyId}`, { type: 'entry', storyId, change: entry.version === 1 ? 'created' : 'updated', entry, ...extra })
  }

  /** The entry comes off (`cause` deleted, withheld, embargoed). */
  withdrawEntry(storyId: string, entryId: string, version: number, cause = 'deleted'): void {
    this.publishFrame(`story:${storyId}`, { type: 'entryWithdrawn', storyId, entryId, version, cause, reason: cause })
  }

  /** The entries of a story visible now (the newest version of each, not taken off), by seq. */
  visibleEntries(storyId: string, upTo = this.log.length): StoryEntry[] {
    const held = new Map<string, StoryEntry | null>()
    for (const item of this.log.slice(0, upTo)) {
      const f = item.frame
      if (!f || f.storyId !== storyId) continue
      // a stand-in's version is a guess in snapshots and pages too, as the fan-out says (red18)
      if (f.type === 'entry')
        held.set(String((f.entry as StoryEntry).id), { ...(f.entry as StoryEntry), ...(f.guess ? { guess: true } : {}) })
      else if (f.type === 'entryWithdrawn') held.set(String(f.entryId), null)
    }
    return [...held.values()].filter((e): e is StoryEntry => e !== null).sort((a, b) => a.seq - b.seq)
  }

  /**
   * Whether story `storyId` is held (withheld or embargoed) as of log index `upTo`: its entries
   * are then in no snapshot nor page (the model publishes its changes off the story's channel).
   */
  heldAt(storyId: string, upTo = this.log.length): boolean {
    let held = false
    for (const item of this.log.slice(0, upTo)) {
      if (item.event?.article.id === storyId) held = false
      else if (item.frame?.type === 'withdrawn' && item.frame.articleId === storyId)
        held = item.frame.cause === 'withheld' || item.frame.cause === 'embargoed'
    }
    return held
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

  /** The snapshot of `sub` as of log index `upTo`: the latest version of every matching article, a story's entries. */
  #snapshotAt(sub: Omit<Subscriber, 'next'>, upTo: number): { snapshot: ArticleEvent[]; story: Frame } {
    const latest = new Map<string, ArticleEvent>()
    for (const e of this.log.slice(0, upTo)) {
      if (!sub.channels.includes(e.channel)) continue
      if (e.event) latest.set(e.event.article.id, e.flags?.embargoed ? ({ ...e.event, embargoed: true } as ArticleEvent) : e.event)
      else if (e.frame.type === 'withdrawn') latest.delete(String(e.frame.articleId))
    }
    const storyId = sub.channels[0]?.startsWith('story:') ? sub.channels[0].slice(6) : null
    if (storyId === null) return { snapshot: [...latest.values()], story: {} }
    // a story held then shows no entries, as the fan-out's snapshot (a killed one: the fake goes on)
    if (this.heldAt(storyId, upTo)) return { snapshot: [...latest.values()], story: { entries: [], entriesMore: null } }
    // The pinned entries and the latest N, newest first; older ones page in below the lowest
    const all = this.visibleEntries(storyId, upTo).reverse()
    const latestN = all.slice(0, sub.entries ?? 20)
    const pinned = all.filter((e) => e.pinned && !latestN.includes(e))
    const lowest = latestN.at(-1)
    const story = { entries: [...pinned, ...latestN], entriesMore: all.length > latestN.length && lowest ? lowest.seq : null }
    return { snapshot: [...latest.values()], story }
  }

  #subscribe(sub: Omit<Subscriber, 'next'>, since: string | null): void {
    const from = parsePosition(since)
    let snapshot: ArticleEvent[] = []
    let next: number
    let story: Frame = {}
    if (from !== null && this.lagReset !== null) {
      // a process behind: its reset is made at its own head, then it reads on
      next = Math.max(0, Math.min(from, this.log.length - this.lagReset))
      this.lagReset = null
      this.#snapshotAtIndex = next
      const at = this.#snapshotAt(sub, next)
      const id = sub.id === null ? {} : { id: sub.id }
      sub.send({
        type: 'reset',
        ...id,
        channels: sub.channels,
        position: position(next),
        reason: 'lagging',
        more: null,
        snapshot: at.snapshot,
        ...at.story,
      })
      const full = { ...sub, next }
      this.#subscribers.add(full)
      this.#pump(full)
      return
    }
    if (from === null) {
      // Fresh subscription: the latest version of every matching article, then live from the head
      next = this.log.length
      this.#snapshotAtIndex = next
      ;({ snapshot, story } = this.#snapshotAt(sub, next))
    } else {
      next = Math.max(0, from - this.overlap, Math.min(from, this.replayFloor))
      if (this.overlapFrames === 'events') next = Math.max(next, Math.min(from, this.#snapshotAtIndex))
    }
    const replayTo = this.overlapFrames === 'events' && from !== null ? from : 0
    sub.send({
      type: 'subscribed',
      ...(sub.id === null ? {} : { id: sub.id }),
      channels: sub.channels,
      position: position(from ?? next),
      ...(from === null ? { replay: 'none', more: null } : { replay: 'memory' }),
      snapshot,
      ...story,
    })
    const full = { ...sub, next, replayTo }
    this.#subscribers.add(full)
    this.#pump(full)
  }

  #pump(sub: Subscriber): void {
    while (sub.next < this.log.length) {
      const entry = this.log[sub.next]
      sub.next++
      if (entry && !entry.event && sub.next <= (sub.replayTo ?? 0)) continue
      if (entry && sub.channels.includes(entry.channel)) {
        // a replayed event (events alone) is stamped with the resume position: a position never moves back
        const at = Math.max(sub.next, sub.replayTo ?? 0)
        if (entry.event) sub.send({ type: 'event', channel: entry.channel, position: position(at), event: entry.event, ...entry.flags })
        else sub.send({ ...entry.frame, channel: entry.channel, position: position(sub.next) })
      }
    }
  }

  #onWebSocket(ws: WebSocket, req: IncomingMessage): void {
    this.#sockets.add(ws)
    const offered = req.headers['sec-websocket-protocol']?.split(',').map((p) => p.trim()) ?? []
    const bearer = offered.find((p) => p.startsWith('newswire.bearer.'))?.slice('newswire.bearer.'.length)
    const token = bearer ?? new URL(req.url ?? '/', 'http://x').searchParams.get('token')
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
      const msg = JSON.parse(String(data)) as { type: string; id: string; channels: string[]; since?: string; entries?: number }
      if (msg.type === 'ping') {
        send({ type: 'pong', id: msg.id })
        this.pongs++
      } else if (msg.type === 'unsubscribe') {
        for (const s of this.#subscribers) if (s.id === msg.id && mine.has(s)) this.#subscribers.delete(s)
      } else if (msg.type === 'subscribe') {
        this.subscribes.push({
          transport: 'websocket',
          channels: msg.channels,
          since: msg.since ?? null,
          token,
          entries: msg.entries ?? null,
        })
        const before = new Set(this.#subscribers)
        const entries = msg.entries === undefined ? {} : { entries: msg.entries }
        this.#subscribe({ id: msg.id, channels: msg.channels, send, ...entries }, msg.since ?? null)
        for (const s of this.#subscribers) if (!before.has(s)) mine.add(s)
      }
    })
  }

  #entryPage(storyId: string, url: URL, req: IncomingMessage, res: ServerResponse): void {
    this.entryRequests.push({ url, authorization: req.headers.authorization ?? null })
    const body = JSON.stringify(entryPageOf(this, storyId, url))
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body)
  }

  #onHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x')
    const file = this.files.get(url.pathname)
    if (file) {
      res.writeHead(200, { 'content-type': file.type }).end(file.body)
      return
    }
    const stories = /^\/v1\/stories\/([^/]+)\/entries$/.exec(url.pathname)
    if (stories?.[1]) {
      this.#entryPage(decodeURIComponent(stories[1]), url, req, res)
      return
    }
    if (url.pathname === '/v1/snapshot') {
      // a page of the view's newest versions, as of the log's end (one page; no cursor)
      const channels = (url.searchParams.get('channels') ?? '').split(',').filter(Boolean)
      const { snapshot } = this.#snapshotAt({ id: null, channels, send: () => {} }, this.log.length)
      this.pages++
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ items: snapshot, next: null }))
      return
    }
    if (url.pathname !== '/v1/sse') {
      res.writeHead(404).end()
      return
    }
    const bearer = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined
    const token = bearer ?? url.searchParams.get('token')
    if (this.rejectToken !== null && token === this.rejectToken) {
      res.writeHead(401).end('token expired')
      return
    }
    const channels = (url.searchParams.get('channels') ?? '').split(',').filter(Boolean)
    const since = url.searchParams.get('since') ?? (req.headers['last-event-id'] as string | undefined) ?? null
    const entries = url.searchParams.has('entries') ? Number(url.searchParams.get('entries')) : null
    this.subscribes.push({ transport: 'sse', channels, since, token, entries })
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
    res.write('retry: 10\n: connected\n\n')
    this.#responses.add(res)
    const sub: Omit<Subscriber, 'next'> = {
      id: null,
      channels,
      ...(entries === null ? {} : { entries }),
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

/** `{ storyId, items, next }`: the visible entries below `before`, newest first. */
function entryPageOf(server: FakeNewsServer, storyId: string, url: URL): Frame {
  const before = url.searchParams.has('before') ? Number(url.searchParams.get('before')) : Number.POSITIVE_INFINITY
  const limit = Number(url.searchParams.get('limit') ?? 20)
  if (server.heldAt(storyId)) return { storyId, items: [], next: null }
  const below = server
    .visibleEntries(storyId)
    .filter((e) => e.seq < before)
    .reverse()
  const items = below.slice(0, limit)
  return { storyId, items, next: below.length > limit ? (items.at(-1)?.seq ?? null) : null }
}

/** Polls until `check()` is true (real timers). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
