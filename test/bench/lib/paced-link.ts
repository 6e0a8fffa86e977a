// A phone's download link without DevTools (browser-batch --pace): a TCP relay in the harness
// between the page and the fan-out that hands the page the fan-out's bytes at a preset's rate, a
// few kilobytes every 5 ms, shared by the page's connections as one link is. CDP's network
// emulation reaches WebSockets only with the Network domain on, whose per-frame reports to DevTools
// are work no reader does (phone.ts); this keeps the page as the default run has it. Upload (the
// page's subscribe) passes unpaced; no added latency (it moves delivery times, not the CPU a
// delivery costs).
import net from 'node:net'

/** Bytes each connection may be handed this tick: even shares, what one cannot use goes to the others. */
export function shareBudget(pending: readonly number[], budget: number): number[] {
  const out = pending.map(() => 0)
  let left = Math.floor(budget)
  let open = pending.flatMap((p, i) => (p > 0 ? [i] : []))
  while (left > 0 && open.length > 0) {
    const each = Math.floor(left / open.length)
    const extra = left % open.length
    const next: number[] = []
    for (const [k, i] of open.entries()) {
      const give = Math.min((pending[i] ?? 0) - (out[i] ?? 0), each + (k < extra ? 1 : 0))
      out[i] = (out[i] ?? 0) + give
      left -= give
      if ((out[i] ?? 0) < (pending[i] ?? 0)) next.push(i)
    }
    open = next
  }
  return out
}

const TICK_MS = 5
/** Past this a connection's upstream is paused, so the fan-out sees a slow reader as it would. */
const HIGH_WATER = 1024 * 1024

interface Pipe {
  client: net.Socket
  upstream: net.Socket
  queue: Buffer[]
  queued: number
  ended: boolean
}

export class PacedLink {
  readonly #server: net.Server
  readonly #timer: NodeJS.Timeout
  readonly #pipes = new Set<Pipe>()
  readonly bytesPerSecond: number
  #last = performance.now()

  private constructor(server: net.Server, bytesPerSecond: number) {
    this.#server = server
    this.bytesPerSecond = bytesPerSecond
    this.#timer = setInterval(() => this.#tick(), TICK_MS)
  }

  /** A relay on 127.0.0.1 to `target` (host:port), pacing what `target` sends at bytesPerSecond. */
  static async start(target: { host: string; port: number }, bytesPerSecond: number): Promise<PacedLink> {
    let link: PacedLink | null = null
    const server = net.createServer((client) => link?.accept(client, target))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    link = new PacedLink(server, bytesPerSecond)
    return link
  }

  /** `wsUrl` with its host and port replaced by the relay's. */
  url(wsUrl: string): string {
    const u = new URL(wsUrl)
    u.host = `127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`
    return u.toString()
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    const upstream = net.connect(target.port, target.host)
    const p: Pipe = { client, upstream, queue: [], queued: 0, ended: false }
    this.#pipes.add(p)
    client.pipe(upstream)
    upstream.on('data', (chunk: Buffer) => {
      p.queue.push(chunk)
      p.queued += chunk.length
      if (p.queued > HIGH_WATER) upstream.pause()
    })
    upstream.on('end', () => {
      p.ended = true
    })
    const drop = () => {
      this.#pipes.delete(p)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop)
  }

  #tick(): void {
    const now = performance.now()
    // a late timer's tick carries its share, up to four ticks' worth: no burst after a stall
    const budget = (this.bytesPerSecond * Math.min(now - this.#last, 4 * TICK_MS)) / 1000
    this.#last = now
    const pipes = [...this.#pipes]
    const shares = shareBudget(
      pipes.map((p) => p.queued),
      budget,
    )
    for (const [i, p] of pipes.entries()) {
      let give = shares[i] ?? 0
      while (give > 0 && p.queue.length > 0) {
        const head = p.queue[0] as Buffer
        const part = head.length <= give ? head : head.subarray(0, give)
        if (part === head) p.queue.shift()
        else p.queue[0] = head.subarray(give)
        p.client.write(part)
        p.queued -= part.length
        give -= part.length
      }
      if (p.queued < HIGH_WATER / 4 && p.upstream.isPaused()) p.upstream.resume()
      if (p.ended && p.queued === 0) {
        this.#pipes.delete(p)
        p.client.end()
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer)
    for (const p of this.#pipes) {
      p.client.destroy()
      p.upstream.destroy()
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}
