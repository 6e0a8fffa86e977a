// priority-lanes (issue #9): "with slow clients present, breaking items' p99 stays within target
// while routine updates are shed". The real fan-out, events published to Kafka by two raw
// producers: routine ones (urgency 5, channel category:international) at a high steady rate and
// breaking ones (urgency 1) at a low one. N fast clients subscribe to `breaking` and the routine
// channel. The same run measures two phases with the same clients and event mix:
//   A  fast clients only (the baseline)
//   B  the same fast clients plus M slow clients, so the fan-out's queue for them backs up and
//      sheds routine updates (priority lanes, gaps). The slow clients first stop reading until the
//      fan-out sheds (the kernel's socket buffers on loopback hold several MB before the fan-out
//      sees any backpressure), then read at a limited byte rate; that part is B's longer warm-up.
// Latency is Kafka send -> client, per lane; completeness per client from bitmaps.
import type { ServerUnderTest } from '../lib/fanout-bench.ts'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { status as brokerStatus, repoRoot } from '../../../deploy/local/broker.ts'
import {
  checkFds,
  ClientPool,
  cpuTotal,
  probe,
  sleep,
  Source,
  startFanoutServer,
  sumCounts,
  summarizeProfiles,
} from '../lib/fanout-bench.ts'
import type { MergedResult, MergedTag } from '../lib/fanout-bench.ts'
import { encodedSizes } from '../lib/fixture.ts'
import { createTopics, deleteTopics, withAdmin } from '../lib/kafka.ts'
import { machineCpuPercent, pidCpuMicros, procStat } from '../lib/machine.ts'
import type { CpuSample } from '../lib/protocol.ts'
import type { Scenario, ScenarioContext } from '../lib/scenario.ts'
import { num } from '../lib/scenario.ts'
import { summarize } from '../lib/stats.ts'
import { nowUs } from '../lib/wsclock.ts'
import { metricValue } from '../../reliability/support.ts'
import type { Progress } from '../lib/ws-clients-api.ts'
import { METRICS, publish } from '../lib/priority-figures.ts'
import type { Counters, Group, PhaseFigures } from '../lib/priority-figures.ts'

async function scrape(url: string): Promise<Counters> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return {
    shed: metricValue(text, METRICS.shed),
    gaps: metricValue(text, METRICS.gaps),
    conflated: metricValue(text, METRICS.conflated),
    slowDisconnects: metricValue(text, METRICS.slowDisconnects),
  }
}

const scenario: Scenario = {
  name: 'priority-lanes',
  summary: 'breaking p99 at fast clients with and without slow clients present; routine updates shed (issue #9)',
  options: {
    fast: { type: 'string' },
    slow: { type: 'string' },
    'routine-rate': { type: 'string' },
    'breaking-rate': { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    'slow-read-kib': { type: 'string' },
    prefill: { type: 'string' },
    'routine-channel': { type: 'string' },
    drain: { type: 'string' },
    'client-procs': { type: 'string' },
    partitions: { type: 'string' },
    'max-buffered-bytes': { type: 'string' },
    'max-pending': { type: 'string' },
    'slow-client-ms': { type: 'string' },
    profile: { type: 'boolean', default: false },
    'keep-topics': { type: 'boolean', default: false },
  },
  help: `  --fast N                fast clients, reading as fast as they can (default 1000; --quick 200)
  --slow M                slow clients, phase B only (default 100; --quick 20)
  --routine-rate R        routine events/s, urgency 5 (default 200)
  --breaking-rate R       breaking events/s, urgency 1 (default 5)
  --duration S            seconds of publishing per phase after the warm-up (default 20; --quick 5)
  --warmup S              seconds published first whose latency is not counted (default 2; --quick 1)
  --slow-read-kib K       a slow client reads at most K KiB/s (default 300; the routine stream alone is
                          about 390 KB/s at 200/s)
  --prefill S             phase B: at most S s of extra warm-up in which the slow clients read nothing,
                          until the fan-out's shed counter moves (default 25; --quick 10)
  --routine-channel C     routine channel of every client, besides breaking (default category:international)
  --drain S               after publishing, wait up to S s for the slow clients to catch up while still
                          throttled; then they read at full speed for the books (default 30)
  --client-procs N        processes for the fast clients (default 2; the slow ones get one of their own)
  --partitions N          partitions of the bench topics (default 6)
  --max-buffered-bytes B, --max-pending N, --slow-client-ms MS
                          FANOUT_MAX_BUFFERED_BYTES, FANOUT_MAX_PENDING, FANOUT_SLOW_CLIENT_MS for the
                          fan-out (default: the service's defaults, 1 MiB, 1000, 10000)
  --profile               run the fan-out under node --cpu-prof (both phases) and print its top functions
  --keep-topics           keep the bench-prio-* topics`,
  maxSeconds: (v) => (v.quick ? 120 : 300),

  async run(ctx) {
    const v = ctx.values
    const quick = v.quick === true
    const { report } = ctx
    const nFast = num(v, 'fast', quick ? 200 : 1000)
    const nSlow = num(v, 'slow', quick ? 20 : 100)
    const routineRate = num(v, 'routine-rate', 200)
    const breakingRate = num(v, 'breaking-rate', 5)
    const durationS = num(v, 'duration', quick ? 5 : 20)
    const warmupS = num(v, 'warmup', quick ? 1 : 2)
    const slowKiB = num(v, 'slow-read-kib', 300)
    const prefillS = num(v, 'prefill', quick ? 10 : 25)
    const routineChannel = typeof v['routine-channel'] === 'string' ? v['routine-channel'] : 'category:international'
    const drainS = num(v, 'drain', 30)
    const procs = num(v, 'client-procs', 2)
    const partitions = num(v, 'partitions', 6)
    if (nFast < 1 || routineRate <= 0 || breakingRate <= 0 || durationS <= 0) {
      throw new Error('--fast, --routine-rate, --breaking-rate and --duration must be positive')
    }
    const env: Record<string, string> = {}
    if (typeof v['max-buffered-bytes'] === 'string') env.FANOUT_MAX_BUFFERED_BYTES = String(num(v, 'max-buffered-bytes', 0))
    if (typeof v['max-pending'] === 'string') env.FANOUT_MAX_PENDING = String(num(v, 'max-pending', 0))
    if (typeof v['slow-client-ms'] === 'string') env.FANOUT_SLOW_CLIENT_MS = String(num(v, 'slow-client-ms', 0))
    checkFds(Math.ceil(nFast / procs), nFast + nSlow)

    const sizes = encodedSizes()
    const channels = ['breaking', routineChannel]
    report.note(
      `events: Avro from the Bengali sample, ${Math.min(...sizes)}-${Math.max(...sizes)} B encoded (about 1.3-2.5 KB as a WebSocket message); routine urgency 5 at ${routineRate}/s, breaking urgency 1 at ${breakingRate}/s, ${warmupS} s warm-up + ${durationS} s per phase`,
    )
    report.note(
      `clients on ${JSON.stringify(channels)} (one subscription); phase A: ${nFast} fast; phase B: the same ${nFast} fast + ${nSlow} slow reading at most ${slowKiB} KiB/s each (after reading nothing until the fan-out sheds, at most ${prefillS} s of extra warm-up); fan-out env ${JSON.stringify(env)}; latency = Kafka send -> client`,
    )
    const profileDir = v.profile === true ? join(repoRoot, '.cache', 'bench', 'profiles', ctx.runId) : null
    if (profileDir) mkdirSync(profileDir, { recursive: true })
    const prefix = `bench-prio-${ctx.runId}.`
    const phases: PhaseFigures[] = []
    try {
      const topics = await withAdmin(ctx.brokers, (admin) => createTopics(admin, ctx.brokers, prefix, partitions))
      report.note(`topics: ${topics.events} (${partitions} partitions)`)
      const breaking = new Source(ctx, 'source-breaking')
      const routine = new Source(ctx, 'source-routine')
      let server: ServerUnderTest | null = null
      const fast = new ClientPool(ctx, nFast, procs, 'fast')
      const slow = nSlow > 0 ? new ClientPool(ctx, nSlow, 1, 'slow') : null
      try {
        await Promise.all([
          breaking.init({ mode: 'kafka', brokers: ctx.brokers, topic: topics.events, urgency: 1 }),
          routine.init({ mode: 'kafka', brokers: ctx.brokers, topic: topics.events, urgency: 5 }),
          fast.ready(),
          slow?.ready(),
        ])
        server = await startFanoutServer(ctx, prefix, partitions, { profileDir, maxConnections: nFast + nSlow, env })
        const conn = await fast.connect({ url: server.wsUrl, concurrency: 200, channels, timeoutMs: 60_000 })
        if (conn.failed > 0) report.note(`fast clients: ${conn.failed} connections failed: ${JSON.stringify(conn.errorKinds)}`)
        await probe(fast, breaking, conn.connected, ctx.signal)
        const o = { routineRate, breakingRate, durationS, warmupS, drainS, prefillS: 0, slowBytesPerSec: slowKiB * 1024 }
        phases.push(await runPhase(ctx, 'A', server, breaking, routine, fast, null, o))
        if (slow && !ctx.signal.aborted) {
          const sc = await slow.connect({
            url: server.wsUrl,
            concurrency: 50,
            channels,
            timeoutMs: 60_000,
            slowBytesPerSec: 0,
          })
          if (sc.failed > 0) report.note(`slow clients: ${sc.failed} connections failed: ${JSON.stringify(sc.errorKinds)}`)
          await sleep(1000)
          phases.push(await runPhase(ctx, 'B', server, breaking, routine, fast, slow, { ...o, prefillS }))
        }
        await Promise.all([fast.disconnect(), slow?.disconnect()])
      } finally {
        await Promise.all([fast.stop(), slow?.stop(), breaking.stop(), routine.stop()])
        await server?.stop().catch((err: unknown) => report.note(`fanout: ${err instanceof Error ? err.message : String(err)}`))
      }
    } finally {
      if (v['keep-topics'] !== true) {
        await withAdmin(ctx.brokers, (admin) => deleteTopics(admin, [prefix])).catch((err: unknown) =>
          report.note(`could not delete bench topics: ${err instanceof Error ? err.message : String(err)}`),
        )
      }
    }
    publish(ctx, phases, { nFast, nSlow })
    if (profileDir) summarizeProfiles(report, profileDir)
    return 0
  },
}

async function runPhase(
  ctx: ScenarioContext,
  name: 'A' | 'B',
  server: ServerUnderTest,
  breakingSource: Source,
  routineSource: Source,
  fast: ClientPool,
  slow: ClientPool | null,
  o: {
    routineRate: number
    breakingRate: number
    durationS: number
    warmupS: number
    drainS: number
    prefillS: number
    slowBytesPerSec: number
  },
): Promise<PhaseFigures> {
  const { report, signal } = ctx
  const warmS = o.warmupS + o.prefillS
  const total = warmS + o.durationS
  const nB = Math.max(1, Math.round(o.breakingRate * total))
  const nR = Math.max(1, Math.round(o.routineRate * total))
  const bTag = `k${name.toLowerCase()}`
  const rTag = `r${name.toLowerCase()}`
  const pools = slow ? [fast, slow] : [fast]
  const start = nowUs()
  for (const p of pools)
    await p.track({ tag: bTag, count: nB, positions: false, extra: [{ tag: rTag, count: nR }], latencyFromUs: start + warmS * 1e6 })
  const counters0 = await scrape(server.url ?? '')
  await server.loopDelay(true)
  const clientCpu = async () => {
    const cs = await Promise.all(pools.flatMap((p) => p.workers.map((w) => w.request<CpuSample>('cpu'))))
    return cs.reduce((a, c) => a + cpuTotal(c), 0)
  }
  const cpu0 = await server.cpu()
  const ccpu0 = await clientCpu()
  const brokerPid = ctx.brokers.join(',') === '127.0.0.1:9092' ? (brokerStatus(1)[0]?.pid ?? null) : null
  const broker0 = brokerPid === null ? null : pidCpuMicros(brokerPid)
  const m0 = procStat()
  const t0 = performance.now()
  const timeout = total * 1000 + 120_000
  const sending = Promise.all([
    breakingSource.run({ phases: [{ tag: bTag, count: nB }], rate: o.breakingRate }, timeout),
    routineSource.run({ phases: [{ tag: rTag, count: nR }], rate: o.routineRate }, timeout),
  ])
  // phase B: the slow clients read nothing until the fan-out sheds, then read slowly
  let shedAfterS: number | null = null
  if (slow) {
    const until = t0 + o.prefillS * 1000
    while (performance.now() < until && !signal.aborted) {
      if ((await scrape(server.url ?? '')).shed > counters0.shed) {
        shedAfterS = (performance.now() - t0) / 1000
        break
      }
      await sleep(250)
    }
    if (shedAfterS === null) report.note(`phase ${name}: the fan-out shed nothing within the ${o.prefillS} s prefill`)
    await slow.read(o.slowBytesPerSec)
  }
  const [sentB, sentR] = await sending
  const seconds = (performance.now() - t0) / 1000
  const cpu1 = await server.cpu()
  const ccpu1 = await clientCpu()
  const m1 = procStat()
  const broker1 = brokerPid === null ? null : pidCpuMicros(brokerPid)
  const loop = await server.loopDelay(true)
  const publishErrors = sumCounts([sentB.errorKinds, sentR.errorKinds])
  if (Object.keys(publishErrors).length > 0) report.note(`phase ${name}: publish errors ${JSON.stringify(publishErrors)}`)

  // fast clients: every event of both lanes; slow ones: every breaking item, and every routine one
  // received or counted in a gap (the gap comes with the next write, once the client has caught up)
  const fastDone = (p: Progress) => p.complete >= p.clients && (p.extra?.[0]?.complete ?? 0) >= p.clients
  const slowDone = (p: Progress) => p.complete >= p.clients && (p.accounted ?? 0) >= p.clients
  const waitFor = async (pool: ClientPool, done: (p: Progress) => boolean, ms: number): Promise<boolean> => {
    const end = Date.now() + ms
    while (!signal.aborted) {
      if (done(await pool.progress())) return true
      if (Date.now() >= end) return false
      await sleep(100)
    }
    return false
  }
  const tEnd = performance.now()
  const fastDrained = await waitFor(fast, fastDone, 30_000)
  const fastDrainS = (performance.now() - tEnd) / 1000
  let slowDrained = false
  let slowDrainS = 0
  if (slow) {
    slowDrained = await waitFor(slow, slowDone, o.drainS * 1000)
    slowDrainS = (performance.now() - tEnd) / 1000
    if (!slowDrained) {
      report.note(`phase ${name}: slow clients not caught up ${o.drainS} s after publishing; reading at full speed for the books`)
      await slow.read(null)
      await waitFor(slow, slowDone, 15_000)
    }
  }
  // the fan-out's counters once the last gaps are out
  await sleep(200)
  const counters1 = await scrape(server.url ?? '')
  const counters = Object.fromEntries(
    Object.keys(METRICS).map((k) => [k, counters1[k as keyof Counters] - counters0[k as keyof Counters]]),
  ) as Counters
  const group = async (pool: ClientPool, drained: boolean, drainS: number): Promise<Group> => {
    const r = await pool.result()
    const lane = (
      x: { count: number; distinct: number; duplicates: number; latency: MergedResult['latency'] },
      mo: number,
      mc: number,
    ) => ({
      events: x.count,
      deliveries: x.distinct,
      expected: x.count * r.clients,
      missingOpen: mo,
      missingClosed: mc,
      duplicates: x.duplicates,
      lat: summarize(x.latency),
    })
    const rt = r.extra[0] as MergedTag
    return {
      clients: r.clients,
      breaking: lane(
        { count: nB, distinct: r.distinct, duplicates: r.duplicates, latency: r.latency },
        r.missingOpen,
        r.missing - r.missingOpen,
      ),
      routine: lane(rt, rt.missingOpen, rt.missingClosed),
      gaps: r.gaps,
      closeCodes: r.closeCodes,
      closeReasons: r.closeReasons,
      unaccounted: r.unaccounted,
      other: r.other,
      drainS,
      drained,
    }
  }
  return {
    name,
    fast: await group(fast, fastDrained, fastDrainS),
    slow: slow ? await group(slow, slowDrained, slowDrainS) : null,
    seconds,
    shedAfterS,
    serverCpuPct: ((cpu1 - cpu0) / 1e6 / seconds) * 100,
    clientCpuPct: ((ccpu1 - ccpu0) / 1e6 / seconds) * 100,
    sourceCpuPct: ((cpuTotal(sentB.cpu) + cpuTotal(sentR.cpu)) / 1e6 / seconds) * 100,
    brokerCpuPct: broker0 === null || broker1 === null ? null : ((broker1 - broker0) / 1e6 / seconds) * 100,
    machineCpuPct: machineCpuPercent(m0, m1),
    loop,
    counters,
    publishErrors,
  }
}

export default scenario
