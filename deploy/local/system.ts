// Checks for the system tools the local stack and the tests need, and installs the missing ones
// with apt-get where we run as root (CI and fresh machines); elsewhere says what to install.
import { execFileSync, spawnSync } from 'node:child_process'

export interface SystemNeed {
  name: string
  /** Returns true when the tool is present and good enough. */
  check: () => boolean
  /** Debian packages that provide it. */
  packages: string[]
}

function commandOk(cmd: string, args: string[], pattern?: RegExp): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
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

let aptUpdated = false

/** Installs what is missing, or throws one clear line saying how to. */
export function ensureSystem(needs: SystemNeed[], log: (line: string) => void = console.error): void {
  const missing = needs.filter((n) => !n.check())
  if (missing.length === 0) return
  const pkgs = [...new Set(missing.flatMap((n) => n.packages))]
  const names = missing.map((n) => n.name).join(', ')
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const hasApt = commandOk('apt-get', ['--version'])
  if (!isRoot || !hasApt) {
    throw new Error(`newswire: ${names} missing; install with: sudo apt-get install -y ${pkgs.join(' ')}`)
  }
  log(`newswire: installing ${names} (apt-get install ${pkgs.join(' ')})...`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env })
    aptUpdated = true
  }
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  })
  const still = missing.filter((n) => !n.check())
  if (still.length > 0) throw new Error(`newswire: ${still.map((n) => n.name).join(', ')} still missing after apt-get install`)
}
