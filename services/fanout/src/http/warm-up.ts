// Start-up warm-up of the connection path: before the process says it is ready, it opens
// FANOUT_WARM_UP_CONNECTIONS (1,000) WebSocket connections to itself (a private listener on
// loopback, through the real upgrade, admission, subscribe and `subscribed` write) and closes
// them. A fresh process otherwise compiles that path on the first real connections, and after a
// deploy the first real connections are every client of the old process reconnecting at once: the
// storm met a path not yet compiled (half again the CPU a connection at 1,000 clients; docs/benchmarks.md,
// "Stop 50: warming the connection path").
import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocket } from 'ws'

export interface WarmUpOptions {
  /** Connections to open and close; 0 skips the warm-up. */
  connections: number
  /** The stream endpoint's upgrade (websocket.ts), bypassing readiness: nothing else is served yet. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void
  /** How many are open at once (32; no more than the per-address limit allows). */
  concurrency?: number
  /** Gives up (the process starts cold) after this long. */
  timeoutMs?: number
  /** At most this many resumes (they take the resume gate's tokens: half its rate leaves real clients the rest). */
  resumes?: number
}

export interface WarmUpResult {
  /** Connections that got their `subscribed`. */
  connected: number
  ms: number
}

/** A subscription every process answers from memory: the public breaking-news channel, live only. */
const subscribe = (since: string | null) => JSON.stringify({ type: 'subscribe', id: 'warm-up', channels: ['breaking'], since })

/**
 * Taken in turn: plain frames (raw clients, apps), the compressed batches the SDK asks for in a
 * browser, a resume from a position an earlier one was given (what clients reconnecting after a
 * deploy send), and the same subscription named in the URL (no message sent).
 */
const KINDS = [
  { query: '', deflate: false, resume: false, inUrl: false },
  { query: '?batch=1&deflate=1', deflate: true, resume: false, inUrl: false },
  { query: '', deflate: false, resume: true, inUrl: false },
  { query: '?channels=breaking&id=warm-up', deflate: false, resume: false, inUrl: true },
] as const
type Kind = (typeof KINDS)[number]

export async function warmUp(o: WarmUpOptions): Promise<WarmUpResult> {
  const started = performance.now()
  if (o.connections <= 0) return { connected: 0, ms: 0 }
  const server = createServer((_req, res) => {
    res.writeHead(404).end()
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    o.upgrade(req, socket, head, new URL(req.url ?? '/', 'http://warm-up'))
  })
  // no loopback to listen on: the process starts cold, as it did before the warm-up
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(0, '127.0.0.1', () => resolve(true))
  })
  if (!listening) return { connected: 0, ms: performance.now() - started }
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/stream`
  const deadline = started + (o.timeoutMs ?? 10_000)
  let next = 0
  let connected = 0
  let resumes = o.resumes ?? Number.POSITIVE_INFINITY
  /** The last position a fresh subscription was given. */
  let position: string | null = null
  const one = (kind: Kind) =>
    new Promise<void>((resolve) => {
      const since = kind.resume && position !== null && resumes-- > 0 ? position : null
      const ws = new WebSocket(url + kind.query, { perMessageDeflate: kind.deflate })
      const timer = setTimeout(() => ws.terminate(), Math.max(0, deadline - performance.now()))
      if (!kind.inUrl) ws.on('open', () => ws.send(subscribe(since)))
      ws.on('message', (data) => {
        const text = String(data)
        if (text.startsWith('{"type":"subscribed"')) {
          connected++
          if (since === null && !kind.deflate) position = (JSON.parse(text) as { position?: string }).position ?? position
        }
        ws.close(1000)
      })
      ws.on('error', () => undefined)
      ws.on('close', () => {
        clearTimeout(timer)
        resolve()
      })
    })
  const lane = async () => {
    while (next < o.connections && performance.now() < deadline) {
      await one(KINDS[next++ % KINDS.length] as Kind)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 32, o.connections) }, lane))
  } finally {
    // stops listening; an upgraded socket is the endpoint's until its client's close reaches it
    server.close()
  }
  return { connected, ms: performance.now() - started }
}
