// Client load generator: one process holding thousands of `ws` connections on loopback, each
// subscribed to `breaking`. For every event message it reads the article id
// `nwb-<tag>-<seq>-<µs>` (see event-source.ts) straight from the bytes, without JSON.parse:
// latency = arrival − send time; a per-client bitmap over seq proves nothing is missing or
// duplicated. With `positions`, each client keeps the last position it saw, to resume with it.
import { WebSocket } from 'ws'
import { Histogram } from '../lib/stats.ts'
import type { HistogramJson } from '../lib/stats.ts'
import { serve } from '../lib/worker.ts'
import { nowUs } from '../lib/wsclock.ts'

export interface ConnectSpec {
  url: string
  count: number
  /** Connections opening at once (0 = all at once). */
  concurrency: number
  channels: string[]
  /** Resume: reconnect the clients this worker already has, each with `since` = its last position. */
  resume?: boolean
  timeoutMs: number
  /** Source address (127.x.y.z): one per client process lifts the ~28k ephemeral ports per address limit. */
  localAddress?: string
  /** Attempts per client after a failed connect: after the server's retry hint, else 200 ms, plus 0-500 ms jitter. */
  retries?: number
}

export interface ConnectResult {
  connected: number
  failed: number
  errorKinds: Record<string, number>
  /** µs timestamps: first connect started, last `subscribed` received */
  startUs: number
  endUs: number
  replay: Record<string, number>
}

export interface TrackSpec {
  tag: string
  count: number
  positions: boolean
}

export interface Progress {
  clients: number
  complete: number
  distinct: number
  duplicates: number
  /** event messages of other tags, or seq out of range */
  other: number
}

export interface TrackResult extends Progress {
  latency: HistogramJson
  /** per-client completion times (µs since epoch), sorted, only complete clients */
  doneUs: number[]
  lastUs: number
  missing: number
  closed: number
  cpu: { user: number; system: number }
}

interface Client {
  ws: WebSocket | null
  position: string | null
  seen: Uint8Array
  got: number
  doneUs: number
  onSubscribed: ((replay: string) => void) | null
}

const clients: Client[] = []
let track: TrackSpec = { tag: '', count: 0, positions: false }
let hist = new Histogram()
let complete = 0
let distinct = 0
let duplicates = 0
let other = 0
let lastUs = 0
let closedUnexpectedly = 0
let cpu0 = process.cpuUsage()

const EVENT = Buffer.from('{"type":"event"')
const SUBSCRIBED = Buffer.from('{"type":"subscribed"')
const RESET = Buffer.from('{"type":"reset"')
const MARK = Buffer.from('"nwb-')
const POSITION = Buffer.from('"position":"')
const TAG = Buffer.alloc(32)

function startsWith(b: Buffer, p: Buffer): boolean {
  return b.length >= p.length && b.compare(p, 0, p.length, 0, p.length) === 0
}

function positionOf(b: Buffer): string | null {
  const i = b.indexOf(POSITION)
  if (i < 0) return null
  const s = i + POSITION.length
  const e = b.indexOf(0x22, s)
  return e < 0 ? null : b.toString('latin1', s, e)
}

function onMessage(c: Client, data: Buffer): void {
  if (!startsWith(data, EVENT)) {
    if (startsWith(data, SUBSCRIBED) || startsWith(data, RESET)) {
      const p = positionOf(data)
      if (p && c.position === null) c.position = p
      const cb = c.onSubscribed
      c.onSubscribed = null
      cb?.(startsWith(data, RESET) ? 'reset' : (/"replay":"(\w+)"/.exec(data.toString('latin1', 0, 400))?.[1] ?? '?'))
    }
    return
  }
  const now = nowUs()
  if (track.positions) c.position = positionOf(data) ?? c.position
  const i = data.indexOf(MARK)
  if (i < 0) {
    other++
    return
  }
  // nwb-<tag>-<seq>-<t>"
  let j = i + MARK.length
  let tagLen = 0
  while (j < data.length && data[j] !== 0x2d) TAG[tagLen++ & 31] = data[j++] as number
  j++
  let seq = 0
  while (j < data.length && data[j] !== 0x2d) seq = seq * 10 + ((data[j++] as number) - 48)
  j++
  let t = 0
  while (j < data.length && data[j] !== 0x22) t = t * 10 + ((data[j++] as number) - 48)
  if (tagLen !== track.tag.length || TAG.toString('latin1', 0, tagLen) !== track.tag || seq >= track.count) {
    other++
    return
  }
  if (c.seen[seq]) {
    duplicates++
    return
  }
  c.seen[seq] = 1
  distinct++
  hist.record(now - t)
  if (now > lastUs) lastUs = now
  if (++c.got === track.count) {
    c.doneUs = now
    complete++
  }
}

function open(c: Client, spec: ConnectSpec): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(spec.url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: spec.timeoutMs,
      ...(spec.localAddress ? { localAddress: spec.localAddress } : {}),
    })
    c.ws = ws
    let settled = false
    let subscribed = false
    const timer = setTimeout(() => fail(new Error('no subscribed within timeout')), spec.timeoutMs)
    const fail = (err: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      ws.terminate()
      reject(err)
    }
    ws.on('error', (err) => fail(err))
    ws.on('open', () => {
      const sub: Record<string, unknown> = { type: 'subscribe', id: 'b', channels: spec.channels }
      if (spec.resume && c.position) sub.since = c.position
      c.onSubscribed = (replay) => {
        subscribed = true
        settled = true
        clearTimeout(timer)
        resolve(replay)
      }
      ws.send(JSON.stringify(sub))
    })
    ws.on('message', (data) => onMessage(c, data as Buffer))
    ws.on('close', (code, reason) => {
      if (c.ws === ws) {
        c.ws = null
        if (subscribed) closedUnexpectedly++
      }
      // the server may say when to come back (1013 "…; retry after N ms"), as a real client would honour
      const hint = /retry after (\d+) ms/.exec(reason.toString())
      fail(Object.assign(new Error(`closed ${code} before subscribed`), { retryAfterMs: hint ? Number(hint[1]) : null }))
    })
  })
}

async function connect(spec: ConnectSpec): Promise<ConnectResult> {
  if (!spec.resume)
    while (clients.length < spec.count)
      clients.push({ ws: null, position: null, seen: new Uint8Array(0), got: 0, doneUs: 0, onSubscribed: null })
  const todo = clients.slice(0, spec.count)
  const errorKinds: Record<string, number> = {}
  const replay: Record<string, number> = {}
  let connected = 0
  let failed = 0
  let next = 0
  const startUs = nowUs()
  const lane = async () => {
    while (next < todo.length) {
      const c = todo[next++] as Client
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await open(c, spec)
          replay[r] = (replay[r] ?? 0) + 1
          connected++
          break
        } catch (err) {
          const k = err instanceof Error ? err.message.slice(0, 80) : String(err)
          errorKinds[k] = (errorKinds[k] ?? 0) + 1
          if (attempt >= (spec.retries ?? 0)) {
            failed++
            break
          }
          const hinted = (err as { retryAfterMs?: number | null }).retryAfterMs
          await new Promise((r) => setTimeout(r, (hinted ?? 200) + Math.random() * 500))
        }
      }
    }
  }
  const lanes = spec.concurrency > 0 ? Math.min(spec.concurrency, todo.length) : todo.length
  await Promise.all(Array.from({ length: lanes }, lane))
  return { connected, failed, errorKinds, startUs, endUs: nowUs(), replay }
}

serve({
  connect: (spec: ConnectSpec) => connect(spec),
  track(spec: TrackSpec) {
    track = spec
    hist = new Histogram()
    complete = distinct = duplicates = other = lastUs = 0
    for (const c of clients) {
      c.seen = new Uint8Array(spec.count)
      c.got = 0
      c.doneUs = 0
    }
    cpu0 = process.cpuUsage()
    return null
  },
  progress(): Progress {
    return { clients: clients.filter((c) => c.ws !== null).length, complete, distinct, duplicates, other }
  },
  result(): TrackResult {
    const d = process.cpuUsage(cpu0)
    const doneUs = clients.filter((c) => c.doneUs > 0).map((c) => c.doneUs)
    doneUs.sort((a, b) => a - b)
    return {
      clients: clients.length,
      complete,
      distinct,
      duplicates,
      other,
      latency: hist.toJSON(),
      doneUs,
      lastUs,
      missing: clients.length * track.count - distinct,
      closed: closedUnexpectedly,
      cpu: { user: d.user, system: d.system },
    }
  },
  /** Closes every connection (clients keep their positions) and waits until all are closed. */
  async disconnect() {
    const open = clients.filter((c) => c.ws !== null)
    await Promise.all(
      open.map(
        (c) =>
          new Promise<void>((resolve) => {
            const ws = c.ws as WebSocket
            c.ws = null
            ws.once('close', () => resolve())
            ws.close(1000, 'bench')
            setTimeout(() => {
              ws.terminate()
              resolve()
            }, 3000).unref()
          }),
      ),
    )
    return open.length
  },
  cpu: () => process.cpuUsage(),
})
