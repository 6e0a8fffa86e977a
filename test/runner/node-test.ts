// Runs test files with node:test (each file in its own process, spec output on stdout) and
// collects what the exit code and the skip check need: failures and skipped tests.
import { setMaxListeners } from 'node:events'
import { relative } from 'node:path'
import { run } from 'node:test'
import { spec } from 'node:test/reporters'
import { needsOf } from './files.ts'
import type { Skip } from './skips.ts'

export interface Outcome {
  failed: number
  skips: Skip[]
  /** Per file, the time its top-level tests took (ms; the process's start and imports left out). */
  took: Map<string, number>
}

interface TestEvent {
  name: string
  file?: string
  nesting?: number
  details?: { duration_ms?: number }
  skip?: string | boolean
  todo?: string | boolean
}

export function runFiles(root: string, files: string[], options: { concurrency: number; signal: AbortSignal }): Promise<Outcome> {
  const outcome: Outcome = { failed: 0, skips: [], took: new Map() }
  // what CI time goes to: the slowest files are printed at the end (the aim is a run under 15 min)
  const time = (e: TestEvent) => {
    if (e.nesting !== 0 || !e.file) return
    const file = relative(root, e.file)
    outcome.took.set(file, (outcome.took.get(file) ?? 0) + (e.details?.duration_ms ?? 0))
  }
  const noted = (e: TestEvent, what: string | boolean | undefined, prefix: string) => {
    if (what === undefined || what === false) return
    const reason = typeof what === 'string' && what !== '' ? what : '(no reason given)'
    outcome.skips.push({ file: e.file ? relative(root, e.file) : '?', name: e.name, reason: `${prefix}${reason}` })
  }
  setMaxListeners(files.length + 10, options.signal) // run() listens on it once per file
  const stream = run({
    files,
    concurrency: options.concurrency,
    timeout: 300_000,
    signal: options.signal,
    // A file's process ends when its tests are done: kafkajs can keep a reconnect timer alive
    // after a test stopped its own broker. Tests still stop everything they started in `after`.
    // Only where Kafka is: on Node 24 a forced exit can cut a file's report short, and the tests
    // not reported yet vanish without a failure (the unit path counted 490-504 of 504 tests).
    forceExit: files.some((f) => needsOf(f).has('kafka')),
  })
  stream.on('test:pass', (e: TestEvent) => {
    time(e)
    noted(e, e.skip, '')
    noted(e, e.todo, 'todo: ')
  })
  stream.on('test:fail', (e: TestEvent) => {
    time(e)
    if (e.todo === undefined || e.todo === false) outcome.failed++
  })
  return new Promise((resolve, reject) => {
    stream
      .compose(new spec())
      .on('error', reject)
      .on('end', () => resolve(outcome))
      .pipe(process.stdout, { end: false })
  })
}
