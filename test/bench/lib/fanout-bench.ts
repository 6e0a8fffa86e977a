// Shared machinery of the fan-out scenarios (fanout-broadcast, resume-storm, end-to-end): the
// server under test (the real fan-out, or a baseline server) in a process of its own, a pool of
// client processes, the event source, and CPU/memory/event-loop sampling of the server.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Worker, workerPath } from './children.ts'
import { formatSummary, summarizeProfile } from './cpuprofile.ts'
import { freePort } from '../../ports.ts'
import type { CpuSample } from './protocol.ts'
import type { Report } from './report.ts'
import type { ScenarioContext } from './scenario.ts'
import type { GcPauses, LoopDelay, ServerIo, ServerMemory } from './server-probe.ts'
import { Histogram } from './stats.ts'
import type { BaselineSpec } from '../workers/ws-baseline.ts'
import type { ConnectResult, ConnectSpec, Progress, TagResult, TrackResult, TrackSpec } from './ws-clients-api.ts'
import type { SourceInit, SourceResult, SourceRun } from '../workers/event-source.ts'

export const cpuTotal = (c: CpuSample) => c.user + c.system

/** Counts by key, added up over several processes' reports. */
export function sumCounts(parts: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const part of parts) for (const [k, n] of Object.entries(part)) out[k] = (out[k] ?? 0) + n
  return out
}
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Soft limit on open files of this process (children inherit it). */
export function fdLimit(): number {
  let text = ''
  try {
    text = readFileSync('/proc/self/limits', 'utf8')
  } catch {
    return Number.NaN
  }
  const m = /Max open files\s+(\d+|unlimited)/.exec(text)
  return m ? (m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1])) : Number.NaN
}

/** Why a run cannot start with `limit` open files (with the `ulimit -n` to use), or null when it can. */
export function fdShortfall(limit: number, clientsPerProcess: number, serverConnections: number): string | null {
  const need = Math.max(clientsPerProcess, serverConnections) + 200
  if (!Number.isFinite(limit) || limit >= need) return null
  return `open file limit is ${limit}, but a process here needs about ${need} descriptors: raise it first (ulimit -n ${need * 2}), or use fewer clients`
}

/** Refuses to start when a process would need more descriptors than the soft limit allows. */
export function checkFds(clientsPerProcess: number, serverConnections: number): void {
  const why = fdShortfall(fdLimit(), clientsPerProcess, serverConnections)
  if (why !== null) throw new Error(`bench: ${why}`)
}

export interface ServerUnderTest {
  name: string
  /** The bench worker of a node server (none for a peer's binary, see centrifugo.ts) */
  worker?: Worker
  wsUrl: string
  url?: string
  cpu(): Promise<number>
  memory(): Promise<ServerMemory>
  loopDelay(reset?: boolean): Promise<LoopDelay>
  /** GC pauses since the last reset (the fan-out's and the baselines' own process). */
  gc(reset?: boolean): Promise<GcPauses>
  io(): Promise<ServerIo>
  stop(): Promise<void>
}

function probeOf(worker: Worker) {
  return {
    cpu: async () => cpuTotal(await worker.request<CpuSample>('cpu')),
    memory: () => worker.request<ServerMemory>('memory'),
    loopDelay: (reset = false) => worker.request<LoopDelay>('loopDelay', { reset }),
    gc: (reset = false) => worker.request<GcPauses>('gc', { reset }),
    io: () => worker.request<ServerIo>('io'),
  }
}

/** The real fan-out (services/fanout/src/main.ts) in a child process, on its own topic prefix. */
export async function startFanoutServer(
  ctx: ScenarioContext,
  prefix: string,
  partitions: number,
  options: { profileDir?: string | null; maxConnections: number; env?: Record<string, string>; nodeFlags?: string[] },
): Promise<ServerUnderTest> {
  const execArgv = [
    '--expose-gc',
    ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
    ...(options.nodeFlags ?? []),
  ]
  const workers = Number(options.env?.FANOUT_WORKERS ?? 1)
  // several workers share a set port as in production (each its own socket where Node can);
  // with port 0 the primary would hand every connection over
  const port = workers > 1 ? await freePort() : 0
  const worker = new Worker('fanout', workerPath('fanout'), {
    execArgv,
    env: {
      KAFKA_BROKERS: ctx.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: String(partitions),
      FANOUT_HOST: '127.0.0.1',
      FANOUT_PORT: String(port),
      FANOUT_MAX_CONNECTIONS_PER_IP: String(options.maxConnections + 100),
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      ...options.env,
    },
    silent: true,
    maxMs: Number(ctx.values['max-seconds'] ?? 900) * 1000 + 30_000,
  })
  // with FANOUT_WORKERS > 1 every worker says it is ready, then the primary says all are
  const url = await waitForLogLine(worker, workers > 1 ? '"fanout cluster ready"' : '"fanout ready"', 90_000)
  await worker.ready
  return {
    name: 'fanout',
    worker,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/v1/stream`,
    ...probeOf(worker),
    async stop() {
      const code = await worker.stop(20_000)
      if (code !== 0) throw new Error(`fanout exited with code ${code}`)
    },
  }
}

/** Resolves with the `url` field of the first JSON log line containing `marker`; keeps draining the pipes afterwards. */
export function waitForLogLine(worker: Worker, marker: string, timeoutMs: number): Promise<string> {
  const tail: string[] = []
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${worker.name} did not start within ${timeoutMs} ms:\n${tail.join('\n')}`)), timeoutMs)
    const out = worker.proc.stdout
    const err = worker.proc.stderr
    if (!out || !err) throw new Error(`${worker.name} child has no stdout`)
    const keep = (line: string) => {
      tail.push(line)
      if (tail.length > 40) tail.shift()
      if (/"level":(50|60)/.test(line)) process.stderr.write(`[${worker.name}] ${line}\n`)
    }
    createInterface({ input: out }).on('line', (line) => {
      keep(line)
      if (!line.includes(marker)) return
      const u = (JSON.parse(line) as { url?: string }).url
      if (u) {
        clearTimeout(timer)
        resolve(u)
      }
    })
    createInterface({ input: err }).on('line', (line) => {
      keep(line)
      process.stderr.write(`[${worker.name}] ${line}\n`)
    })
    void worker.exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${worker.name} exited with code ${code} before it was ready:\n${tail.join('\n')}`))
    })
  })
}

export const baselineNames = { 'ws-send': 'baseline-a-ws-send', preframed: 'baseline-b-preframed' } as const

export async function startBaselineServer(
  ctx: ScenarioContext,
  spec: BaselineSpec,
  profileDir: string | null = null,
): Promise<ServerUnderTest> {
  const worker = new Worker(baselineNames[spec.strategy], workerPath('ws-baseline'), {
    execArgv: [
      '--expose-gc',
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, `${spec.strategy}-${Date.now()}`)}`] : []),
    ],
    maxMs: Number(ctx.values['max-seconds'] ?? 900) * 1000 + 30_000,
  })
  await worker.ready
  const { url } = await worker.request<{ url: string }>('start', spec, 90_000)
  return {
    name: baselineNames[spec.strategy],
    worker,
    wsUrl: url,
    ...probeOf(worker),
    async stop() {
      await worker.request('close', {}, 20_000).catch(() => null)
      // SIGTERM lets node write the --cpu-prof file on exit
      await worker.stop(5000)
    },
  }
}

/** Client processes, each holding a share of the connections. */
export class ClientPool {
  readonly workers: Worker[]
  readonly shares: number[]
  readonly total: number

  constructor(ctx: ScenarioContext, total: number, procs: number, name = 'clients') {
    this.total = total
    const n = Math.max(1, Math.min(procs, total))
    this.shares = Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0))
    this.workers = this.shares.map(
      (_, i) =>
        new Worker(`${name}-${i}`, workerPath('ws-clients'), {
          maxMs: Number(ctx.values['max-seconds'] ?? 900) * 1000 + 30_000,
        }),
    )
  }

  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.ready))
  }

  async connect(spec: Omit<ConnectSpec, 'count'>): Promise<ConnectResult> {
    const rs = await Promise.all(
      this.workers.map((w, i) =>
        w.request<ConnectResult>(
          'connect',
          // above 20,000 connections each process connects from its own loopback address (ephemeral ports)
          { ...spec, count: this.shares[i], ...(this.total > 20_000 ? { localAddress: `127.0.1.${i + 1}` } : {}) },
          spec.timeoutMs + 60_000,
        ),
      ),
    )
    const errorKinds = sumCounts(rs.map((r) => r.errorKinds))
    const replay = sumCounts(rs.map((r) => r.replay))
    return {
      connected: rs.reduce((a, r) => a + r.connected, 0),
      failed: rs.reduce((a, r) => a + r.failed, 0),
      errorKinds,
      replay,
      startUs: Math.min(...rs.map((r) => r.startUs)),
      endUs: Math.max(...rs.map((r) => r.endUs)),
    }
  }

  async track(spec: TrackSpec): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request('track', spec)))
  }

  async progress(): Promise<Progress> {
    const ps = await Promise.all(this.workers.map((w) => w.request<Progress>('progress')))
    const extra = (ps[0]?.extra ?? []).map((_, k) => ({
      complete: ps.reduce((a, p) => a + (p.extra?.[k]?.complete ?? 0), 0),
      distinct: ps.reduce((a, p) => a + (p.extra?.[k]?.distinct ?? 0), 0),
    }))
    return {
      clients: ps.reduce((a, p) => a + p.clients, 0),
      complete: ps.reduce((a, p) => a + p.complete, 0),
      distinct: ps.reduce((a, p) => a + p.distinct, 0),
      duplicates: ps.reduce((a, p) => a + p.duplicates, 0),
      other: ps.reduce((a, p) => a + p.other, 0),
      extra,
      accounted: ps.reduce((a, p) => a + (p.accounted ?? 0), 0),
    }
  }

  /** How fast the open clients read from now on: null = full speed, 0 = not at all, else bytes/s each. */
  async read(bytesPerSec: number | null): Promise<number> {
    const ns = await Promise.all(this.workers.map((w) => w.request<number>('read', { bytesPerSec })))
    return ns.reduce((a, n) => a + n, 0)
  }

  /** Polls until every client has every tracked event, or the deadline; true when complete. */
  async waitComplete(total: number, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    const end = Date.now() + timeoutMs
    while (Date.now() < end && !signal.aborted) {
      const p = await this.progress()
      if (p.complete >= total) return true
      await sleep(100)
    }
    return false
  }

  async result(): Promise<MergedResult> {
    const rs = await Promise.all(this.workers.map((w) => w.request<TrackResult>('result')))
    const latency = new Histogram()
    for (const r of rs) latency.merge(Histogram.fromJSON(r.latency))
    const doneUs = rs.flatMap((r) => r.doneUs).sort((a, b) => a - b)
    const closeCodes = sumCounts(rs.map((r) => r.closeCodes))
    const closeReasons = sumCounts(rs.map((r) => r.closeReasons))
    const extra: MergedTag[] = (rs[0]?.extraResults ?? []).map((first, k) => {
      const parts = rs.map((r) => r.extraResults[k]).filter((x): x is TagResult => x !== undefined)
      const latency = new Histogram()
      for (const p of parts) latency.merge(Histogram.fromJSON(p.latency))
      return {
        tag: first.tag,
        count: first.count,
        latency,
        complete: parts.reduce((a, p) => a + p.complete, 0),
        distinct: parts.reduce((a, p) => a + p.distinct, 0),
        duplicates: parts.reduce((a, p) => a + p.duplicates, 0),
        missingOpen: parts.reduce((a, p) => a + p.missingOpen, 0),
        missingClosed: parts.reduce((a, p) => a + p.missingClosed, 0),
        lastUs: Math.max(...parts.map((p) => p.lastUs)),
      }
    })
    return {
      clients: rs.reduce((a, r) => a + r.clients, 0),
      complete: rs.reduce((a, r) => a + r.complete, 0),
      distinct: rs.reduce((a, r) => a + r.distinct, 0),
      duplicates: rs.reduce((a, r) => a + r.duplicates, 0),
      other: rs.reduce((a, r) => a + r.other, 0),
      missing: rs.reduce((a, r) => a + r.missing, 0),
      missingOpen: rs.reduce((a, r) => a + r.missingOpen, 0),
      closed: rs.reduce((a, r) => a + r.closed, 0),
      closeCodes,
      closeReasons,
      gaps: {
        messages: rs.reduce((a, r) => a + r.gaps.messages, 0),
        shed: rs.reduce((a, r) => a + r.gaps.shed, 0),
        conflated: rs.reduce((a, r) => a + r.gaps.conflated, 0),
      },
      unaccounted: rs.reduce((a, r) => a + r.unaccounted, 0),
      extra,
      lastUs: Math.max(...rs.map((r) => r.lastUs)),
      cpuUs: rs.reduce((a, r) => a + cpuTotal(r.cpu), 0),
      latency,
      doneUs,
    }
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request('disconnect', {}, 60_000)))
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop(5000)))
  }
}

export interface MergedResult {
  clients: number
  complete: number
  distinct: number
  duplicates: number
  other: number
  missing: number
  /** of `missing`: at clients still open */
  missingOpen: number
  closed: number
  /** close codes since `track`, connections closed by the server after `subscribed` */
  closeCodes: Record<string, number>
  closeReasons: Record<string, number>
  gaps: { messages: number; shed: number; conflated: number }
  /** open clients whose extra-tag events not received differ from what their gaps counted */
  unaccounted: number
  /** per TrackSpec.extra tag */
  extra: MergedTag[]
  lastUs: number
  cpuUs: number
  latency: Histogram
  doneUs: number[]
}

export interface MergedTag extends Omit<TagResult, 'latency'> {
  latency: Histogram
}

export class Source {
  readonly worker: Worker
  constructor(ctx: ScenarioContext, name = 'event-source') {
    this.worker = new Worker(name, workerPath('event-source'), { maxMs: Number(ctx.values['max-seconds'] ?? 900) * 1000 + 30_000 })
  }
  async init(spec: SourceInit): Promise<void> {
    await this.worker.ready
    await this.worker.request('init', spec, 60_000)
  }
  run(spec: SourceRun, timeoutMs: number): Promise<SourceResult> {
    return this.worker.request<SourceResult>('run', spec, timeoutMs)
  }
  async stop(): Promise<void> {
    await this.worker.request('close', {}, 10_000).catch(() => null)
    await this.worker.stop(5000)
  }
}

/** Publishes single probe events until every client has one (the server's consumer is live). */
export async function probe(pool: ClientPool, source: Source, clients: number, signal: AbortSignal, tag = 'probe'): Promise<void> {
  await pool.track({ tag, count: 1, positions: true })
  for (let attempt = 0; attempt < 20 && !signal.aborted; attempt++) {
    await source.run({ phases: [{ tag, count: 1 }], rate: 0, seqBase: 0 }, 30_000)
    if (await pool.waitComplete(clients, 3000, signal)) return
    // later probes re-use seq 0: clients that got one are complete; the rest wait for theirs
  }
  const p = await pool.progress()
  throw new Error(`probe: only ${p.complete} of ${clients} clients received an event; is the server consuming?`)
}

export function summarizeProfiles(report: Report, profileDir: string): void {
  // one directory per server process (the fan-out's own, baselines in subdirectories); in each,
  // the busiest profile is the main thread (tsx's loader thread writes a second, small one)
  const dirs = existsSync(profileDir)
    ? [
        profileDir,
        ...readdirSync(profileDir, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(profileDir, d.name)),
      ]
    : []
  let any = false
  for (const dir of dirs) {
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
    const summaries = files.map((f) => ({ file: join(dir, f), summary: summarizeProfile(join(dir, f), 30) }))
    summaries.sort((a, b) => b.summary.busyMs - a.summary.busyMs)
    const top = summaries[0]
    if (!top) continue
    any = true
    const text = formatSummary(top.summary)
    writeFileSync(`${top.file}.md`, `${text}\n`)
    report.note(`profile ${top.file} (summary in ${top.file}.md)`)
    console.log(text)
  }
  if (!any) report.note(`no .cpuprofile written in ${profileDir}`)
}

export function ms(us: number): number {
  return us / 1000
}
