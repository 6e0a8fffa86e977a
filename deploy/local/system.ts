// The system tools the local stack and the tests need: how to tell each is there, and how to
// install it when it is not (apt-get where we run as root, as on CI and fresh machines; a pinned
// build from a package registry for what Debian does not ship). Elsewhere says what to install.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { cacheDir } from './paths.ts'

export interface SystemNeed {
  name: string
  /** Returns true when the tool is present and good enough. */
  check: () => boolean
  /** Debian packages that provide it (installed with apt-get as root). */
  packages: string[]
  /** Installs it without apt-get (a pinned build from a registry); throws with the reason when it cannot. */
  install?: (log: (line: string) => void) => void
}

function commandOk(cmd: string, args: string[], pattern?: RegExp): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 })
  if (r.error || r.status !== 0) return false
  return pattern ? pattern.test(`${r.stdout}${r.stderr}`) : true
}

export const java17: SystemNeed = {
  name: 'Java 17+',
  // `java -version` prints e.g. openjdk version "17.0.15" on stderr
  check: () => {
    const r = spawnSync('java', ['-version'], { encoding: 'utf8' })
    const m = /version "(\d+)/.exec(`${r.stderr ?? ''}${r.stdout ?? ''}`)
    return !r.error && m !== null && Number(m[1]) >= 17
  },
  packages: ['openjdk-17-jre-headless'],
}

export const maven: SystemNeed = {
  name: 'Maven',
  check: () => commandOk('mvn', ['-v']),
  packages: ['maven'],
}

export const chromium: SystemNeed = {
  name: 'Chromium',
  check: () => commandOk('/usr/bin/chromium', ['--version']),
  packages: ['chromium', 'fonts-noto-core', 'fonts-noto-ui-core'],
}

export const bengaliFont: SystemNeed = {
  name: 'a font with Bengali glyphs',
  check: () => commandOk('fc-list', [':lang=bn'], /\S/),
  packages: ['fonts-noto-core', 'fontconfig'],
}

export const promtool: SystemNeed = {
  name: 'promtool',
  check: () => commandOk('promtool', ['--version']),
  packages: ['prometheus'],
}

/**
 * A python3 that can `import yaml`: the one on PATH (often a pyenv or venv one), else Debian's,
 * which is where apt-get's python3-yaml goes. Null when neither has PyYAML.
 */
export function yamlPython(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) if (commandOk(python, ['-c', 'import yaml'])) return python
  return null
}

export const pyYaml: SystemNeed = {
  name: 'python3 with PyYAML',
  check: () => yamlPython() !== null,
  packages: ['python3-yaml'],
}

/** Built from the Go module proxy when neither kubectl nor kustomize is at hand (Debian's kubectl is 1.20, too old for `labels:`). */
export const KUSTOMIZE_MODULE = 'sigs.k8s.io/kustomize/kustomize/v5@v5.8.1'
const kustomizeBin = () => join(cacheDir(), 'tools', 'bin', 'kustomize')

/** How to render a kustomization: `kubectl kustomize DIR` or `kustomize build DIR`; null when neither runs. */
export function kustomizeCommand(): string[] | null {
  if (commandOk('kubectl', ['kustomize', '--help'])) return ['kubectl', 'kustomize']
  for (const bin of [kustomizeBin(), 'kustomize']) if (commandOk(bin, ['version'])) return [bin, 'build']
  return null
}

export const kustomize: SystemNeed = {
  name: 'kustomize (kubectl kustomize)',
  check: () => kustomizeCommand() !== null,
  packages: [],
  install: (log) => {
    const go = ['go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go'].find((g) => commandOk(g, ['version']))
    if (go === undefined) throw new Error('needs kubectl, or Go to build kustomize from the Go module proxy')
    const bin = join(cacheDir(), 'tools', 'bin')
    mkdirSync(bin, { recursive: true })
    log(`newswire: building ${KUSTOMIZE_MODULE} into ${bin} (go install, once)...`)
    execFileSync(go, ['install', KUSTOMIZE_MODULE], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, GOBIN: bin } })
  },
}

/** The `docker compose` v2 plugin, or Debian's docker-compose 1.29 (which predates the top-level `name:`). */
export function composeCommand(): { cmd: string[]; v1: boolean } | null {
  if (commandOk('docker', ['compose', 'version'])) return { cmd: ['docker', 'compose'], v1: false }
  if (commandOk('docker-compose', ['version'])) return { cmd: ['docker-compose'], v1: true }
  return null
}

export const compose: SystemNeed = {
  name: 'docker compose (the client; no engine needed for `config`)',
  check: () => composeCommand() !== null,
  packages: ['docker-compose'],
}

/** True when a Docker engine answers (`docker info`). None runs on the project's machines. */
export function dockerEngine(): boolean {
  return commandOk('docker', ['info'])
}

let aptUpdated = false

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

/**
 * Installs what is missing as far as this machine allows. Returns the needs still missing, each
 * with why, and never throws: the caller decides whether a missing tool is fatal.
 */
export function provide(needs: SystemNeed[], log: (line: string) => void = console.error): { need: SystemNeed; why: string }[] {
  let missing = needs.filter((n) => !n.check())
  if (missing.length === 0) return []
  const why = new Map<SystemNeed, string>()
  const pkgs = [...new Set(missing.flatMap((n) => n.packages))]
  if (pkgs.length > 0) {
    const canApt = isRoot() && commandOk('apt-get', ['--version'])
    if (!canApt) {
      for (const n of missing) if (n.packages.length > 0) why.set(n, `install with: sudo apt-get install -y ${n.packages.join(' ')}`)
    } else {
      const names = missing.filter((n) => n.packages.length > 0).map((n) => n.name)
      log(`newswire: installing ${names.join(', ')} (apt-get install ${pkgs.join(' ')})...`)
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
      try {
        if (!aptUpdated) {
          execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env })
          aptUpdated = true
        }
        execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
          stdio: ['ignore', 'ignore', 'inherit'],
          env,
        })
      } catch (err) {
        for (const n of missing) if (n.packages.length > 0) why.set(n, `apt-get install ${n.packages.join(' ')} failed: ${message(err)}`)
      }
    }
  }
  missing = missing.filter((n) => !n.check())
  for (const n of missing.filter((x) => x.install !== undefined && !why.has(x))) {
    try {
      n.install?.(log)
    } catch (err) {
      why.set(n, message(err))
    }
  }
  const fallback = (n: SystemNeed) =>
    n.packages.length > 0 || n.install ? 'still missing after installing it' : 'nothing here installs it'
  return missing.filter((n) => !n.check()).map((n) => ({ need: n, why: why.get(n) ?? fallback(n) }))
}

/** Installs what is missing, or throws one clear line saying how to. */
export function ensureSystem(needs: SystemNeed[], log: (line: string) => void = console.error): void {
  const still = provide(needs, log)
  if (still.length > 0) throw new Error(`newswire: ${still.map((m) => `${m.need.name} missing (${m.why})`).join('; ')}`)
}

function message(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)
}
