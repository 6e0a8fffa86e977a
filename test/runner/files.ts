// Which test files there are and what each needs, read from its name:
//
//   <name>[.kafka][.browser][.tools].test.ts
//     .kafka    a Kafka broker: the file starts ingest, fan-out, a broker or a Kafka client
//     .browser  Debian's Chromium (with a Bengali font), driven by playwright-core
//     .tools    system tools: promtool, python3 with PyYAML, kustomize, docker compose
//
// A file without tags needs none of them: it is a unit test, and `npm run test:unit` runs those.
import { readdirSync, statSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'

export const NEEDS = ['kafka', 'browser', 'tools'] as const
export type Need = (typeof NEEDS)[number]

const SUFFIX = '.test.ts'

export class TestNameError extends Error {}

/** The needs a test file's name declares; throws on a dotted part that is not a known tag. */
export function needsOf(path: string): Set<Need> {
  const name = basename(path)
  if (!name.endsWith(SUFFIX)) throw new TestNameError(`${path}: a test file's name ends in ${SUFFIX}`)
  const [, ...tags] = name.slice(0, -SUFFIX.length).split('.')
  const needs = new Set<Need>()
  for (const tag of tags) {
    const need = NEEDS.find((n) => n === tag)
    if (need === undefined) throw new TestNameError(`${path}: unknown tag '.${tag}' (known: ${NEEDS.map((n) => `.${n}`).join(' ')})`)
    needs.add(need)
  }
  return needs
}

export function isUnit(path: string): boolean {
  return needsOf(path).size === 0
}

/** Every need of any of `files`. */
export function needsOfAll(files: string[]): Set<Need> {
  return new Set(files.flatMap((f) => [...needsOf(f)]))
}

/** Every *.test.ts under `dirs` (relative to `root`), sorted; skips node_modules, dot-dirs and test artifacts. */
export function findTestFiles(root: string, dirs: string[]): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'artifacts' || name === 'dist' || name.startsWith('.')) continue
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (name.endsWith(SUFFIX)) out.push(relative(root, p))
    }
  }
  for (const d of dirs) walk(resolve(root, d))
  return out.sort()
}
