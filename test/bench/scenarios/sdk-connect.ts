// sdk-connect (issue 18, connection set-up): how long a reader using the SDK waits for its
// subscription, on a link with a round-trip time, now that the SDK names it in the stream's URL
// (services/client README, "On the wire"). Baseline in the same run: the same SDK made to send
// it as a message, as every SDK before stop 53 did (its URL stripped of the view, the
// `newswire.url-subscription` offer left out: exactly the older requests). The real fan-out, a
// relay adding the RTT (TCP handshake included: delay-link.ts); measured per WebSocket, from its
// construction to its first message (`subscribed`), for the first connect and for a resume.
// With --centrifugo, the peer too (Centrifugo v6.9.1, lib/centrifugo.ts): a client at its best,
// `connect` and `subscribe` in one frame as the socket opens, timed to the `subscribe` reply.
import { connect } from '../../../services/client/src/index.ts'
import type { WebSocketConstructor } from '../../../services/client/src/types.ts'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { repoRoot } from '../../../deploy/local/broker.ts'
import { CENTRIFUGO_VERSION, ensureCentrifugo, startCentrifugoServer } from '../lib/centrifugo.ts'
import { CENTRIFUGO_WS_PATH, classifyLine, connectFrame } from '../lib/centrifugo-protocol.ts'
import { startDelayLink } from '../lib/delay-link.ts'
import { sleep, Source, startFanoutServer } from '../lib/fanout-bench.ts'
import { createTopics, deleteTopics, withAdmin } from '../lib/kafka.ts'
import type { Scenario, ScenarioContext } from '../lib/scenario.ts'
import { list, num } from '../lib/scenario.ts'
import { percentileSorted } from '../lib/stats.ts'

type Variant = 'url' | 'message'
interface Sample {
  connectMs: number
  resumeMs: number
}

/** A `ws` WebSocket that reports how long it waited for its first message; `message`: as the SDK before stop 53 asked. */
function timedSocket(variant: Variant, waits: number[]): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string, protocols?: string[]) {
      let u = url
      let p = protocols
      if (variant === 'message') {
        const parsed = new URL(url)
        for (const k of [...parsed.searchParams.keys()]) if (k !== 'batch' && k !== 'token') parsed.searchParams.delete(k)
        u = parsed.href
        p = protocols?.filter((x) => x !== 'newswire.url-subscription')
      }
      super(u, p)
      const t0 = performance.now()
      this.once('message', () => waits.push(performance.now() - t0))
    }
  }
}

/** One reader: connect, wait for its subscription, lose the link, wait for the resumed one. */
async function once(base: string, variant: Variant): Promise<Sample> {
  const waits: number[] = []
  const sockets: WebSocket[] = []
  const Timed = timedSocket(variant, waits)
  const Tracked = class extends (Timed as unknown as typeof WebSocket) {
    constructor(url: string, protocols?: string[]) {
      super(url, protocols)
      sockets.push(this)
    }
  }
  const client = connect(base, {
    channels: ['breaking'],
    WebSocket: Tracked as unknown as WebSocketConstructor,
    transport: 'websocket',
    backoff: { minMs: 0, maxMs: 10 },
    random: () => 0,
  })
  try {
    await until(() => waits.length >= 1 && client.position !== null, 'first subscription')
    sockets.at(-1)?.terminate()
    await until(() => waits.length >= 2, 'resumed subscription')
    return { connectMs: waits[0] ?? 0, resumeMs: waits[1] ?? 0 }
  } finally {
    await client.close()
  }
}

/** A Centrifugo client's wait, from its socket's construction to the reply to its `subscribe`. */
async function centrifugoOnce(base: string): Promise<number> {
  const t0 = performance.now()
  const ws = new WebSocket(`${base}${CENTRIFUGO_WS_PATH}`)
  try {
    return await new Promise<number>((resolve, reject) => {
      ws.on('open', () => ws.send(connectFrame(['breaking'])))
      ws.on('message', (data: Buffer) => {
        for (const line of data.toString('utf8').split('\n')) {
          const kind = classifyLine(Buffer.from(line))
          if (kind === 'subscribed') resolve(performance.now() - t0)
          else if (kind === 'error') reject(new Error(`centrifugo: ${line}`))
        }
      })
      ws.on('error', reject)
    })
  } finally {
    ws.terminate()
  }
}

async function until(done: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > end) throw new Error(`sdk-connect: no ${what} within ${timeoutMs} ms`)
    await sleep(2)
  }
}

const median = (xs: number[]) =>
  percentileSorted(
    [...xs].sort((a, b) => a - b),
    50,
  )
const p90 = (xs: number[]) =>
  percentileSorted(
    [...xs].sort((a, b) => a - b),
    90,
  )

const scenario: Scenario = {
  name: 'sdk-connect',
  summary: 'an SDK reader waiting for its subscription on a link with an RTT: named in the URL vs sent as a message',
  options: {
    rtt: { type: 'string' },
    readers: { type: 'string' },
    snapshot: { type: 'string' },
    centrifugo: { type: 'boolean', default: false },
  },
  help: `  --rtt LIST        round-trip times in ms (default 0,50,150; --quick 0,100)
  --readers N       readers per variant and RTT, one at a time, the variants in turn (default 20; --quick 8)
  --snapshot N      breaking stories in every snapshot (default 20)
  --centrifugo      and the peer, Centrifugo ${CENTRIFUGO_VERSION} (built into .cache/centrifugo/ on first use)`,
  maxSeconds: (v) => (v.quick ? 180 : 600),

  async run(ctx) {
    const v = ctx.values
    const quick = v.quick === true
    const { report } = ctx
    const rtts = list(v, 'rtt', quick ? '0,100' : '0,50,150').map(Number)
    const readers = num(v, 'readers', quick ? 8 : 20)
    const stories = num(v, 'snapshot', 20)
    const prefix = `bench-sdk-${ctx.runId}.`
    report.note(
      `real fan-out behind a relay adding the RTT (the TCP handshake's too); ${stories} breaking stories in each snapshot; time = a WebSocket's construction to its first message`,
    )
    const topics = await withAdmin(ctx.brokers, (admin) => createTopics(admin, ctx.brokers, prefix, 3))
    const peerBin = v.centrifugo === true ? ensureCentrifugo(report) : null
    const commands = `${prefix}centrifugo.publish`
    if (peerBin)
      await withAdmin(ctx.brokers, (admin) => admin.createTopics({ topics: [{ topic: commands, numPartitions: 3 }], waitForLeaders: true }))
    const source = new Source(ctx)
    try {
      await source.init({ mode: 'kafka', brokers: ctx.brokers, topic: topics.events })
      const server = await startFanoutServer(ctx, prefix, 3, { maxConnections: 1000 })
      const peer = peerBin
        ? await startCentrifugoServer(
            peerBin,
            { brokers: ctx.brokers, topic: commands, group: `${prefix}centrifugo` },
            join(repoRoot, '.cache', 'bench', 'centrifugo'),
          )
        : null
      try {
        await source.run({ phases: [{ tag: 'snap', count: stories }], rate: 0 }, 60_000)
        await sleep(2000)
        const target = new URL(server.wsUrl)
        for (const rtt of rtts) {
          if (ctx.signal.aborted) break
          const link = await startDelayLink({ host: target.hostname, port: Number(target.port) }, rtt)
          try {
            const base = `ws://127.0.0.1:${link.port}`
            const got: Record<Variant, Sample[]> = { url: [], message: [] }
            await once(base, 'url') // warm both paths up, unmeasured
            await once(base, 'message')
            for (let i = 0; i < readers && !ctx.signal.aborted; i++)
              for (const variant of i % 2 === 0 ? (['url', 'message'] as const) : (['message', 'url'] as const))
                got[variant].push(await once(base, variant))
            publish(ctx, rtt, got)
            if (peer) await comparePeer(ctx, peer.wsUrl, rtt, readers, got.url)
          } finally {
            await link.close()
          }
        }
      } finally {
        await peer?.stop().catch((err: unknown) => report.note(`centrifugo: ${err instanceof Error ? err.message : String(err)}`))
        await server.stop().catch((err: unknown) => report.note(`fanout: ${err instanceof Error ? err.message : String(err)}`))
      }
    } finally {
      await source.stop()
      await withAdmin(ctx.brokers, (admin) => deleteTopics(admin, [prefix.slice(0, -1)])).catch(() => undefined)
    }
    return 0
  },
}

/** The peer behind a link of the same RTT: its first subscription against the SDK's (`ours`). */
async function comparePeer(ctx: ScenarioContext, wsUrl: string, rtt: number, readers: number, ours: Sample[]): Promise<void> {
  const target = new URL(wsUrl)
  const link = await startDelayLink({ host: target.hostname, port: Number(target.port) }, rtt)
  try {
    const base = `ws://127.0.0.1:${link.port}`
    await centrifugoOnce(base)
    const waits: number[] = []
    for (let i = 0; i < readers && !ctx.signal.aborted; i++) waits.push(await centrifugoOnce(base))
    const labels = { rtt_ms: rtt, phase: 'connect' }
    const name = `centrifugo-${CENTRIFUGO_VERSION}`
    const mine = ours.map((s) => s.connectMs)
    ctx.report.ratio(labels, 'ms_to_subscribed_p50', median(mine), { name, value: median(waits) })
    ctx.report.ratio(labels, 'ms_to_subscribed_p90', p90(mine), { name, value: p90(waits) })
  } finally {
    await link.close()
  }
}

function publish(ctx: ScenarioContext, rtt: number, got: Record<Variant, Sample[]>): void {
  const { report } = ctx
  for (const phase of ['connect', 'resume'] as const) {
    const pick = (s: Sample) => (phase === 'connect' ? s.connectMs : s.resumeMs)
    const url = got.url.map(pick)
    const message = got.message.map(pick)
    const labels = { rtt_ms: rtt, phase }
    report.ratio(labels, 'ms_to_subscribed_p50', median(url), { name: 'sdk-message-subscribe', value: median(message) })
    report.ratio(labels, 'ms_to_subscribed_p90', p90(url), { name: 'sdk-message-subscribe', value: p90(message) })
    if (rtt >= 20) {
      const saved = median(message) - median(url)
      report.target(labels, 'ms_saved_p50', saved, 'one round trip less: saves >= 0.75 x RTT at the median', saved >= 0.75 * rtt)
    }
  }
}

export default scenario
