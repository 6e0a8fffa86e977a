// Shared by the reliability tests (issue #7): a real ingest process on loopback, its memory,
// an independent reader of a topic up to its end, and small statistics helpers.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { createLogger, createTail } from '@newswire/shared'
import { Kafka, logLevel } from 'kafkajs'
import { repoRoot } from '../../deploy/local/broker.ts'
import { codec, sleep } from '../helpers.ts'
import type { Received } from '../helpers.ts'

/** A port nobody listens on right now (the OS picks it; we close it again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}

/** Where to register the kill: a TestContext, or a suite's own list. */
export interface Cleanup {
  after(fn: () => unknown): void
}

export interface IngestProcess {
  url: string
  port: number
  pid: number
  child: ChildProcess
  /** Milliseconds from spawn until /healthz answered 200 (state rebuilt, listening). */
  startMs: number
  /** Everything the process wrote (LOG_LEVEL=warn keeps it short). */
  output: () => string
  exited: () => boolean
  /** kill -9 */
  kill(): Promise<void>
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>
}

/**
 * Spawns `node --conditions=development --import tsx services/ingest/src/main.ts`, a real ingest
 * process, and waits until it answers /healthz. Killed in t.after if the test did not.
 */
export async function spawnIngest(t: Cleanup, env: Record<string, string>, port?: number): Promise<IngestProcess> {
  const p = port ?? (await freePort())
  const t0 = performance.now()
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'services/ingest/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', KAFKA_PARTITIONS: '3', ...env, INGEST_PORT: String(p), INGEST_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (child.pid === undefined) throw new Error('could not spawn ingest')
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
  const proc: IngestProcess = {
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
    if (exited) throw new Error(`ingest exited during start-up:\n${out}`)
    try {
      const res = await fetch(`${url}/healthz`)
      if (res.status === 200) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proc.kill()
      throw new Error(`ingest did not start within 60 s:\n${out}`)
    }
    await sleep(50)
  }
  proc.startMs = performance.now() - t0
  return proc
}

/** Resident set size of a process, bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!m?.[1]) throw new Error(`no VmRSS for ${pid}`)
  return Number(m[1]) * 1024
}

/**
 * An independent consumer (own client, own group, read_committed) that reads `topic` from the
 * beginning up to its last stable offset as of the call, so duplicates after the acknowledged
 * records are seen too. Same bookkeeping as the services' tail (transaction markers included).
 */
export async function readToEnd(brokerList: string, topic: string, timeoutMs = 60_000): Promise<Received[]> {
  const kafka = new Kafka({ clientId: 'reliability-reader', brokers: brokerList.split(','), logLevel: logLevel.NOTHING })
  const all: Received[] = []
  // The reader's group never commits: after a rebalance it starts over, so keep each offset once
  const seen = new Set<string>()
  let fatal: unknown = null
  const tail = createTail({
    kafka,
    topic,
    groupId: `reliability-reader-${randomUUID()}`,
    log: silentLog,
    onFatal: (err) => {
      fatal = err
    },
    onBatch: ({ partition, messages }) => {
      for (const message of messages) {
        const at = `${partition}:${message.offset}`
        if (seen.has(at) || !message.value) continue
        seen.add(at)
        all.push({ event: codec.decode(message.value), message, partition })
      }
    },
  })
  try {
    await tail.start()
    await tail.catchUp(timeoutMs)
  } finally {
    await tail.close()
  }
  if (fatal !== null) throw fatal
  return all
}

const silentLog = createLogger('reliability-reader', 'silent')

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
