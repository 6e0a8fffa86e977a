// end-to-end (issue #8): HTTP POST /v1/articles to ingest -> Kafka (transaction) -> fan-out ->
// visible in a WebSocket client, with N clients connected (default 10,000). Latency is from the
// start of the POST (its time is in the article id) to arrival at each client: p50 / p99 over
// every (event, client) pair. Baseline in the same run, same clients and rate: a raw kafkajs
// send of the same event -> the pre-framed raw server (baseline b) -> the clients.
import { Worker, workerPath } from '../lib/children.ts'
import type { ServerUnderTest } from '../lib/fanout-bench.ts'
import {
  baselineNames,
  checkFds,
  ClientPool,
  probe,
  sleep,
  Source,
  startBaselineServer,
  startFanoutServer,
  waitForLogLine,
} from '../lib/fanout-bench.ts'
import { createTopics, deleteTopics, withAdmin } from '../lib/kafka.ts'
import type { Scenario, ScenarioContext } from '../lib/scenario.ts'
import { num } from '../lib/scenario.ts'
import { Histogram, summarize } from '../lib/stats.ts'

interface E2eFigures {
  name: string
  lat: ReturnType<typeof summarize>
  ack: ReturnType<typeof summarize>
  delivered: number
  expected: number
  duplicates: number
  errors: number
}

async function startIngest(ctx: ScenarioContext, prefix: string, partitions: number): Promise<{ worker: Worker; url: string }> {
  const worker = new Worker('ingest', workerPath('ingest'), {
    env: {
      KAFKA_BROKERS: ctx.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: String(partitions),
      INGEST_HOST: '127.0.0.1',
      INGEST_PORT: '0',
      INGEST_RATE_LIMIT: '1000000',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    },
    silent: true,
    maxMs: Number(ctx.values['max-seconds'] ?? 900) * 1000 + 30_000,
  })
  const url = await waitForLogLine(worker, '"ingest listening"', 90_000)
  await worker.ready
  return { worker, url }
}

const scenario: Scenario = {
  name: 'end-to-end',
  summary: 'HTTP POST accepted -> visible in a WebSocket client (p50/p99) with N clients, vs raw producer -> raw server',
  options: {
    clients: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    'client-procs': { type: 'string' },
    partitions: { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    'keep-topics': { type: 'boolean', default: false },
  },
  help: `  --clients N        WebSocket clients on breaking (default 10000; --quick 1000)
  --rate R           POSTs per second, open loop (default 5; --quick 20)
  --duration S       measured seconds (default 20; --quick 3)
  --warmup S         unmeasured seconds first (default 2; --quick 1)
  --client-procs N   client processes (default 2)
  --partitions N     partitions of the bench topics (default 6)
  --no-baseline      skip the raw producer -> baseline-b run
  --keep-topics      keep the bench-e2e-* topics`,
  maxSeconds: (v) => (v.quick ? 150 : 900),

  async run(ctx) {
    const v = ctx.values
    const quick = v.quick === true
    const { report, signal } = ctx
    const n = num(v, 'clients', quick ? 1000 : 10_000)
    const rate = num(v, 'rate', quick ? 20 : 5)
    const durationS = num(v, 'duration', quick ? 3 : 20)
    const warmupS = num(v, 'warmup', quick ? 1 : 2)
    const procs = num(v, 'client-procs', 2)
    const partitions = num(v, 'partitions', 6)
    checkFds(Math.ceil(n / procs), n)
    const prefix = `bench-e2e-${ctx.runId}.`
    const topics = await withAdmin(ctx.brokers, (admin) => createTopics(admin, ctx.brokers, prefix, partitions))
    const count = Math.max(1, Math.round(rate * durationS))
    const warm = Math.round(rate * warmupS)
    report.note(
      `${n} clients on breaking; ${rate} POST/s open loop, ${count} measured; latency from POST start (or raw send start) to arrival`,
    )
    const kafkaSource = new Source(ctx, 'kafka-source')
    const figures: E2eFigures[] = []
    let ingest: Worker | null = null
    try {
      await kafkaSource.init({ mode: 'kafka', brokers: ctx.brokers, topic: topics.events })
      const measure = async (server: ServerUnderTest, source: Source, name: string) => {
        const pool = new ClientPool(ctx, n, procs)
        try {
          await pool.ready()
          const c = await pool.connect({ url: server.wsUrl, concurrency: 200, channels: ['breaking'], timeoutMs: 60_000 })
          if (c.failed > 0) report.note(`${name}: ${c.failed} clients could not connect: ${JSON.stringify(c.errorKinds)}`)
          await probe(pool, kafkaSource, c.connected, signal)
          await pool.track({ tag: 'e', count, positions: false })
          const sent = await source.run({ phases: [...(warm > 0 ? [{ tag: 'w', count: warm }] : []), { tag: 'e', count }], rate }, 600_000)
          const done = await pool.waitComplete(c.connected, 60_000, signal)
          const r = await pool.result()
          if (!done) report.note(`${name}: ${r.complete} of ${c.connected} clients had every event at the deadline`)
          const errors = sent.phases.reduce((a, p) => a + p.errors, 0)
          if (errors > 0) report.note(`${name}: publish errors ${JSON.stringify(sent.errorKinds)}`)
          figures.push({
            name,
            lat: summarize(r.latency),
            ack: summarize(Histogram.fromJSON(sent.ack)),
            delivered: r.distinct,
            expected: c.connected * count,
            duplicates: r.duplicates,
            errors,
          })
          await pool.disconnect()
        } finally {
          await pool.stop()
        }
      }

      // 1. ingest + fan-out
      const started = await startIngest(ctx, prefix, partitions)
      ingest = started.worker
      const fanout = await startFanoutServer(ctx, prefix, partitions, { maxConnections: n })
      const httpSource = new Source(ctx, 'http-source')
      try {
        await httpSource.init({ mode: 'http', brokers: ctx.brokers, topic: topics.events, url: started.url, apiKey: 'dev-ingest-key' })
        await measure(fanout, httpSource, 'ingest+fanout')
      } finally {
        await httpSource.stop()
        await fanout.stop().catch((err: unknown) => report.note(`fanout: ${err instanceof Error ? err.message : String(err)}`))
        await ingest.stop(20_000)
        ingest = null
      }

      // 2. raw producer -> baseline b
      if (v['no-baseline'] !== true && !signal.aborted) {
        await sleep(1000)
        const base = await startBaselineServer(ctx, {
          strategy: 'preframed',
          brokers: ctx.brokers,
          topic: topics.events,
          partitions,
          groupId: `${prefix}baseline-b`,
          channel: 'breaking',
        })
        try {
          await measure(base, kafkaSource, `producer+${baselineNames.preframed}`)
        } finally {
          await base.stop()
        }
      }
    } finally {
      if (ingest) await ingest.stop(20_000)
      await kafkaSource.stop()
      if (v['keep-topics'] !== true) await withAdmin(ctx.brokers, (admin) => deleteTopics(admin, [prefix])).catch(() => null)
    }

    const labels = { clients: n, 'rate/s': rate }
    const [f, b] = figures
    if (f && b) {
      report.ratio(labels, 'p50_ms', f.lat.p50Ms, { name: b.name, value: b.lat.p50Ms })
      report.ratio(labels, 'p99_ms', f.lat.p99Ms, { name: b.name, value: b.lat.p99Ms })
      report.ratio(labels, 'accept_p99_ms', f.ack.p99Ms, { name: b.name, value: b.ack.p99Ms })
    }
    for (const x of figures) {
      report.absolute(
        { ...labels, of: x.name },
        {
          p50_ms: x.lat.p50Ms,
          p90_ms: x.lat.p90Ms,
          p99_ms: x.lat.p99Ms,
          max_ms: x.lat.maxMs,
          accept_p50_ms: x.ack.p50Ms,
          accept_p99_ms: x.ack.p99Ms,
          delivered: x.delivered,
          expected: x.expected,
          duplicates: x.duplicates,
          errors: x.errors,
        },
      )
    }
    return 0
  },
}

export default scenario
