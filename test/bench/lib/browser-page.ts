// The reader inside Chromium (browser-batch scenario): bundled with esbuild and injected into one
// page, it opens M WebSocket connections to the fan-out and handles every message as a reader
// does: a MessageEvent per frame, the SDK's own unpacking (services/client/src/batch.ts) when it
// asked for batches, JSON.parse per message, deliveries counted by type. Events of the tracked tag
// (`nwb-<tag>-<seq>-<µs>`, see workers/event-source.ts) are checked off per connection, so the
// harness knows when every connection has every event. Node drives it through page.evaluate.
import { batchUrl, messagesOf } from '../../../services/client/src/batch.ts'

export interface PageConnectResult {
  connected: number
  failed: number
  errors: Record<string, number>
  /** the connections by the extensions Chromium and the server agreed on ('' for none) */
  extensions: Record<string, number>
}

export interface PageCounts {
  connections: number
  /** connections that have every event of the tracked tag */
  complete: number
  /** tracked events received, first copy per connection */
  distinct: number
  duplicates: number
  /** events of other tags (snapshots, probes) */
  other: number
  /** MessageEvents dispatched since track() */
  frames: number
  /** protocol messages parsed since track() */
  messages: number
  types: Record<string, number>
}

export interface BenchPage {
  connect(url: string, count: number, batch: boolean, channels: string[], timeoutMs: number): Promise<PageConnectResult>
  track(tag: string, count: number): void
  /** Resolves true once every connection has every tracked event, false after timeoutMs. */
  waitComplete(timeoutMs: number): Promise<boolean>
  counts(): PageCounts
  disconnect(): Promise<void>
}

interface Conn {
  ws: WebSocket
  seen: Uint8Array
  got: number
}

interface Message {
  type?: string
  event?: { article?: { id?: string } }
}

let conns: Conn[] = []
let tag = ''
let count = 0
let complete = 0
let distinct = 0
let duplicates = 0
let other = 0
let frames = 0
let messages = 0
let types: Record<string, number> = {}
let onComplete: (() => void) | null = null

function handle(c: Conn, text: string): void {
  messages++
  const m = JSON.parse(text) as Message
  const type = m.type ?? '?'
  types[type] = (types[type] ?? 0) + 1
  if (type !== 'event') return
  // nwb-<tag>-<seq>-<µs>
  const parts = (m.event?.article?.id ?? '').split('-')
  const seq = Number(parts[2])
  if (parts[0] !== 'nwb' || parts[1] !== tag || !(seq < count)) {
    other++
    return
  }
  if (c.seen[seq] === 1) {
    duplicates++
    return
  }
  c.seen[seq] = 1
  distinct++
  if (++c.got === count && ++complete === conns.length) onComplete?.()
}

function open(url: string, batch: boolean, channels: string[], timeoutMs: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(batch ? batchUrl(url) : url)
    const c: Conn = { ws, seen: new Uint8Array(0), got: 0 }
    let subscribed = false
    const timer = setTimeout(() => {
      ws.close()
      reject(new Error('no subscribed within timeout'))
    }, timeoutMs)
    ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', id: 'b', channels }))
    ws.onmessage = (e: MessageEvent<string>) => {
      frames++
      if (!subscribed && e.data.startsWith('{"type":"subscribed"')) {
        subscribed = true
        clearTimeout(timer)
        resolve(c)
      }
      if (batch) for (const text of messagesOf(e.data)) handle(c, text)
      else handle(c, e.data)
    }
    ws.onclose = (e) => {
      clearTimeout(timer)
      if (!subscribed) reject(new Error(`closed ${e.code} before subscribed`))
    }
  })
}

const page: BenchPage = {
  async connect(url, n, batch, channels, timeoutMs) {
    const errors: Record<string, number> = {}
    const extensions: Record<string, number> = {}
    let failed = 0
    const rs = await Promise.allSettled(Array.from({ length: n }, () => open(url, batch, channels, timeoutMs)))
    for (const r of rs) {
      if (r.status === 'fulfilled') {
        conns.push(r.value)
        extensions[r.value.ws.extensions] = (extensions[r.value.ws.extensions] ?? 0) + 1
      } else {
        failed++
        const why = r.reason instanceof Error ? r.reason.message : String(r.reason)
        errors[why] = (errors[why] ?? 0) + 1
      }
    }
    return { connected: conns.length, failed, errors, extensions }
  },
  track(t, n) {
    tag = t
    count = n
    complete = distinct = duplicates = other = frames = messages = 0
    types = {}
    for (const c of conns) {
      c.seen = new Uint8Array(n)
      c.got = 0
    }
  },
  waitComplete(timeoutMs) {
    if (complete === conns.length) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        onComplete = null
        resolve(false)
      }, timeoutMs)
      onComplete = () => {
        clearTimeout(timer)
        onComplete = null
        resolve(true)
      }
    })
  },
  counts: () => ({ connections: conns.length, complete, distinct, duplicates, other, frames, messages, types: { ...types } }),
  async disconnect() {
    const closing = conns.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.ws.readyState === WebSocket.CLOSED) resolve()
          else {
            c.ws.onclose = () => resolve()
            c.ws.close()
          }
        }),
    )
    conns = []
    await Promise.all(closing)
  },
}

;(globalThis as unknown as { benchPage: BenchPage }).benchPage = page
