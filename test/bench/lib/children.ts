// Parent side of the load-generator processes: fork, request/response over IPC, and a registry
// that kills every child when the harness exits, fails or is interrupted.
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { WorkerReply, WorkerRequest } from './protocol.ts'

const live = new Set<ChildProcess>()

export function killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill(signal)
}

process.on('exit', () => killAll('SIGKILL'))

/** Puts a child that is no bench worker (a peer server's binary) under the same rule: killed when the harness exits. */
export function track(child: ChildProcess): ChildProcess {
  live.add(child)
  child.on('exit', () => live.delete(child))
  return child
}

export interface ForkOptions {
  /** Extra node flags, e.g. --cpu-prof. */
  execArgv?: string[]
  env?: Record<string, string>
  /** Pipe the child's stdout/stderr to the parent instead of inheriting them. */
  silent?: boolean
  /** The child exits by itself after this long (workers read BENCH_WORKER_MAX_MS). */
  maxMs: number
}

export class Worker {
  readonly name: string
  readonly proc: ChildProcess
  #next = 1
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  readonly exited: Promise<number | null>
  readonly ready: Promise<void>

  constructor(name: string, modulePath: string, options: ForkOptions) {
    this.name = name
    this.proc = fork(modulePath, [], {
      execArgv: ['--conditions=development', '--import', 'tsx', ...(options.execArgv ?? [])],
      env: { ...process.env, ...options.env, BENCH_WORKER_MAX_MS: String(options.maxMs) },
      silent: options.silent ?? false,
      serialization: 'advanced',
    })
    live.add(this.proc)
    let readyResolve: () => void = () => {}
    let readyReject: (e: Error) => void = () => {}
    this.ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve
      readyReject = reject
    })
    this.proc.on('message', (raw) => {
      const m = raw as WorkerReply
      if (m.type === 'ready') return readyResolve()
      const w = this.#waiting.get(m.id)
      if (!w) return
      this.#waiting.delete(m.id)
      if (m.type === 'result') w.resolve(m.result)
      else w.reject(new Error(`${name}: ${m.message}`))
    })
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        live.delete(this.proc)
        const err = new Error(`${name} exited (code ${code}, signal ${signal})`)
        readyReject(err)
        for (const w of this.#waiting.values()) w.reject(err)
        this.#waiting.clear()
        resolve(code)
      })
    })
    // Unhandled if nobody awaits ready before the child dies
    this.ready.catch(() => {})
  }

  request<T>(op: string, spec: unknown = {}, timeoutMs = 120_000): Promise<T> {
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id)
        reject(new Error(`${this.name}: '${op}' got no answer within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer)
          resolve(v as T)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      })
      const msg: WorkerRequest = { type: 'request', id, op, spec }
      this.proc.send(msg)
    })
  }

  /** Asks the child to finish (SIGTERM), then kills it if it has not exited within graceMs. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.proc.exitCode
    this.proc.kill('SIGTERM')
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }
}

export function workerPath(name: string): string {
  return fileURLToPath(new URL(`../workers/${name}.ts`, import.meta.url))
}
