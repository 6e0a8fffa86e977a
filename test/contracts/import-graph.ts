// The import graph of our own TypeScript: who imports whom, resolved to files, and its cycles.
// Read from the source text (static imports, re-exports, dynamic `import('…')`), so it needs no
// compiler run; `@newswire/<pkg>` resolves to that workspace's src/index.ts.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

export interface Edge {
  to: string
  /** `import type` / `export type … from`: erased at compile time, no load order. */
  typeOnly: boolean
}

export type Graph = Map<string, Edge[]>

const SKIP = new Set(['node_modules', '.cache', 'dist'])

/** Every file under `dir` whose name ends with one of `exts`, skipping installed and built trees. */
export function filesUnder(dir: string, exts: readonly string[]): string[] {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, exts))
    else if (exts.some((e) => name.endsWith(e))) out.push(p)
  }
  return out
}

// An import clause is names, braces, commas and `*` (no `(`, `=` or `:`), so a match cannot
// start at an earlier `export function …` and run on to the next `from '…'`.
const IMPORT =
  /(?:^|\n)[ \t]*(?:import|export)[ \t]+(type[ \t]+)?(?:[\w$\s{},*]*?[ \t\n}]from[ \t]+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

/** The specifiers a module imports, each with whether it is type-only. */
export function importsOf(source: string): { spec: string; typeOnly: boolean }[] {
  return [...source.matchAll(IMPORT)].map((m) => ({ spec: (m[2] ?? m[3]) as string, typeOnly: m[1] !== undefined }))
}

/** The graph of `files`, edges to our own files only (`servicesDir` holds the workspaces). */
export function importGraph(files: readonly string[], servicesDir: string): Graph {
  const g: Graph = new Map()
  for (const f of files) {
    const edges: Edge[] = []
    for (const { spec, typeOnly } of importsOf(readFileSync(f, 'utf8'))) {
      let to: string | null = null
      if (spec.startsWith('.')) to = resolve(dirname(f), spec)
      else if (spec.startsWith('@newswire/')) to = join(servicesDir, spec.slice('@newswire/'.length), 'src', 'index.ts')
      if (to === null) continue
      if (!existsSync(to)) throw new Error(`${f}: cannot resolve ${spec}`)
      edges.push({ to, typeOnly })
    }
    g.set(f, edges)
  }
  return g
}

/** The strongly connected components of more than one file (or a file importing itself): the cycles. */
export function cycles(g: Graph, { typeOnly }: { typeOnly: boolean }): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const out: string[][] = []
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next)
    next++
    stack.push(v)
    onStack.add(v)
    let self = false
    for (const e of g.get(v) ?? []) {
      if (e.typeOnly && !typeOnly) continue
      if (e.to === v) self = true
      if (!index.has(e.to)) {
        visit(e.to)
        low.set(v, Math.min(low.get(v) as number, low.get(e.to) as number))
      } else if (onStack.has(e.to)) low.set(v, Math.min(low.get(v) as number, index.get(e.to) as number))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop() as string
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || self) out.push(component.reverse())
  }
  for (const v of g.keys()) if (!index.has(v)) visit(v)
  return out
}
