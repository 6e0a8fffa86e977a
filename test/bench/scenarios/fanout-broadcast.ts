// fanout-broadcast (issue #8): N WebSocket clients subscribed to `breaking`, Bengali article
// events (Avro, 600 B - 2 KB; about 2 KB as a JSON message) published to Kafka at a steady rate
// and in one burst. The same clients and bytes go, in the same run, through:
//   fanout                 the real service (services/fanout/src/main.ts) in its own process
//   fanout-batch           the same, with clients that ask for batches (?batch=1): several
//                          messages in one frame, one per line; client CPU is compared with fanout's
//   fanout-deflate         compressed batches (FANOUT_BATCH_DEFLATE, on by default): a group's batches
//                          compressed (permessage-deflate) once per write; clients ask ?batch=1&deflate=1
//   baseline-b-preframed   raw server: frame once, one socket.write per client per tick
//   baseline-a-ws-send     plain ws server: ws.send(pre-serialized buffer) per client per message
//   centrifugo-v6.9.1      the peer (only when named in --servers; lib/centrifugo.ts): Centrifugo
//                          with the memory engine, its Kafka consumer reading `publish` commands that
//                          the source sends in the same request as the events
// Each server gets topics of its own, fresh, so every fan-out starts from the same few events; the
// baselines consume theirs with kafkajs, so latency is Kafka send -> client for all.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../../../deploy/local/broker.ts'
import type { ServerUnderTest } from '../lib/fanout-bench.ts'
import {
  checkFds,
  ClientPool,
  probe,
  sleep,
  Source,
  startBaselineServer,
  startFanoutServer,
  summarizeProfiles,
} from '../lib/fanout-bench.ts'
import { CENTRIFUGO_VERSION, ensureCentrifugo, startCentrifugoServer } from '../lib/centrifugo.ts'
import { encodedSizes } from '../lib/fixture.ts'
import { createTopics, deleteTopics, withAdmin } from '../lib/kafka.ts'
import { machineCpuPercent, procStat } from '../lib/machine.ts'
import type { Scenario, ScenarioContext } from '../lib/scenario.ts'
import { list, num } from '../lib/scenario.ts'
import { summarize } from '../lib/stats.ts'
import type { PhaseFigures, ServerFigures, ServerKind } from '../lib/broadcast-figures.ts'
import { kinds, mergePhases, publish } from '../lib/broadcast-figures.ts'
import { medianTargets, met, targetsOf } from '../lib/broadcast-targets.ts'
import type { Target } from '../lib/broadcast-targets.ts'
import { fmt, labelText } from '../lib/report.ts'

function perN(spec: string, n: number, fallback: number): number {
  // "1000:50,10000:5" or a single number for every N
  if (/^\d+(\.\d+)?$/.test(spec)) return Number(spec)
  for (const part of spec.split(',')) {
    const [k, v] = part.split(':')
    if (Number(k) === n && v !== undefined) return Number(v)
  }
  return fallback
}

const scenario: Scenario = {
  name: 'fanout-broadcast',
  summary: 'N WebSocket clients on `breaking`: fan-out vs raw ws.send and pre-framed baselines (steady rate + burst)',
  options: {
    clients: { type: 'string' },
    rate: { type: 'string' },
    burst: { type: 'string' },
    bursts: { type: 'string' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    servers: { type: 'string' },
    'client-procs': { type: 'string' },
    'connect-concurrency': { type: 'string' },
    partitions: { type: 'string' },
    channel: { type: 'string' },
    urgency: { type: 'string' },
    workers: { type: 'string' },
    'fanout-flags': { type: 'string' },
    'deflate-level': { type: 'string' },
    subscribe: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'keep-topics': { type: 'boolean', default: false },
  },
  help: `  --clients LIST            client counts (default 1000,10000; --quick 1000)
  --rate SPEC               steady events/s, one number or per N "1000:50,10000:5" (default 1000:50,10000:5,50000:1)
  --burst SPEC              events in the burst, one number or per N (default 1000:200,10000:50,50000:10; --quick 100)
  --bursts K                bursts per server, measured as one (default 5; --quick 1): a burst lasts well under
                            a second at 1,000 clients, where one run's CPU figure varies by a third
  --rounds R                every server R times per client count, in the same order each round (default
                            1): each round prints its figures, and the targets are judged (and --check
                            gates) on the median of the rounds
  --duration S              measured seconds of the steady phase (default 10; --quick 3)
  --warmup S                unmeasured seconds before it (default 2; --quick 1)
  --servers LIST            fanout,fanout-batch,fanout-deflate,preframed,ws-send,centrifugo (default fanout,
                            fanout-batch,preframed,ws-send, in that order); fanout-deflate: compressed
                            batches (clients ask ?batch=1&deflate=1: a group's batches compressed once per write); centrifugo: Centrifugo ${CENTRIFUGO_VERSION}, built into .cache/centrifugo/ on first
                            use (Go and the module proxy; CENTRIFUGO_BIN for another build)
  --client-procs N          client processes (default 2)
  --connect-concurrency N   connections opening at once per client process (default 200)
  --partitions N            partitions of the bench topics (default 6)
  --channel C               the clients' channel (default breaking)
  --urgency U               urgency of the events (default 1; e.g. --channel category:international --urgency 5
                            for routine-lane events, which the fan-out batches instead of flushing at once)
  --workers N               FANOUT_WORKERS of the fan-out: N processes behind one port (default 1); server CPU,
                            writes and RSS add up all of them, event-loop delay is the primary's only
  --fanout-flags=F,...      extra node flags for the fan-out process, after an = sign (e.g. --fanout-flags=--max-semi-space-size=4)
  --deflate-level L         zlib level of compressed batches (FANOUT_BATCH_DEFLATE_LEVEL; default the fan-out's, 1; 0: stored blocks)
  --subscribe HOW           how the newswire-protocol clients (fan-out, preframed, ws-send) subscribe: message (default:
                            a \`subscribe\` message once open) or url (the subscription named in the /v1/stream URL,
                            answered with the handshake: one round trip and one write fewer; the baselines do the same)
  --profile                 run the fan-out under node --cpu-prof and print its top functions
  --keep-topics             keep the bench-fanout-* topics`,
  maxSeconds: (v) => (v.quick ? 150 : 1200) * Math.max(1, num(v, 'rounds', 1)),

  async run(ctx) {
    const v = ctx.values
    const quick = v.quick === true
    const { report } = ctx
    const counts = list(v, 'clients', quick ? '1000' : '1000,10000').map(Number)
    const rateSpec = typeof v.rate === 'string' ? v.rate : '1000:50,10000:5,50000:1'
    const burstSpec = typeof v.burst === 'string' ? v.burst : quick ? '100' : '1000:200,10000:50,50000:10'
    const bursts = num(v, 'bursts', quick ? 1 : 5)
    const rounds = num(v, 'rounds', 1)
    const durationS = num(v, 'duration', quick ? 3 : 10)
    const warmupS = num(v, 'warmup', quick ? 1 : 2)
    const servers = list(v, 'servers', 'fanout,fanout-batch,preframed,ws-send') as ServerKind[]
    for (const s of servers) if (!kinds.includes(s)) throw new Error(`unknown server '${s}'`)
    const centrifugoBin = servers.includes('centrifugo') ? ensureCentrifugo(report) : null
    const procs = num(v, 'client-procs', 2)
    const connectConcurrency = num(v, 'connect-concurrency', 200)
    const partitions = num(v, 'partitions', 6)
    const profile = v.profile === true
    const channel = typeof v.channel === 'string' ? v.channel : 'breaking'
    const urgency = num(v, 'urgency', 1)
    const workers = num(v, 'workers', 1)
    const nodeFlags = typeof v['fanout-flags'] === 'string' ? v['fanout-flags'].split(',').filter(Boolean) : []
    const subscribe = typeof v.subscribe === 'string' ? v.subscribe : 'message'
    if (subscribe !== 'message' && subscribe !== 'url') throw new Error(`--subscribe must be message or url, got '${subscribe}'`)
    const maxN = Math.max(...counts)
    checkFds(Math.ceil(maxN / procs), maxN)

    const sizes = encodedSizes()
    report.note(
      `events: Avro from the Bengali sample, ${Math.min(...sizes)}-${Math.max(...sizes)} B encoded (urgency ${urgency}; clients on ${channel}); the WebSocket message is the event JSON in an envelope, about 1.3-2.5 KB`,
    )
    // a fresh topic set per client count: the fan-out's `subscribed` snapshot (latest 50 matching
    // articles) then holds the same few probe events at every N instead of the previous N's events
    const runPrefix = `bench-fanout-${ctx.runId}`
    report.note(
      `topics: ${runPrefix}-n<N>.<server>.news.article-events, a topic per server (${partitions} partitions); client processes: ${procs}; latency = Kafka send -> client`,
    )
    const profileDir = profile ? join(repoRoot, '.cache', 'bench', 'profiles', ctx.runId) : null
    if (profileDir) mkdirSync(profileDir, { recursive: true })

    let baselineSeq = 0
    const round: Omit<RoundOptions, 'prefix' | 'n' | 'rate' | 'burst'> = {
      servers,
      centrifugoBin,
      partitions,
      urgency,
      channel,
      profileDir,
      nodeFlags,
      deflateLevel: typeof v['deflate-level'] === 'string' ? num(v, 'deflate-level', 1) : null,
      workers,
      procs,
      bursts,
      durationS,
      warmupS,
      connectConcurrency,
      urlSubscribe: subscribe === 'url',
      nextSeq: () => baselineSeq++,
    }
    try {
      for (const n of counts) {
        if (ctx.signal.aborted) break
        const rate = perN(rateSpec, n, 5)
        const burst = perN(burstSpec, n, 50)
        const judged: Target[][] = []
        for (let r = 1; r <= rounds && !ctx.signal.aborted; r++) {
          const prefix = `${runPrefix}-n${n}${rounds > 1 ? `-r${r}` : ''}.`
          const figures = await runRound(ctx, { ...round, prefix, n, rate, burst })
          const targets = targetsOf(n, rate, figures)
          if (rounds === 1) {
            publish(ctx, n, rate, burst, figures)
            for (const t of targets) report.target(t.labels, t.metric, t.value, t.detail ? `${t.text} ${t.detail}` : t.text, met(t))
          } else {
            publish(ctx, n, rate, burst, figures, { round: r })
            for (const t of targets)
              report.note(
                `round ${r} of ${rounds}: ${labelText(t.labels)} ${t.metric}=${fmt(t.value)} target="${t.text}" ${met(t) ? 'met' : 'missed'}`,
              )
            judged.push(targets)
          }
        }
        // the verdict of several rounds: each target's median
        for (const t of medianTargets(judged)) report.target(t.labels, t.metric, t.value, `median of the rounds: ${t.text}`, met(t))
      }
    } finally {
      if (v['keep-topics'] !== true) {
        await withAdmin(ctx.brokers, (admin) => deleteTopics(admin, [runPrefix])).catch((err: unknown) =>
          report.note(`could not delete bench topics: ${err instanceof Error ? err.message : String(err)}`),
        )
      }
    }
    if (profileDir) summarizeProfiles(report, profileDir)
    return 0
  },
}

interface RoundOptions {
  /** Topic prefix of this round (each server adds its name): fresh topics, so each server's snapshots hold the same few events. */
  prefix: string
  n: number
  rate: number
  burst: number
  servers: readonly ServerKind[]
  centrifugoBin: string | null
  partitions: number
  urgency: number
  channel: string
  profileDir: string | null
  nodeFlags: string[]
  /** FANOUT_BATCH_DEFLATE_LEVEL of the fan-out; null: its default */
  deflateLevel: number | null
  workers: number
  procs: number
  bursts: number
  durationS: number
  warmupS: number
  connectConcurrency: number
  /** The clients name their subscription in the URL instead of sending `subscribe`. */
  urlSubscribe: boolean
  /** Numbers the baselines' and Centrifugo's consumer groups, unique over the whole run. */
  nextSeq: () => number
}

/** One round at one client count: every server in turn, on its own topics and event source. */
async function runRound(ctx: ScenarioContext, o: RoundOptions): Promise<Map<ServerKind, ServerFigures>> {
  const { report } = ctx
  const { n, partitions, channel, centrifugoBin, profileDir } = o
  const figures = new Map<ServerKind, ServerFigures>()
  for (const kind of o.servers) {
    if (ctx.signal.aborted) break
    // Topics of this server alone: a fan-out reads its topic's history, and on a topic the servers
    // before it filled, its clients' `subscribed` snapshots held 50 articles where the first
    // server's held none (30-40 us more per connect for whichever came second, stop 41)
    const prefix = `${o.prefix}${kind}.`
    const topics = await withAdmin(ctx.brokers, (admin) => createTopics(admin, ctx.brokers, prefix, partitions))
    // Centrifugo's `publish` commands, one per event, keyed like the event
    const commands = `${prefix}centrifugo.publish`
    if (centrifugoBin && kind === 'centrifugo')
      await withAdmin(ctx.brokers, (admin) =>
        admin.createTopics({ topics: [{ topic: commands, numPartitions: partitions }], waitForLeaders: true }),
      )
    const source = new Source(ctx)
    try {
      await source.init({
        mode: 'kafka',
        brokers: ctx.brokers,
        topic: topics.events,
        urgency: o.urgency,
        ...(centrifugoBin && kind === 'centrifugo' ? { centrifugo: { topic: commands, channel } } : {}),
      })
      let server: ServerUnderTest
      if (kind === 'fanout' || kind === 'fanout-batch' || kind === 'fanout-deflate') {
        const env: Record<string, string> = {}
        if (o.workers > 1) env.FANOUT_WORKERS = String(o.workers)
        if (o.deflateLevel !== null) env.FANOUT_BATCH_DEFLATE_LEVEL = String(o.deflateLevel)
        server = await startFanoutServer(ctx, prefix, partitions, { profileDir, maxConnections: n, nodeFlags: o.nodeFlags, env })
        server.name = kind
      } else if (kind === 'centrifugo') {
        if (centrifugoBin === null) throw new Error('no Centrifugo binary')
        const group = `${prefix}centrifugo-${o.nextSeq()}`
        // from the end of the topic, as the baselines' consumers
        await withAdmin(ctx.brokers, (admin) => admin.resetOffsets({ groupId: group, topic: commands, earliest: false }))
        server = await startCentrifugoServer(
          centrifugoBin,
          { brokers: ctx.brokers, topic: commands, group },
          join(repoRoot, '.cache', 'bench', 'centrifugo'),
        )
      } else {
        server = await startBaselineServer(
          ctx,
          {
            strategy: kind,
            brokers: ctx.brokers,
            topic: topics.events,
            partitions,
            groupId: `${prefix}baseline-${o.nextSeq()}`,
            channel,
          },
          profileDir,
        )
      }
      const pool = new ClientPool(ctx, n, o.procs)
      try {
        await pool.ready()
        figures.set(
          kind,
          await runOne(ctx, server, pool, source, {
            n,
            rate: o.rate,
            burst: o.burst,
            bursts: o.bursts,
            durationS: o.durationS,
            warmupS: o.warmupS,
            connectConcurrency: o.connectConcurrency,
            channel,
            batch: kind === 'fanout-batch' || kind === 'fanout-deflate',
            deflate: kind === 'fanout-deflate',
            centrifugo: kind === 'centrifugo',
            urlSubscribe: o.urlSubscribe && kind !== 'centrifugo',
          }),
        )
      } finally {
        await pool.stop()
        await server.stop().catch((err: unknown) => report.note(`${server.name}: ${err instanceof Error ? err.message : String(err)}`))
      }
    } finally {
      await source.stop()
    }
    await sleep(1000)
  }
  return figures
}

async function runOne(
  ctx: ScenarioContext,
  server: ServerUnderTest,
  pool: ClientPool,
  source: Source,
  o: {
    n: number
    rate: number
    burst: number
    bursts: number
    durationS: number
    warmupS: number
    connectConcurrency: number
    channel: string
    batch: boolean
    deflate: boolean
    centrifugo: boolean
    urlSubscribe: boolean
  },
): Promise<ServerFigures> {
  const { report, signal } = ctx
  const mem0 = await server.memory()
  await server.loopDelay(true)
  await server.gc(true)
  const connectCpu0 = await server.cpu()
  const connectSpec = {
    url: server.wsUrl,
    concurrency: o.connectConcurrency,
    channels: [o.channel],
    timeoutMs: 60_000,
    batch: o.batch,
    deflate: o.deflate,
    ...(o.centrifugo ? { protocol: 'centrifugo' as const } : {}),
    ...(o.urlSubscribe ? { urlSubscribe: true } : {}),
  }
  const conn = await pool.connect(connectSpec)
  if (conn.failed > 0) report.note(`${server.name} n=${o.n}: ${conn.failed} connections failed: ${JSON.stringify(conn.errorKinds)}`)
  const connectCpuUs = (await server.cpu()) - connectCpu0
  await sleep(1000)
  // read before the memory probe: its two forced full GCs stall the loop too, and they are the
  // harness's, not the connect's (read after it, they were the longest "connect" stall)
  const connectLoop = await server.loopDelay(true)
  const connectGc = await server.gc(true)
  const mem1 = await server.memory()
  // The same clients again, on a server whose connection path is compiled and warm, as in a
  // reconnect storm on a server that has been running (the first connect also pays for the JIT).
  // Before any event, so every server's `subscribed` carries the same empty snapshot.
  await pool.disconnect()
  await sleep(1000)
  await server.gc(true)
  const reconnectCpu0 = await server.cpu()
  const again = await pool.connect(connectSpec)
  const reconnectCpuUs = (await server.cpu()) - reconnectCpu0
  if (again.failed > 0) report.note(`${server.name} n=${o.n}: ${again.failed} reconnections failed: ${JSON.stringify(again.errorKinds)}`)
  await probe(pool, source, again.connected, signal)

  const phase = async (tag: string, count: number, warm: number, rate: number, drainMs: number): Promise<PhaseFigures> => {
    await pool.track({ tag, count, positions: false })
    await server.loopDelay(true)
    await server.gc(true)
    const cpuBox: { c: number; m: ReturnType<typeof procStat>; io: { syscw: number; wchar: number } } = {
      c: 0,
      m: procStat(),
      io: { syscw: 0, wchar: 0 },
    }
    const warmMs = rate > 0 ? (warm / rate) * 1000 : 0
    const sample = async () => {
      cpuBox.c = await server.cpu()
      cpuBox.io = await server.io()
      cpuBox.m = procStat()
    }
    const timer = setTimeout(() => void sample(), warmMs)
    if (warmMs === 0) await sample()
    const phases = warm > 0 ? [{ tag: 'w', count: warm }] : []
    phases.push({ tag, count })
    const sent = await source.run({ phases, rate }, warmMs + (count / Math.max(rate, 1)) * 1000 + 120_000)
    clearTimeout(timer)
    const complete = await pool.waitComplete(again.connected, drainMs, signal)
    const c1 = await server.cpu()
    const io1 = await server.io()
    const m1 = procStat()
    const loop = await server.loopDelay(true)
    const gc = await server.gc(true)
    const r = await pool.result()
    const first = sent.phases.find((p) => p.tag === tag)?.firstUs ?? 0
    const seconds = (r.lastUs - first) / 1e6
    const cpuUs = c1 - cpuBox.c
    const errs = Object.keys(sent.errorKinds)
    if (errs.length > 0) report.note(`${server.name} n=${o.n} ${tag}: publish errors ${JSON.stringify(sent.errorKinds)}`)
    return {
      deliveries: r.distinct,
      expected: again.connected * count,
      deliveredPerSec: r.distinct / seconds,
      lat: summarize(r.latency),
      latency: r.latency,
      serverCpuUs: cpuUs,
      cpuPerDeliveryUs: cpuUs / Math.max(1, r.distinct),
      writesPerDelivery: (io1.syscw - cpuBox.io.syscw) / Math.max(1, r.distinct),
      bytesPerDelivery: (io1.wchar - cpuBox.io.wchar) / Math.max(1, r.distinct),
      clientCpuPct: (r.cpuUs / 1e6 / Math.max(seconds, 1e-3)) * 100,
      clientCpuPerDeliveryUs: r.cpuUs / Math.max(1, r.distinct),
      machineCpuPct: machineCpuPercent(cpuBox.m, m1),
      loop,
      gc,
      duplicates: r.duplicates,
      complete,
      seconds,
    }
  }

  const steadyCount = Math.max(1, Math.round(o.rate * o.durationS))
  const steady = await phase('m', steadyCount, Math.round(o.rate * o.warmupS), o.rate, 30_000)
  const runs: PhaseFigures[] = []
  for (let k = 0; k < o.bursts && !signal.aborted; k++) runs.push(await phase(k === 0 ? 'x' : `x${k + 1}`, o.burst, 0, 0, 120_000))
  if (runs.length > 1) {
    const each = runs.map((r) => r.cpuPerDeliveryUs.toFixed(3)).join(', ')
    report.note(
      `${server.name} n=${o.n}: ${runs.length} bursts of ${o.burst}, server CPU per delivery ${each} us (figures: all of them as one)`,
    )
  }
  const burst = mergePhases(runs)
  await pool.disconnect()
  return {
    name: server.name,
    connectSeconds: (conn.endUs - conn.startUs) / 1e6,
    connectFailed: conn.failed,
    rssPerConnKiB: (mem1.rss - mem0.rss) / 1024 / Math.max(1, conn.connected),
    heapPerConnKiB: (mem1.heapUsed - mem0.heapUsed) / 1024 / Math.max(1, conn.connected),
    connectCpuUsPerConn: connectCpuUs / Math.max(1, conn.connected),
    reconnectSeconds: (again.endUs - again.startUs) / 1e6,
    reconnectCpuUsPerConn: reconnectCpuUs / Math.max(1, again.connected),
    connectLoop,
    connectGc,
    steady,
    burst,
  }
}

export default scenario
