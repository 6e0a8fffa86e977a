// Helpers for the operations tests (test/ops): system tools (promtool, kustomize, docker compose,
// python3 with PyYAML; deploy/local/system.ts finds and installs them), the metrics catalogue in deploy/README.md, the Prometheus text format, and real
// service processes started the way production starts them (a child process, SIGTERM to stop).
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { yamlPython } from '../../deploy/local/system.ts'
import type { SystemNeed } from '../../deploy/local/system.ts'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const deployDir = join(repoRoot, 'deploy')

export interface RunResult {
  status: number | null
  stdout: string
  stderr: string
  error?: Error
}

export function run(cmd: string, args: string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: options.cwd ?? repoRoot,
    input: options.input,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error }
}

/**
 * A test's `skip` option: false when every tool is here, else the reason. test/run.ts installs
 * these tools first where it can, and under CI=true fails the run rather than let such a skip pass.
 */
export function unless(...needs: SystemNeed[]): false | string {
  const missing = needs.filter((n) => !n.check())
  if (missing.length === 0) return false
  return `missing: ${missing.map((n) => n.name).join(', ')} (npm test installs it where it can)`
}

function python(): string {
  const p = yamlPython()
  if (p === null) throw new Error('no python3 with PyYAML (Debian package python3-yaml)')
  return p
}

/** Every file under deploy/ (and .dockerignore-style extras) whose name ends with one of `exts`, repo-relative. */
export function filesUnder(dir: string, exts: string[]): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (exts.some((e) => name.endsWith(e))) out.push(relative(repoRoot, p))
    }
  }
  walk(dir)
  return out.sort()
}

/** Parses every document of each YAML file with PyYAML (safe_load_all), returned as JSON values. */
export function parseYamlFiles(files: string[]): Map<string, unknown[]> {
  const script = [
    'import json, sys, yaml',
    'out = {}',
    'for f in sys.argv[1:]:',
    '    with open(f, encoding="utf-8") as fh:',
    '        out[f] = list(yaml.safe_load_all(fh))',
    'json.dump(out, sys.stdout)',
  ].join('\n')
  const r = run(python(), ['-c', script, ...files])
  if (r.status !== 0) throw new Error(`YAML parse failed:\n${r.stderr}`)
  return new Map(Object.entries(JSON.parse(r.stdout) as Record<string, unknown[]>))
}

/** The first document of `file` in what parseYamlFiles returned. */
export function firstDoc<T>(docs: Map<string, unknown[]>, file: string): T {
  const d = docs.get(file)?.[0]
  if (d === undefined || d === null) throw new Error(`${file}: no YAML document`)
  return d as T
}

export function parseYamlText(text: string): unknown[] {
  const r = run(python(), ['-c', 'import json, sys, yaml; json.dump(list(yaml.safe_load_all(sys.stdin)), sys.stdout)'], { input: text })
  if (r.status !== 0) throw new Error(`YAML parse failed:\n${r.stderr}`)
  return JSON.parse(r.stdout) as unknown[]
}

// ---- metrics catalogue (deploy/README.md) ---------------------------------------------------

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary'

export interface CatalogueEntry {
  name: string
  type: MetricType
  labels: string[]
  meaning: string
}

/**
 * Rows of the catalogue tables in deploy/README.md: | `name` | type | `label`, `label` | meaning | (cells may be padded).
 * Returns newswire_ metrics and the default process_/nodejs_ metrics.
 */
export function readCatalogue(): Map<string, CatalogueEntry> {
  const text = readFileSync(join(deployDir, 'README.md'), 'utf8')
  const rows = new Map<string, CatalogueEntry>()
  const re = /^\| `((?:newswire|process|nodejs)_[a-z0-9_]+)` +\| (counter|gauge|histogram|summary) +\| ([^|]*)\| ([^|]*)\|$/gm
  for (const m of text.matchAll(re)) {
    const [, name, type, labels, meaning] = m
    if (!name || !type) continue
    if (rows.has(name)) throw new Error(`metric ${name} is catalogued twice`)
    rows.set(name, {
      name,
      type: type as MetricType,
      labels: [...(labels ?? '').matchAll(/`([a-z_][a-z0-9_]*)`/g)].map((l) => l[1] as string),
      meaning: (meaning ?? '').trim(),
    })
  }
  return rows
}

// ---- Prometheus text exposition -------------------------------------------------------------

export interface Family {
  name: string
  type: MetricType | 'untyped'
  help: string
  /** Label names seen on the family's samples (le and quantile excluded). */
  labels: Set<string>
  /** Distinct label values seen, per label name. */
  values: Map<string, Set<string>>
  samples: number
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>()
  const family = (name: string) => {
    let f = families.get(name)
    if (!f) {
      f = { name, type: 'untyped', help: '', labels: new Set(), values: new Map(), samples: 0 }
      families.set(name, f)
    }
    return f
  }
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line)
    if (meta) {
      const f = family(meta[2] as string)
      if (meta[1] === 'TYPE') f.type = meta[3] as MetricType
      else f.help = meta[3] as string
      continue
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line)
    if (!sample) continue
    const sampleName = sample[1] as string
    const base = families.has(sampleName) ? sampleName : sampleName.replace(/_(bucket|sum|count)$/, '')
    const f = family(base)
    f.samples++
    for (const l of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      const [, k, v] = l as unknown as [string, string, string]
      if (k === 'le' || k === 'quantile') continue
      f.labels.add(k)
      let set = f.values.get(k)
      if (!set) {
        set = new Set()
        f.values.set(k, set)
      }
      set.add(v)
    }
  }
  return families
}

/** Metric names used in a PromQL expression, with histogram suffixes mapped to the family. */
export function metricNamesIn(expr: string, known: ReadonlySet<string>): string[] {
  const names = new Set<string>()
  for (const m of expr.matchAll(/\b((?:newswire|process|nodejs)_[a-z0-9_]+)\b/g)) {
    const n = m[1] as string
    const base = known.has(n) ? n : n.replace(/_(bucket|sum|count)$/, '')
    names.add(base)
  }
  return [...names]
}

// ---- processes --------------------------------------------------------------------------------

export { freePort } from '../ports.ts'

export interface ServiceProcess {
  child: ChildProcess
  url: string
  /** JSON log lines written to stdout so far. */
  logs: Record<string, unknown>[]
  /** stdout lines that were not JSON. */
  otherLines: string[]
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>
}

/**
 * Starts services/<service>/src/main.ts as production does (its own process, signals), with tsx
 * instead of a build. Resolves once /readyz answers 200.
 */
export function startService(
  service: 'ingest' | 'fanout',
  env: Record<string, string>,
  port: number,
  readyTimeoutMs = 90_000,
): Promise<ServiceProcess> {
  return startProcess(
    service,
    ['--conditions=development', '--import', 'tsx', `services/${service}/src/main.ts`],
    repoRoot,
    env,
    port,
    readyTimeoutMs,
  )
}

/** Starts `node ...args` in `cwd` and resolves once http://127.0.0.1:port/readyz answers 200. */
export async function startProcess(
  service: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  port: number,
  readyTimeoutMs = 90_000,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: Record<string, unknown>[] = []
  const otherLines: string[] = []
  let err = ''
  let partial = ''
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (line.trim() === '') continue
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        otherLines.push(line)
      }
    }
  })
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    err += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.on('exit', (code, signal) => {
      // flush a last line without newline
      if (partial.trim() !== '') {
        try {
          logs.push(JSON.parse(partial) as Record<string, unknown>)
        } catch {
          otherLines.push(partial)
        }
        partial = ''
      }
      resolve({ code, signal, at: Date.now() })
    })
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + readyTimeoutMs
  let exitedEarly = false
  void exited.then(() => {
    exitedEarly = true
  })
  for (;;) {
    if (exitedEarly) throw new Error(`${service} exited before it was ready:\n${err}\n${otherLines.join('\n')}`)
    try {
      const r = await fetch(`${url}/readyz`)
      if (r.status === 200) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${service} not ready after ${readyTimeoutMs} ms:\n${err}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return { child, url, logs, otherLines, stderr: () => err, exited }
}

/**
 * The ConfigMap `newswire-revoked` (the fan-out's NEWSROOM_REVOKED_FILE), written to a directory
 * of our own as the kubelet would mount it, and the variable pointed there.
 */
export function mountRevocationList(
  objects: readonly { metadata: { name: string }; data?: Record<string, string> }[],
  env: Record<string, string>,
): void {
  if (!env.NEWSROOM_REVOKED_FILE) return
  const dir = mkdtempSync(join(tmpdir(), 'newswire-revoked-'))
  for (const [name, text] of Object.entries(objects.find((o) => o.metadata.name === 'newswire-revoked')?.data ?? {}))
    writeFileSync(join(dir, name), text)
  env.NEWSROOM_REVOKED_FILE = join(dir, basename(env.NEWSROOM_REVOKED_FILE))
}
