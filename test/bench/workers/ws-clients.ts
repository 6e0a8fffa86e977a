// Client load generator: one process holding thousands of `ws` connections on loopback, each
// subscribed to `breaking`. For every event message it reads the article id
// `nwb-<tag>-<seq>-<µs>` (see event-source.ts) straight from the bytes, without JSON.parse:
// latency = arrival − send time; a per-client bitmap over seq proves nothing is missing or
// duplicated. With `positions`, each client keeps the last position it saw, to resume with it.
// `extra` tags are tracked at the same time, each with its own bitmaps and histogram (priority-lanes
// tracks breaking and routine events apart). With `slow`, a client reads at a limited byte rate
// (ws.pause/resume), so the server's queue for it backs up; `gap` messages are added up.
// With `protocol: 'centrifugo'` the clients speak Centrifugo's JSON protocol instead (the peer in
// fanout-broadcast): connect and subscribe, answer pings, find the id in each push's data.
import { WebSocket } from 'ws'
import { classifyLine, connectFrame, eachLine } from '../lib/centrifugo-protocol.ts'
import { Histogram } from '../lib/stats.ts'
import { serve } from '../lib/worker.ts'
import { nowUs } from '../lib/wsclock.ts'
import type { ConnectResult, ConnectSpec, Progress, TagResult, TrackResult, TrackSpec } from '../lib/ws-clients-api.ts'

interface Client {
  ws: WebSocket | null
  position: string | null
  seen: Uint8Array
  got: number
  doneUs: number
  onSubscribed: ((replay: string) => void) | null
  /** centrifugo: subscribe replies still due before `subscribed`; an error reply refuses the connection */
  subscribing: number
  onRefused: ((why: string) => void) | null
  /** per extra tag */
  extraSeen: Uint8Array[]
  extraGot: number[]
  /** shed + conflated from `gap` messages since `track` */
  gapped: number
  /** throttled reader: bytes read beyond the budget so far (pause while > 0) */
  slow: boolean
  debt: number
}

interface TagState {
  tag: string
  count: number
  hist: Histogram
  complete: number
  distinct: number
  duplicates: number
  lastUs: number
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
let closeCodes: Record<string, number> = {}
let closeReasons: Record<string, number> = {}
let gapMessages = 0
let gapShed = 0
let gapConflated = 0
let extras: TagState[] = []
let cpu0 = process.cpuUsage()

const EVENT = Buffer.from('{"type":"event"')
/** A live story's entry (live-story scenario): counted like an event. */
const ENTRY = Buffer.from('{"type":"entry"')
const SUBSCRIBED = Buffer.from('{"type":"subscribed"')
const RESET = Buffer.from('{"type":"reset"')
const GAP = Buffer.from('{"type":"gap"')
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

/** A frame: one message, or with batches several, one per line (JSON never holds a raw line feed). */
function onFrame(c: Client, data: Buffer, batch: boolean): void {
  if (!batch) {
    onMessage(c, data)
    return
  }
  let start = 0
  for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
    onMessage(c, data.subarray(start, nl))
    start = nl + 1
  }
  onMessage(c, start === 0 ? data : data.subarray(start))
}

/** Counts a frame against a throttled reader's budget. */
function charge(c: Client, data: Buffer): void {
  if (!c.slow) return
  c.debt += data.length
  if (c.debt > 0 && c.ws && !c.ws.isPaused) c.ws.pause()
}

/** A Centrifugo frame: one message per line; pings answered, publications counted as events. */
function onCentrifugoFrame(c: Client, ws: WebSocket, data: Buffer): void {
  charge(c, data)
  eachLine(data, (line) => {
    const kind = classifyLine(line)
    if (kind === 'push') onEvent(c, line)
    else if (kind === 'ping') ws.send('{}')
    else if (kind === 'subscribed') {
      if (--c.subscribing > 0) return
      const cb = c.onSubscribed
      c.onSubscribed = null
      cb?.('none')
    } else if (kind === 'error') c.onRefused?.(line.toString('utf8', 0, 120))
  })
}

function onMessage(c: Client, data: Buffer): void {
  charge(c, data)
  if (!startsWith(data, EVENT) && !startsWith(data, ENTRY)) {
    if (startsWith(data, GAP)) {
      const g = JSON.parse(data.toString('utf8')) as { shed?: { routine?: number }; conflated?: number }
      gapMessages++
      gapShed += g.shed?.routine ?? 0
      gapConflated += g.conflated ?? 0
      c.gapped += (g.shed?.routine ?? 0) + (g.conflated ?? 0)
      return
    }
    if (startsWith(data, SUBSCRIBED) || startsWith(data, RESET)) {
      const p = positionOf(data)
      if (p && c.position === null) c.position = p
      const cb = c.onSubscribed
      c.onSubscribed = null
      cb?.(startsWith(data, RESET) ? 'reset' : (/"replay":"(\w+)"/.exec(data.toString('latin1', 0, 400))?.[1] ?? '?'))
    }
    return
  }
  onEvent(c, data)
}

/** An event (or a message carrying one): the id `nwb-<tag>-<seq>-<µs>` gives its seq and send time. */
function onEvent(c: Client, data: Buffer): void {
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
  const tag = TAG.toString('latin1', 0, tagLen)
  if (tag !== track.tag) {
    onExtra(c, tag, seq, t, now)
    return
  }
  if (seq >= track.count) {
    other++
    return
  }
  if (c.seen[seq]) {
    duplicates++
    return
  }
  c.seen[seq] = 1
  distinct++
  if (t >= (track.latencyFromUs ?? 0)) hist.record(now - t)
  if (now > lastUs) lastUs = now
  if (++c.got === track.count) {
    c.doneUs = now
    complete++
  }
}

function onExtra(c: Client, tag: string, seq: number, sentUs: number, now: number): void {
  const k = extras.findIndex((e) => e.tag === tag)
  const e = extras[k]
  const seen = c.extraSeen[k]
  if (!e || !seen || seq >= e.count) {
    other++
    return
  }
  if (seen[seq]) {
    e.duplicates++
    return
  }
  seen[seq] = 1
  e.distinct++
  if (sentUs >= (track.latencyFromUs ?? 0)) e.hist.record(now - sentUs)
  if (now > e.lastUs) e.lastUs = now
  c.extraGot[k] = (c.extraGot[k] ?? 0) + 1
  if (c.extraGot[k] === e.count) e.complete++
}

/** Extra-tag events neither received nor counted in a gap, at one open client. */
function unaccountedOf(c: Client): number {
  let missing = 0
  for (let k = 0; k < extras.length; k++) missing += (extras[k]?.count ?? 0) - (c.extraGot[k] ?? 0)
  return missing - c.gapped
}

// Throttled readers: every tick each slow client may read bytesPerSec × tick more; a client that
// read past its budget stays paused (the kernel buffers fill, then the server's queue backs up).
const TICK_MS = 20
let throttle: NodeJS.Timeout | null = null

function startThrottle(bytesPerSec: number): void {
  let last = performance.now()
  throttle ??= setInterval(() => {
    // credit by the time that really passed: a busy process runs its timers late
    const now = performance.now()
    const credit = (bytesPerSec * (now - last)) / 1000
    last = now
    for (const c of clients) {
      if (!c.slow) continue
      // no credit is saved up beyond one tick: the rate is a ceiling, not an average over idle time
      c.debt = Math.max(-(bytesPerSec * TICK_MS) / 1000, c.debt - credit)
      if (c.debt <= 0 && c.ws?.isPaused) c.ws.resume()
    }
  }, TICK_MS)
}

/** null: read at full speed; 0: stop reading; > 0: read at most that many bytes/s. Open clients only. */
function setRead(bytesPerSec: number | null): number {
  if (throttle) {
    clearInterval(throttle)
    throttle = null
  }
  let n = 0
  for (const c of clients) {
    if (!c.ws) continue
    n++
    readAt(c, bytesPerSec)
  }
  if (bytesPerSec !== null && bytesPerSec > 0) startThrottle(bytesPerSec)
  return n
}

function readAt(c: Client, bytesPerSec: number | null): void {
  const ws = c.ws
  if (!ws) return
  c.slow = bytesPerSec !== null
  c.debt = bytesPerSec === 0 ? Number.POSITIVE_INFINITY : 0
  if (bytesPerSec === 0) ws.pause()
  else if (ws.isPaused) ws.resume()
}

function open(c: Client, spec: ConnectSpec): Promise<string> {
  return new Promise((resolve, reject) => {
    const centrifugo = spec.protocol === 'centrifugo'
    const q = new URLSearchParams()
    if (spec.batch && !centrifugo) {
      q.set('batch', '1')
      if (spec.deflate) q.set('deflate', '1')
    }
    const byUrl = spec.urlSubscribe === true && !centrifugo
    if (byUrl) {
      q.set('channels', spec.channels.join(','))
      q.set('id', 'b')
      if (spec.resume && c.position) q.set('since', c.position)
    }
    const query = q.toString()
    const url = query === '' ? spec.url : `${spec.url}${spec.url.includes('?') ? '&' : '?'}${query}`
    const ws = new WebSocket(url, {
      perMessageDeflate: spec.deflate === true,
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
    c.onRefused = (why) => fail(new Error(`refused: ${why}`))
    ws.on('open', () => {
      if (centrifugo) c.subscribing = spec.channels.length
      const sub: Record<string, unknown> = { type: 'subscribe', id: 'b', channels: spec.channels }
      if (spec.resume && c.position) sub.since = c.position
      c.onSubscribed = (replay) => {
        if (spec.slowBytesPerSec !== undefined) {
          readAt(c, spec.slowBytesPerSec)
          if (spec.slowBytesPerSec > 0) startThrottle(spec.slowBytesPerSec)
        }
        subscribed = true
        settled = true
        clearTimeout(timer)
        resolve(replay)
      }
      if (!byUrl) ws.send(centrifugo ? connectFrame(spec.channels) : JSON.stringify(sub))
    })
    const batch = spec.batch === true
    if (centrifugo) ws.on('message', (data) => onCentrifugoFrame(c, ws, data as Buffer))
    else ws.on('message', (data) => onFrame(c, data as Buffer, batch))
    ws.on('close', (code, reason) => {
      if (c.ws === ws) {
        c.ws = null
        c.slow = false
        if (subscribed) {
          closedUnexpectedly++
          closeCodes[String(code)] = (closeCodes[String(code)] ?? 0) + 1
          const why = `${code} ${reason.toString().replace(/\d+/g, 'N')}`
          closeReasons[why] = (closeReasons[why] ?? 0) + 1
        }
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
      clients.push({
        ws: null,
        position: null,
        seen: new Uint8Array(0),
        got: 0,
        doneUs: 0,
        onSubscribed: null,
        subscribing: 0,
        onRefused: null,
        extraSeen: [],
        extraGot: [],
        gapped: 0,
        slow: false,
        debt: 0,
      })
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
    closeCodes = {}
    closeReasons = {}
    gapMessages = gapShed = gapConflated = 0
    extras = (spec.extra ?? []).map((e) => ({
      tag: e.tag,
      count: e.count,
      hist: new Histogram(),
      complete: 0,
      distinct: 0,
      duplicates: 0,
      lastUs: 0,
    }))
    for (const c of clients) {
      c.seen = new Uint8Array(spec.count)
      c.got = 0
      c.doneUs = 0
      c.extraSeen = extras.map((e) => new Uint8Array(e.count))
      c.extraGot = extras.map(() => 0)
      c.gapped = 0
    }
    cpu0 = process.cpuUsage()
    return null
  },
  progress(): Progress {
    const open = clients.filter((c) => c.ws !== null)
    return {
      clients: open.length,
      complete,
      distinct,
      duplicates,
      other,
      extra: extras.map((e) => ({ complete: e.complete, distinct: e.distinct })),
      accounted: open.filter((c) => unaccountedOf(c) === 0).length,
    }
  },
  result(): TrackResult {
    const d = process.cpuUsage(cpu0)
    const doneUs = clients.filter((c) => c.doneUs > 0).map((c) => c.doneUs)
    doneUs.sort((a, b) => a - b)
    const open = clients.filter((c) => c.ws !== null)
    const extraResults: TagResult[] = extras.map((e, k) => {
      let missingOpen = 0
      let missingClosed = 0
      for (const c of clients) {
        const m = e.count - (c.extraGot[k] ?? 0)
        if (c.ws !== null) missingOpen += m
        else missingClosed += m
      }
      return {
        tag: e.tag,
        count: e.count,
        latency: e.hist.toJSON(),
        complete: e.complete,
        distinct: e.distinct,
        duplicates: e.duplicates,
        missingOpen,
        missingClosed,
        lastUs: e.lastUs,
      }
    })
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
      missingOpen: open.reduce((a, c) => a + track.count - c.got, 0),
      closed: closedUnexpectedly,
      closeCodes,
      closeReasons,
      gaps: { messages: gapMessages, shed: gapShed, conflated: gapConflated },
      unaccounted: open.filter((c) => unaccountedOf(c) !== 0).length,
      extraResults,
      cpu: { user: d.user, system: d.system },
    }
  },
  /** How fast the open clients read from now on: null = full speed, 0 = not at all, else bytes/s. */
  read: (spec: { bytesPerSec: number | null }) => setRead(spec.bytesPerSec),
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
