// live-story (issue #17): N WebSocket readers on one live story (`story:<id>`), its entries
// published to Kafka as ingest writes them: a new entry every 2 s and an edit of it in between
// (a Bengali paragraph each, the entry message about 1.5-2.5 KB), then a flurry of entries at once.
// The same readers and bytes go, in the same run, through the fan-out and the two baselines of
// fanout-broadcast (which build the same `entry` message from each record and broadcast it), so
// latency (Kafka send -> reader) and server CPU per delivery are ratios measured here, now.
import type { ServerUnderTest } from '../lib/fanout-bench.ts'
import { baselineNames, checkFds, ClientPool, probe, sleep, Source, startBaselineServer, startFanoutServer } from '../lib/fanout-bench.ts'
import { createTopics, deleteTopics, withAdmin } from '../lib/kafka.ts'
import type { LoopDelay } from '../lib/server-probe.ts'
import type { Labels } from '../lib/report.ts'
import type { Scenario, ScenarioContext } from '../lib/scenario.ts'
import { list, num } from '../lib/scenario.ts'
import { summarize } from '../lib/stats.ts'

type ServerKind = 'fanout' | 'preframed' | 'ws-send'

interface Phase {
  deliveries: number
  expected: number
  lat: ReturnType<typeof summarize>
  cpuPerDeliveryUs: number
  serverCpuPct: number
  loop: LoopDelay
  duplicates: number
  complete: boolean
  seconds: number
}

interface Figures {
  name: string
  connectSeconds: number
  connectFailed: number
  steady: Phase
  burst: Phase
}

const STORY = 'live-bench-story'

const scenario: Scenario = {
  name: 'live-story',
  summary: 'N readers on one live story: an entry every 2 s plus edits, then a flurry; fan-out vs the fanout-broadcast baselines',
  options: {
    clients: { type: 'string' },
    duration: { type: 'string' },
    burst: { type: 'string' },
    servers: { type: 'string' },
    'client-procs': { type: 'string' },
    partitions: { type: 'string' },
    'keep-topics': { type: 'boolean', default: false },
  },
  help: `  --clients LIST            reader counts (default 10000; --quick 1000)
  --duration S              measured seconds of the steady phase: one entry every 2 s and one edit between (default 30; --quick 10)
  --burst N                 entries and edits published at once after it (default 20)
  --servers LIST            fanout,preframed,ws-send (default all three)
  --client-procs N          client processes (default 2)
  --partitions N            partitions of the bench topics (default 6)
  --keep-topics             keep the bench-story-* topics`,
  maxSeconds: (v) => (v.quick ? 240 : 900),

  async run(ctx) {
    const v = ctx.values
    const quick = v.quick === true
    const { report } = ctx
    const counts = list(v, 'clients', quick ? '1000' : '10000').map(Number)
    const durationS = num(v, 'duration', quick ? 10 : 30)
    const burst = num(v, 'burst', 20)
    const servers = list(v, 'servers', 'fanout,preframed,ws-send') as ServerKind[]
    for (const s of servers) if (!['fanout', 'preframed', 'ws-send'].includes(s)) throw new Error(`unknown server '${s}'`)
    const procs = num(v, 'client-procs', 2)
    const partitions = num(v, 'partitions', 6)
    checkFds(Math.ceil(Math.max(...counts) / procs), Math.max(...counts))
    const runPrefix = `bench-story-${ctx.runId}`
    report.note(
      `one live story (${STORY}); readers subscribe to story:${STORY} (snapshot of 20 entries); entries and edits carry a Bengali paragraph; latency = Kafka send -> reader`,
    )
    let baselineSeq = 0
    try {
      for (const n of counts) {
        if (ctx.signal.aborted) break
        const figures = new Map<ServerKind, Figures>()
        for (const kind of servers) {
          if (ctx.signal.aborted) break
          // a topic set per server: each starts from the story alone (the fan-out loads it from news.articles)
          const prefix = `${runPrefix}-n${n}-${kind}.`
          const topics = await withAdmin(ctx.brokers, (admin) => createTopics(admin, ctx.brokers, prefix, partitions))
          const source = new Source(ctx)
          try {
            await source.init({ mode: 'kafka', brokers: ctx.brokers, topic: topics.events, story: STORY })
            const server =
              kind === 'fanout'
                ? await startFanoutServer(ctx, prefix, partitions, { maxConnections: n })
                : await startBaselineServer(ctx, {
                    strategy: kind,
                    brokers: ctx.brokers,
                    topic: topics.events,
                    partitions,
                    groupId: `${prefix}baseline-${baselineSeq++}`,
                    channel: `story:${STORY}`,
                  })
            const pool = new ClientPool(ctx, n, procs)
            try {
              await pool.ready()
              figures.set(kind, await runOne(ctx, server, pool, source, { n, durationS, burst }))
            } finally {
              await pool.stop()
              await server
                .stop()
                .catch((err: unknown) => report.note(`${server.name}: ${err instanceof Error ? err.message : String(err)}`))
            }
          } finally {
            await source.stop()
          }
          await sleep(1000)
        }
        publish(ctx, n, burst, figures)
      }
    } finally {
      if (v['keep-topics'] !== true)
        await withAdmin(ctx.brokers, (admin) => deleteTopics(admin, [runPrefix])).catch((err: unknown) =>
          report.note(`could not delete bench topics: ${err instanceof Error ? err.message : String(err)}`),
        )
    }
    return 0
  },
}

async function runOne(
  ctx: ScenarioContext,
  server: ServerUnderTest,
  pool: ClientPool,
  source: Source,
  o: { n: number; durationS: number; burst: number },
): Promise<Figures> {
  const conn = await pool.connect({ url: server.wsUrl, concurrency: 200, channels: [`story:${STORY}`], timeoutMs: 60_000 })
  if (conn.failed > 0) ctx.report.note(`${server.name} n=${o.n}: ${conn.failed} connections failed: ${JSON.stringify(conn.errorKinds)}`)
  await sleep(1000)
  await probe(pool, source, conn.connected, ctx.signal)
  const phase = async (tag: string, count: number, rate: number, drainMs: number): Promise<Phase> => {
    await pool.track({ tag, count, positions: false })
    await server.loopDelay(true)
    const c0 = await server.cpu()
    const sent = await source.run({ phases: [{ tag, count }], rate }, (count / Math.max(rate, 1)) * 1000 + 120_000)
    const complete = await pool.waitComplete(conn.connected, drainMs, ctx.signal)
    const cpuUs = (await server.cpu()) - c0
    const loop = await server.loopDelay(true)
    const r = await pool.result()
    const seconds = (r.lastUs - (sent.phases[0]?.firstUs ?? 0)) / 1e6
    return {
      deliveries: r.distinct,
      expected: conn.connected * count,
      lat: summarize(r.latency),
      cpuPerDeliveryUs: cpuUs / Math.max(1, r.distinct),
      serverCpuPct: (cpuUs / 1e6 / Math.max(seconds, 1e-3)) * 100,
      loop,
      duplicates: r.duplicates,
      complete,
      seconds,
    }
  }
  // one new entry every 2 s and an edit of it in between: one event a second
  const steady = await phase('m', Math.max(2, Math.round(o.durationS)), 1, 30_000)
  const burst = await phase('x', o.burst, 0, 120_000)
  await pool.disconnect()
  return { name: server.name, connectSeconds: (conn.endUs - conn.startUs) / 1e6, connectFailed: conn.failed, steady, burst }
}

function publish(ctx: ScenarioContext, n: number, burst: number, figures: Map<ServerKind, Figures>): void {
  const { report } = ctx
  const f = figures.get('fanout')
  const b = figures.get('preframed')
  const baselines = [b, figures.get('ws-send')].filter((x): x is Figures => x !== undefined)
  for (const [phaseName, pick] of [
    ['steady', (x: Figures) => x.steady],
    ['burst', (x: Figures) => x.burst],
  ] as const) {
    const labels: Labels = { clients: n, phase: phaseName, ...(phaseName === 'steady' ? { 'entries+edits/s': 1 } : { events: burst }) }
    if (f)
      for (const base of baselines) {
        report.ratio(labels, 'server_cpu_us/delivery', pick(f).cpuPerDeliveryUs, { name: base.name, value: pick(base).cpuPerDeliveryUs })
        report.ratio(labels, 'p50_ms', pick(f).lat.p50Ms, { name: base.name, value: pick(base).lat.p50Ms })
        report.ratio(labels, 'p99_ms', pick(f).lat.p99Ms, { name: base.name, value: pick(base).lat.p99Ms })
      }
    for (const x of [f, ...baselines]) {
      if (!x) continue
      const p = pick(x)
      report.absolute(
        { ...labels, of: x.name },
        {
          deliveries: p.deliveries,
          expected: p.expected,
          duplicates: p.duplicates,
          p50_ms: p.lat.p50Ms,
          p99_ms: p.lat.p99Ms,
          max_ms: p.lat.maxMs,
          'server_cpu_us/delivery': p.cpuPerDeliveryUs,
          'server_cpu_%': p.serverCpuPct,
          loop_max_ms: p.loop.maxMs,
        },
      )
      if (!p.complete) report.note(`${x.name} n=${n} ${phaseName}: not every reader had every entry at the deadline`)
    }
  }
  if (f && b) {
    const t = { clients: n, phase: 'steady' }
    const d = f.steady.lat.p99Ms - b.steady.lat.p99Ms
    report.target(t, 'p99_ms_minus_baseline', d, `p99 within 10 ms of ${baselineNames.preframed}`, d <= 10 && f.steady.complete)
    const r = f.steady.cpuPerDeliveryUs / b.steady.cpuPerDeliveryUs
    report.target(t, 'server_cpu_us/delivery_ratio', r, `server CPU per delivery <= 1.25 x ${baselineNames.preframed}`, r <= 1.25)
  }
}

export default scenario
