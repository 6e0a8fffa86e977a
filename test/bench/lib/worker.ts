// Child side: answer the harness's requests, and never outlive it or the time it was given.
import type { WorkerReply, WorkerRequest } from './protocol.ts'

export type Handler = (spec: never) => Promise<unknown> | unknown

export function serve(handlers: Record<string, Handler>, options: { exitOnDisconnect?: () => void } = {}): void {
  const send = (m: WorkerReply) => {
    if (process.connected) process.send?.(m)
  }
  if (!process.send) throw new Error('a bench worker must be started with child_process.fork')
  const maxMs = Number(process.env.BENCH_WORKER_MAX_MS ?? 600_000)
  setTimeout(() => {
    console.error(`bench worker ${process.pid}: ran longer than ${maxMs} ms, exiting`)
    process.exit(3)
  }, maxMs).unref()
  process.on('disconnect', options.exitOnDisconnect ?? (() => process.exit(0)))
  process.on('message', (raw) => {
    const m = raw as WorkerRequest
    if (m?.type !== 'request') return
    const h = handlers[m.op]
    if (!h) {
      send({ type: 'error', id: m.id, message: `unknown op '${m.op}'` })
      return
    }
    Promise.resolve()
      .then(() => (h as (s: unknown) => unknown)(m.spec))
      .then(
        (result) => send({ type: 'result', id: m.id, result }),
        (err: unknown) => send({ type: 'error', id: m.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      )
  })
  send({ type: 'ready' })
}

export function cpuSince(start: NodeJS.CpuUsage): { user: number; system: number } {
  const d = process.cpuUsage(start)
  return { user: d.user, system: d.system }
}
