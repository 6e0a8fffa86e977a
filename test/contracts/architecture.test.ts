// The house rules a reviewer would otherwise check by eye (README "Style"): dependencies point one
// way (ingest and fan-out → shared → nothing of ours; the SDK stands alone), no import cycles, no
// file past 500 lines. The checker itself is tested on a small tree made here, so it can fail.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { test } from 'node:test'
import { cycles, filesUnder, importGraph, importsOf } from './import-graph.ts'

const root = join(import.meta.dirname, '..', '..')
const servicesDir = join(root, 'services')
const SERVICES = ['shared', 'client', 'ingest', 'fanout'] as const
const srcFiles = SERVICES.flatMap((s) => filesUnder(join(servicesDir, s, 'src'), ['.ts']))
const graph = importGraph([...srcFiles, ...filesUnder(join(root, 'deploy', 'local'), ['.ts'])], servicesDir)
const rel = (f: string) => relative(root, f).split(sep).join('/')
const serviceOf = (f: string) => /^services\/([^/]+)\//.exec(rel(f))?.[1] ?? null

/** What each workspace's source may import of ours, besides itself. */
const MAY_IMPORT: Record<(typeof SERVICES)[number], readonly string[]> = {
  shared: [],
  client: [],
  ingest: ['shared'],
  fanout: ['shared'],
}

test('dependencies point one way: ingest and fan-out use shared, shared and the SDK import nothing of ours', () => {
  const wrong: string[] = []
  for (const [from, edges] of graph) {
    const s = serviceOf(from) as (typeof SERVICES)[number] | null
    if (s === null || !(s in MAY_IMPORT)) continue
    for (const e of edges) {
      const t = serviceOf(e.to)
      if (t !== s && !(t !== null && MAY_IMPORT[s].includes(t))) wrong.push(`${rel(from)} → ${rel(e.to)}`)
    }
  }
  assert.deepEqual(wrong, [])
})

// Type-only imports are erased and order nothing at load time; the SDK's entry hook
// (services/client/src/entry-hook.ts) names the delivery types on purpose so that a bundle
// without live stories carries none of their code.
test('no import cycles among the services and the local stack (type-only imports aside)', () => {
  assert.deepEqual(
    cycles(graph, { typeOnly: false }).map((c) => c.map(rel)),
    [],
  )
})

test('no source, test, bench or script file is past 500 lines', () => {
  const exts = ['.ts', '.js', '.mjs', '.cjs', '.sh', '.css', '.html']
  const files = ['services', 'test', 'deploy'].flatMap((d) => filesUnder(join(root, d), exts)).filter((f) => !rel(f).includes('/fixtures/'))
  assert.ok(files.length > 300, `only ${files.length} files found`)
  const long = files
    .map((f) => ({ f: rel(f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
    .filter((x) => x.lines > 500)
    .map((x) => `${x.f}: ${x.lines} lines`)
  assert.deepEqual(long, [])
})

test('the checker reads every import form and finds a cycle, a self-import and a runtime cycle through a re-export', () => {
  assert.deepEqual(
    importsOf(
      [
        "import { a } from './a.ts'",
        "import type { B } from './b.ts'",
        "export { c } from './c.ts'",
        "export type { D } from './d.ts'",
        "import './e.ts'",
        'import {\n  f,\n  g,\n} from "./f.ts"',
        "const h = await import('./h.ts')",
        "import { type I, j } from './i.ts'",
        'export function k(x: number) {\n  return x\n}',
        "import type { L } from './l.ts'",
      ].join('\n'),
    ),
    [
      { spec: './a.ts', typeOnly: false },
      { spec: './b.ts', typeOnly: true },
      { spec: './c.ts', typeOnly: false },
      { spec: './d.ts', typeOnly: true },
      { spec: './e.ts', typeOnly: false },
      { spec: './f.ts', typeOnly: false },
      { spec: './h.ts', typeOnly: false },
      { spec: './i.ts', typeOnly: false },
      { spec: './l.ts', typeOnly: true },
    ],
  )
  const dir = mkdtempSync(join(tmpdir(), 'newswire-arch-'))
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text)
  write('a.ts', "import { b } from './b.ts'\nexport const a = 1\n")
  write('b.ts', "export { c as b } from './c.ts'\n")
  write('c.ts', "import { a } from './a.ts'\nexport const c = a\n")
  write('d.ts', "import type { E } from './e.ts'\nexport type D = E\n")
  write('e.ts', "import type { D } from './d.ts'\nexport type E = D | 1\n")
  write('f.ts', "import { f as g } from './f.ts'\nexport const f = 1\n")
  const g = importGraph(
    ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts', 'f.ts'].map((n) => join(dir, n)),
    servicesDir,
  )
  const names = (cs: string[][]) => cs.map((c) => c.map((f) => relative(dir, f)).sort()).sort()
  assert.deepEqual(names(cycles(g, { typeOnly: false })), [['a.ts', 'b.ts', 'c.ts'], ['f.ts']])
  assert.deepEqual(names(cycles(g, { typeOnly: true })), [['a.ts', 'b.ts', 'c.ts'], ['d.ts', 'e.ts'], ['f.ts']])
})
