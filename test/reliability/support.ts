// Shared by the reliability tests (issue #7): a real ingest process on loopback, its memory,
// an independent reader of a topic up to its end, small statistics helpers, and raw HTTP requests
// with their problem answers.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { repoRoot } from '../../deploy/local/broker.ts'
import { readUntil, sleep } from '../helpers.ts'
import type { HttpResult, Received } from '../helpers.ts'

import { freePort } from '../ports.ts'

export { freePort }

/** Where to register the kill: a TestContext, or a suite's own list. */
export interface Cleanup {
  after(fn: () => unknown): void
}

export interface ServiceProcess {
  url: string
  port: number
  pid: number
  child: ChildProcess
  /** Milliseconds from spawn until the readiness path answered 200. */
  startMs: number
  /** Everything the process wrote (LOG_LEVEL=warn keeps it short). */
  output: () => string
  exited: () => boolean
  /** kill -9 */
  kill(): Promise<void>
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>
}

export type IngestProcess = ServiceProcess
export type FanoutProcess = ServiceProcess

interface ServiceSpec {
  name: string
  script: string
  /** Environment that sets the listen port and host. */
  listen: (port: number) => Record<string, string>
  /** 200 here means started (ingest: /healthz; fan-out: /readyz, i.e. caught up with Kafka). */
  readyPath: string
}

/**
 * A port picked here is free when picked, not when the process binds it seconds later: another
 * process may take it meanwhile (an outgoing connection's ephemeral port: stop 50's CI). Then the
 * start is tried again on another; a port the test chose is its own business.
 */
async function spawnService(t: Cleanup, spec: ServiceSpec, env: Record<string, string>, port?: number): Promise<ServiceProcess> {
  if (port !== undefined) return spawnOn(t, spec, env, port)
  for (let tries = 1; ; tries++) {
    try {
      return await spawnOn(t, spec, env, await freePort())
    } catch (err) {
      if (tries >= 3 || !(err instanceof Error && err.message.includes('EADDRINUSE'))) throw err
    }
  }
}

async function spawnOn(t: Cleanup, spec: ServiceSpec, env: Record<string, string>, p: number): Promise<ServiceProcess> {
  const t0 = performance.now()
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', spec.script], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', KAFKA_PARTITIONS: '3', ...env, ...spec.listen(p) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (child.pid === undefined) throw new Error(`could not spawn ${spec.name}`)
  const pid = child.pid
  let out = ''
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-2_000_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exited = false
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  void exit.then(() => {
    exited = true
  })
  const url = `http://127.0.0.1:${p}`
  const proc: ServiceProcess = {
    url,
    port: p,
    pid,
    child,
    startMs: 0,
    output: () => out,
    exited: () => exited,
    async kill() {
      if (!exited) child.kill('SIGKILL')
      await exit
    },
    async stop(graceMs = 10_000) {
      if (exited) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL')
      }, graceMs)
      await exit
      clearTimeout(timer)
    },
  }
  t.after(() => proc.kill())
  const deadline = Date.now() + 60_000
  for (;;) {
    if (exited) throw new Error(`${spec.name} exited during start-up:\n${out}`)
    try {
      const res = await fetch(`${url}${spec.readyPath}`)
      if (res.status === 200) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proc.kill()
      throw new Error(`${spec.name} did not start within 60 s:\n${out}`)
    }
    await sleep(50)
  }
  proc.startMs = performance.now() - t0
  return proc
}

/**
 * Spawns `node --conditions=development --import tsx services/ingest/src/main.ts`, a real ingest
 * process, and waits until it answers /healthz. Killed in t.after if the test did not.
 */
export function spawnIngest(t: Cleanup, env: Record<string, string>, port?: number): Promise<IngestProcess> {
  const spec: ServiceSpec = {
    name: 'ingest',
    script: 'services/ingest/src/main.ts',
    listen: (p) => ({ INGEST_PORT: String(p), INGEST_HOST: '127.0.0.1' }),
    readyPath: '/healthz',
  }
  return spawnService(t, spec, env, port)
}

/**
 * Spawns a real fan-out process (`services/fanout/src/main.ts`) and waits until /readyz is 200
 * (topics read, history caught up). Killed in t.after if the test did not.
 */
export function spawnFanout(t: Cleanup, env: Record<string, string>, port?: number): Promise<FanoutProcess> {
  const spec: ServiceSpec = {
    name: 'fanout',
    script: 'services/fanout/src/main.ts',
    listen: (p) => ({ FANOUT_PORT: String(p), FANOUT_HOST: '127.0.0.1' }),
    readyPath: '/readyz',
  }
  return spawnService(t, spec, env, port)
}

/** Raw records of a topic (bytes and headers, not decoded), from the beginning until `until` holds. */
export function readRaw(brokerList: string, topic: string, until: (all: RawRecord[]) => boolean, timeoutMs = 30_000): Promise<RawRecord[]> {
  return readUntil(
    brokerList,
    topic,
    'reliability-raw-reader',
    (message, partition) => {
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v)
      return { partition, offset: message.offset, key: message.key ?? null, value: message.value, headers }
    },
    until,
    timeoutMs,
  )
}

export interface RawRecord {
  partition: number
  offset: string
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, string>
}

/** `newswire_fanout_x{label="v"} 3` lines of a Prometheus text page → value (0 when absent). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const m = /^([a-z_]+)(?:\{([^}]*)\})? ([0-9.e+-]+)$/.exec(line)
    if (!m || m[1] !== name) continue
    const have = new Map(
      (m[2] ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => {
          const [k, v] = kv.split('=')
          return [k ?? '', (v ?? '').replace(/^"|"$/g, '')] as const
        }),
    )
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(m[3])
  }
  return sum
}

/** Resident set size of a process, bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!m?.[1]) throw new Error(`no VmRSS for ${pid}`)
  return Number(m[1]) * 1024
}

export { readToEnd } from '../helpers.ts'

export function article(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, language: 'en', headline: `Story ${id}`, body: ['First paragraph.', 'Second paragraph.'], ...extra }
}

/** `id@version` → how many times it is in the topic. */
export function countByIdVersion(records: Received[]): Map<string, number> {
  const m = new Map<string, number>()
  for (const r of records) {
    const k = `${r.event.article.id}@${r.event.article.version}`
    m.set(k, (m.get(k) ?? 0) + 1)
  }
  return m
}

export function duplicatesOf(records: Received[]): string[] {
  return [...countByIdVersion(records)].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`)
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0
}

/** Longest stretch (ms) in [from, to] with no timestamp in `times`. */
export function longestGap(times: number[], from: number, to: number): number {
  const sorted = [...times].filter((x) => x >= from && x <= to).sort((a, b) => a - b)
  let prev = from
  let gap = 0
  for (const x of sorted) {
    gap = Math.max(gap, x - prev)
    prev = x
  }
  return Math.max(gap, to - prev)
}

export const ms = (x: number) => `${Math.round(x)} ms`
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

export interface RawOptions {
  method?: string
  headers?: Record<string, string | string[]>
  body?: Uint8Array | string
}

/** A request exactly as given: duplicate headers, any bytes, no help from fetch. */
export function rawRequest(base: string, path: string, options: RawOptions = {}): Promise<HttpResult> {
  const url = new URL(path, base)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method ?? 'POST', agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let body: unknown = text
          try {
            body = JSON.parse(text)
          } catch {
            // not JSON
          }
          const headers = new Headers()
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v)
          resolve({ status: res.statusCode ?? 0, headers, body, text })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    for (const [k, v] of Object.entries(options.headers ?? {})) req.setHeader(k, v)
    if (options.body !== undefined) req.setHeader('content-length', String(Buffer.byteLength(options.body)))
    req.end(options.body)
  })
}

/** A 4xx problem response with a code (and, when given, this status or code). */
export function assertProblem(r: HttpResult, what: string, expect: { status?: number | number[]; code?: string } = {}): void {
  const ctx = `${what}: ${r.status} ${r.text.slice(0, 300)}`
  assert.ok(r.status >= 400 && r.status < 500, ctx)
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, ctx)
  const code = (r.body as { code?: unknown }).code
  assert.equal(typeof code, 'string', ctx)
  if (expect.status !== undefined) assert.ok([expect.status].flat().includes(r.status), ctx)
  if (expect.code !== undefined) assert.equal(code, expect.code, ctx)
}

export interface PublisherCounters {
  transactions: number
  events: number
  commitSeconds: number
  /** Transactions that waited for more requests (INGEST_LINGER_MS), and the seconds they waited. */
  lingered: number
  lingerSeconds: number
}

/** The publisher's own counters from ingest's /metrics: how a run's requests were grouped into transactions. */
export async function publisherCounters(url: string): Promise<PublisherCounters> {
  // 0 until the first observation: prom-client prints a histogram only once it has one
  const text = await (await fetch(`${url}/metrics`)).text()
  return {
    transactions: metricValue(text, 'newswire_ingest_produce_batch_events_count'),
    events: metricValue(text, 'newswire_ingest_produce_batch_events_sum'),
    commitSeconds: metricValue(text, 'newswire_ingest_produce_duration_seconds_sum'),
    lingered: metricValue(text, 'newswire_ingest_linger_seconds_count'),
    lingerSeconds: metricValue(text, 'newswire_ingest_linger_seconds_sum'),
  }
}
