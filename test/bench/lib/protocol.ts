// Messages between the harness and its child processes (structured clone over IPC).
import type { HistogramJson } from './stats.ts'

export interface WorkerRequest {
  type: 'request'
  id: number
  op: string
  spec: unknown
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string }

/** process.cpuUsage() of a child, microseconds. */
export interface CpuSample {
  user: number
  system: number
}

/** What every load generator reports for one measured run. */
export interface LoadResult {
  /** Requests (HTTP) or send calls (Kafka) completed in the measured window. */
  ops: number
  /** Records accepted (an NDJSON batch or a sendBatch carries many). */
  records: number
  errors: number
  /** Error counts by kind (HTTP status, error message). */
  errorKinds: Record<string, number>
  elapsedMs: number
  /** Per-op latency, microseconds (open loop: from the op's scheduled start). */
  latency: HistogramJson
  /** The generator's own CPU during the measured window. */
  cpu: CpuSample
  /** Open loop only: ops that could not start because too many were outstanding. */
  dropped?: number
}
