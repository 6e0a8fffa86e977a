// The peer in fanout-broadcast: Centrifugo v6.9.1 (Go, memory engine), fed by its own Kafka
// consumer from a topic of `publish` API commands that the event source writes next to the Avro
// events (same produce request). Insecure client mode: anonymous connect and subscribe, as the
// bench clients of the other servers. Everything else is Centrifugo's default (GOMAXPROCS = the
// machine's cores). The binary is built once into .cache/centrifugo/ (git-ignored) with the Go
// toolchain and the Go module proxy; CENTRIFUGO_BIN points at another build.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { repoRoot } from '../../../deploy/local/broker.ts'
import { CENTRIFUGO_WS_PATH } from './centrifugo-protocol.ts'
import { track } from './children.ts'
import type { ServerUnderTest } from './fanout-bench.ts'
import { pidCpuMicros } from './machine.ts'
import { freePort } from '../../ports.ts'
import type { Report } from './report.ts'
import type { ServerIo, ServerMemory } from './server-probe.ts'

export const CENTRIFUGO_VERSION = 'v6.9.1'
const MODULE = 'github.com/centrifugal/centrifugo/v6'

export const centrifugoBin = (): string =>
  process.env.CENTRIFUGO_BIN ?? join(repoRoot, '.cache', 'centrifugo', CENTRIFUGO_VERSION, 'centrifugo')

/** The shell commands that build the binary at `bin` (what ensureCentrifugo runs). */
export function buildCommand(bin: string): string {
  return `mkdir -p ${dirname(bin)} && cd ${dirname(bin)} && go mod init cfbuild && go get ${MODULE}@${CENTRIFUGO_VERSION} && go build -o ${bin} ${MODULE}`
}

/** The binary's path; built first when missing and Go is installed, else an error with the command to run. */
export function ensureCentrifugo(report: Report): string {
  const bin = centrifugoBin()
  if (existsSync(bin)) return bin
  const go = spawnSync('go', ['version'], { encoding: 'utf8' })
  if (go.status !== 0 || process.env.CENTRIFUGO_BIN) {
    throw new Error(`bench: no Centrifugo binary at ${bin}; build it with:\n  ${buildCommand(bin)}\n(Go >= 1.25), or set CENTRIFUGO_BIN`)
  }
  report.note(`building Centrifugo ${CENTRIFUGO_VERSION} into ${bin} (${go.stdout.trim()}): ${buildCommand(bin)}`)
  const dir = dirname(bin)
  mkdirSync(dir, { recursive: true })
  const steps = [
    ...(existsSync(join(dir, 'go.mod')) ? [] : [['mod', 'init', 'cfbuild']]),
    ['get', `${MODULE}@${CENTRIFUGO_VERSION}`],
    ['build', '-o', bin, MODULE],
  ]
  for (const args of steps) {
    const r = spawnSync('go', args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000 })
    if (r.status !== 0)
      throw new Error(`bench: 'go ${args.join(' ')}' failed in ${dir} (exit ${r.status}); build by hand:\n  ${buildCommand(bin)}`)
  }
  return bin
}

export interface CentrifugoSpec {
  brokers: string[]
  /** The topic of `publish` commands */
  topic: string
  group: string
}

/** Centrifugo's configuration: the port, insecure clients, one Kafka consumer. */
export function centrifugoConfig(port: number, spec: CentrifugoSpec): Record<string, unknown> {
  return {
    http_server: { address: '127.0.0.1', port },
    client: { insecure: true },
    log: { level: 'info' },
    consumers: [
      { name: 'bench', enabled: true, type: 'kafka', kafka: { brokers: spec.brokers, topics: [spec.topic], consumer_group: spec.group } },
    ],
  }
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8')
  } catch {
    return ''
  }
}

export async function startCentrifugoServer(bin: string, spec: CentrifugoSpec, configDir: string): Promise<ServerUnderTest> {
  const port = await freePort()
  mkdirSync(configDir, { recursive: true })
  const config = join(configDir, `centrifugo-${spec.group}.json`)
  writeFileSync(config, JSON.stringify(centrifugoConfig(port, spec), null, 2))
  const child = track(spawn(bin, ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'] }))
  const tail: string[] = []
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code))
    child.on('error', (err) => {
      tail.push(err.message)
      resolve(null)
    })
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not start ${bin}: ${tail.join('; ')}`)
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`centrifugo did not start within 30 s:\n${tail.join('\n')}`)), 30_000)
    const onLine = (line: string) => {
      tail.push(line)
      if (tail.length > 40) tail.shift()
      if (/"level":"(error|fatal|panic)"/.test(line)) process.stderr.write(`[centrifugo] ${line}\n`)
      if (line.includes('"serving websocket')) {
        clearTimeout(timer)
        resolve()
      }
    }
    for (const s of [child.stdout, child.stderr]) if (s) createInterface({ input: s }).on('line', onLine)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`centrifugo exited with code ${code} before it was ready:\n${tail.join('\n')}`))
    })
  })
  const notMeasured = { maxMs: Number.NaN, p99Ms: Number.NaN, meanMs: Number.NaN }
  return {
    name: `centrifugo-${CENTRIFUGO_VERSION}`,
    wsUrl: `ws://127.0.0.1:${port}${CENTRIFUGO_WS_PATH}`,
    cpu: async () => pidCpuMicros(pid) ?? Number.NaN,
    // RSS as it is: a Go process cannot be told to collect first (the node servers are, twice)
    memory: async (): Promise<ServerMemory> => ({
      rss: Number(/VmRSS:\s+(\d+) kB/.exec(readProc(pid, 'status'))?.[1] ?? Number.NaN) * 1024,
      heapUsed: Number.NaN,
      gc: false,
    }),
    // no event loop; Go's GC pauses are not read here
    loopDelay: async () => notMeasured,
    gc: async () => ({ count: 0, totalMs: Number.NaN, maxMs: Number.NaN, majorMaxMs: Number.NaN }),
    io: async (): Promise<ServerIo> => {
      const t = readProc(pid, 'io')
      return { syscw: Number(/syscw: (\d+)/.exec(t)?.[1] ?? 0), wchar: Number(/wchar: (\d+)/.exec(t)?.[1] ?? 0) }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}
