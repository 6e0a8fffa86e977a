// resume-storm (issue #8): N clients subscribed to `breaking` disconnect, E events are published,
// then every client reconnects at once with `since` = the last position it saw. Measured: the
// time until every client has all E missed events, with a per-client bitmap proving none is
// missing or duplicated. Baseline in the same run: the same clients receive the same E events
// live, as one burst, from the pre-framed raw server (baseline b): the same deliveries and bytes
// with no resume work, Kafka publish included.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../../../deploy/local/broker.ts'
import type { ClientPool as Pool, MergedResult, ServerUnderTest } from '../lib/fanout-bench.ts'
import {
  baselineNames,
  checkFds,
  ClientPool,
  probe,
  sleep,
  Source,
  startBaselineServer,
  startFanoutServer,
  summarizeProfiles,
} from '../lib/fanout-bench.ts'
import { createTopics, deleteTopics, withAdmin } from '../lib/kafka.ts'
import type { LoopDelay } from '../lib/server-probe.ts'
import type { Scenario } from '../lib/scenario.ts'
import { num } from '../lib/scenario.ts'
import { percentileSorted } from '../lib/stats.ts'
import { nowUs } from '../lib/wsclock.ts'

interface StormFigures {
  name: string
  seconds: number
  p50s: number
  p99s: number
  result: MergedResult
  cpuUs: number
  loop: LoopDelay
  connectFailed: number
  replay: Record<string, number>
  connectErrors: Record<string, number>
}

const scenario: Scenario = {
  name: 'resume-storm',
  summary: 'N clients reconnect at once with their positions after E missed events: time to all, none missing or duplicated',
  options: {
    clients: { type: 'string' },
    events: { type: 'string' },
    'client-procs': { type: 'string' },
    'reconnect-concurrency': { type: 'string' },
    partitions: { type: 'string' },
    'resume-rate': { type: 'string' },
    deadline: { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'keep-topics': { type: 'boolean', default: false },
  },
  help: `  --clients N                 clients (default 10000; --quick 1000)
  --events E                  events published while they are away (default 1000; --quick 200)
  --client-procs N            client processes (default 2)
  --reconnect-concurrency N   connections opening at once per client process on resume (default 0 = all)
  --partitions N              partitions of the bench topics (default 6)
  --deadline S                longest wait for every client to have every event (default 600; --quick 120)
  --resume-rate R             FANOUT_RESUME_RATE of the fan-out (default: the service's own default)
  --no-baseline               skip the baseline-b burst
  --profile                   run the fan-out under node --cpu-prof
  --keep-topics               keep the bench-storm-* topics`,
  maxSeconds: (v) => (v.quick ? 240 : 300 + 2 * num(v, 'deadline', 600)),

  async run(ctx) {
    const v = ctx.values
    const quick = v.quick === true
    const { report, signal } = ctx
    const n = num(v, 'clients', quick ? 1000 : 10_000)
    const events = num(v, 'events', quick ? 200 : 1000)
    const procs = num(v, 'client-procs', 2)
    const reconnectConcurrency = num(v, 'reconnect-concurrency', 0)
    const partitions = num(v, 'partitions', 6)
    const deadlineS = num(v, 'deadline', quick ? 120 : 600)
    checkFds(Math.ceil(n / procs) + 10, n + 10)
    const prefix = `bench-storm-${ctx.runId}.`
    const topics = await withAdmin(ctx.brokers, (admin) => createTopics(admin, ctx.brokers, prefix, partitions))
    const profileDir = v.profile === true ? join(repoRoot, '.cache', 'bench', 'profiles', ctx.runId) : null
    if (profileDir) mkdirSync(profileDir, { recursive: true })
    report.note(
      `${n} clients on breaking, ${events} events missed (Avro 668-1952 B), ${procs} client processes, reconnect concurrency ${reconnectConcurrency || 'all'}`,
    )
    const source = new Source(ctx)
    const figures: StormFigures[] = []
    try {
      await source.init({ mode: 'kafka', brokers: ctx.brokers, topic: topics.events })

      // 1. the fan-out: connect, disconnect, publish, resume
      {
        const env: Record<string, string> = typeof v['resume-rate'] === 'string' ? { FANOUT_RESUME_RATE: v['resume-rate'] } : {}
        const server = await startFanoutServer(ctx, prefix, partitions, { profileDir, maxConnections: n + 10, env })
        const pool = new ClientPool(ctx, n, procs)
        const observer = new ClientPool(ctx, 1, 1)
        try {
          await Promise.all([pool.ready(), observer.ready()])
          const c = await pool.connect({ url: server.wsUrl, concurrency: 200, channels: ['breaking'], timeoutMs: 60_000 })
          await observer.connect({ url: server.wsUrl, concurrency: 1, channels: ['breaking'], timeoutMs: 60_000 })
          if (c.failed > 0) throw new Error(`${c.failed} of ${n} clients could not connect: ${JSON.stringify(c.errorKinds)}`)
          await probe(pool, source, n, signal)
          await pool.disconnect()
          await sleep(1000)
          await observer.track({ tag: 's', count: events, positions: true })
          await source.run({ phases: [{ tag: 's', count: events }], rate: 0, seqBase: 0 }, 120_000)
          if (!(await observer.waitComplete(1, 60_000, signal)))
            throw new Error('the fan-out did not deliver the missed events live to the observer')
          await pool.track({ tag: 's', count: events, positions: true })
          await server.loopDelay(true)
          const cpu0 = await server.cpu()
          const t0 = nowUs()
          // reconnects run while we poll: a client still retrying does not hold up the figures
          const connecting = pool
            .connect({
              url: server.wsUrl,
              concurrency: reconnectConcurrency,
              channels: ['breaking'],
              timeoutMs: deadlineS * 1000,
              resume: true,
              retries: 1000,
            })
            .catch((err: unknown) => {
              report.note(`fanout: reconnect did not finish: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)
              return null
            })
          let done = false
          const end = Date.now() + deadlineS * 1000
          let lastNote = Date.now()
          while (!done && Date.now() < end && !signal.aborted) {
            const p = await pool.progress()
            done = p.complete >= n
            if (Date.now() - lastNote >= 30_000) {
              lastNote = Date.now()
              report.note(
                `fanout storm +${((nowUs() - t0) / 1e6).toFixed(0)} s: ${p.clients} connected, ${p.complete} of ${n} clients complete, ${p.distinct} of ${n * events} deliveries`,
              )
            }
            if (!done) await sleep(250)
          }
          const conn = (done ? await connecting : null) ?? { failed: Number.NaN, replay: {}, errorKinds: {} }
          const cpu1 = await server.cpu()
          const loop = await server.loopDelay(true)
          await sleep(1500) // late duplicates would arrive now
          const r = await pool.result()
          if (!done) report.note(`fanout: only ${r.complete} of ${n} clients had all ${events} events at the deadline`)
          figures.push(stormFigures('fanout', t0, r, cpu1 - cpu0, loop, conn.failed, conn.replay, conn.errorKinds))
        } finally {
          await pool.stop()
          await observer.stop()
          await server.stop().catch((err: unknown) => report.note(`fanout: ${err instanceof Error ? err.message : String(err)}`))
        }
      }

      // 2. baseline b: the same deliveries as one live burst
      if (v['no-baseline'] !== true && !signal.aborted) {
        await sleep(1000)
        const server = await startBaselineServer(ctx, {
          strategy: 'preframed',
          brokers: ctx.brokers,
          topic: topics.events,
          partitions,
          groupId: `${prefix}baseline-b`,
          channel: 'breaking',
        })
        const pool = new ClientPool(ctx, n, procs)
        try {
          await pool.ready()
          const c = await pool.connect({ url: server.wsUrl, concurrency: 200, channels: ['breaking'], timeoutMs: 60_000 })
          if (c.failed > 0) throw new Error(`baseline: ${c.failed} clients could not connect`)
          await probe(pool, source, n, signal)
          await pool.track({ tag: 'sb', count: events, positions: false })
          await server.loopDelay(true)
          const cpu0 = await server.cpu()
          const t0 = nowUs()
          await source.run({ phases: [{ tag: 'sb', count: events }], rate: 0, seqBase: 0 }, 120_000)
          const done = await pool.waitComplete(n, deadlineS * 1000, signal)
          const cpu1 = await server.cpu()
          const loop = await server.loopDelay(true)
          await sleep(500)
          const r = await pool.result()
          if (!done) report.note(`baseline: only ${r.complete} of ${n} clients had all ${events} events at the deadline`)
          figures.push(stormFigures(baselineNames.preframed, t0, r, cpu1 - cpu0, loop, 0, {}, {}))
        } finally {
          await pool.stop()
          await server.stop()
        }
      }
    } finally {
      await source.stop()
      if (v['keep-topics'] !== true) await withAdmin(ctx.brokers, (admin) => deleteTopics(admin, [prefix])).catch(() => null)
    }

    const labels = { clients: n, events }
    const [f, b] = figures
    if (f && b) {
      report.ratio(labels, 'time_to_all_s', f.seconds, { name: b.name, value: b.seconds })
      report.ratio(labels, 'client_done_p50_s', f.p50s, { name: b.name, value: b.p50s })
      report.ratio(labels, 'client_done_p99_s', f.p99s, { name: b.name, value: b.p99s })
      report.ratio(labels, 'server_cpu_us/delivery', f.cpuUs / Math.max(1, f.result.distinct), {
        name: b.name,
        value: b.cpuUs / Math.max(1, b.result.distinct),
      })
      report.ratio(labels, 'delivered/s', f.result.distinct / f.seconds, { name: b.name, value: b.result.distinct / b.seconds })
    }
    for (const x of figures) {
      report.absolute(
        { ...labels, of: x.name },
        {
          time_to_all_s: x.seconds,
          client_done_p50_s: x.p50s,
          client_done_p99_s: x.p99s,
          complete_clients: x.result.complete,
          delivered: x.result.distinct,
          missing: x.result.missing,
          duplicates: x.result.duplicates,
          unexpected: x.result.other,
          'delivered/s': x.result.distinct / x.seconds,
          'server_cpu_us/delivery': x.cpuUs / Math.max(1, x.result.distinct),
          clients_cpu_s: x.result.cpuUs / 1e6,
          loop_max_ms: x.loop.maxMs,
          connect_failed: x.connectFailed,
          closed_by_server: x.result.closed,
        },
      )
      if (Object.keys(x.replay).length > 0) report.note(`${x.name} subscribed replies on resume: ${JSON.stringify(x.replay)}`)
      if (Object.keys(x.connectErrors).length > 0) report.note(`${x.name} connect errors (retried): ${JSON.stringify(x.connectErrors)}`)
      // a client the server closed (4008 slow consumer, ...) does not come back here: say why it went
      if (x.result.closed > 0) report.note(`${x.name} closed by the server: ${JSON.stringify(x.result.closeReasons)}`)
    }
    if (f) {
      const ok = f.result.missing === 0 && f.result.duplicates === 0 && f.result.complete === n
      report.target(
        labels,
        'missing+duplicates',
        f.result.missing + f.result.duplicates,
        `every client gets all ${events} missed events exactly once`,
        ok,
      )
    }
    if (profileDir) summarizeProfiles(report, profileDir)
    return f && f.result.missing === 0 && f.result.duplicates === 0 ? 0 : 1
  },
}

function stormFigures(
  name: string,
  t0: number,
  r: MergedResult,
  cpuUs: number,
  loop: LoopDelay,
  connectFailed: number,
  replay: Record<string, number>,
  connectErrors: Record<string, number>,
): StormFigures {
  const rel = r.doneUs.map((d) => (d - t0) / 1e6)
  return {
    name,
    // not every client complete: the time to all is not known (reported as NaN, with complete_clients)
    seconds: rel.length > 0 && r.complete === r.clients ? (rel[rel.length - 1] as number) : Number.NaN,
    p50s: percentileSorted(rel, 50),
    p99s: percentileSorted(rel, 99),
    result: r,
    cpuUs,
    loop,
    connectFailed,
    replay,
    connectErrors,
  }
}

export type { Pool, ServerUnderTest }
export default scenario
