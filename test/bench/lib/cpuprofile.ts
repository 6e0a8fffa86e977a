// Reads a V8 .cpuprofile (node --cpu-prof) and aggregates self time by function and by file,
// without external tools. Self time of a node = its hit count x the sampling interval.
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  hitCount?: number
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

export interface SelfTime {
  name: string
  ms: number
  percent: number
}

export interface ProfileSummary {
  totalMs: number
  /** Wall time minus idle / program / GC pseudo-nodes. */
  busyMs: number
  byFunction: SelfTime[]
  byFile: SelfTime[]
  byPackage: SelfTime[]
  /** Total (self + callees) time of our own functions (services/ and test/), recursion counted once per stack. */
  oursInclusive: SelfTime[]
}

function shortUrl(url: string): string {
  if (url === '') return '(native)'
  const u = url.replace(/^file:\/\//, '')
  const nm = u.lastIndexOf('/node_modules/')
  if (nm >= 0) return u.slice(nm + '/node_modules/'.length)
  const m = /\/(services\/.*|test\/.*|deploy\/.*)$/.exec(u)
  return m?.[1] ?? u
}

function packageOf(url: string): string {
  if (url === '') return '(native/V8)'
  if (url.startsWith('node:')) return 'node: (core)'
  const u = url.replace(/^file:\/\//, '')
  const nm = u.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = u.slice(nm + '/node_modules/'.length).split('/')
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? u)
  }
  const m = /\/services\/([^/]+)\//.exec(u)
  return m ? `@newswire/${m[1]}` : shortUrl(url)
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  // Self time per node from the sample deltas (exact), falling back to hitCount x mean interval
  const selfUs = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  if (samples.length > 0 && deltas.length === samples.length) {
    // delta i is the time before sample i; attribute the gap after a sample to that sample
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i] ?? 0
      const dt = deltas[i + 1] ?? 0
      selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt))
    }
  } else {
    const hits = profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0)
    const interval = hits > 0 ? (profile.endTime - profile.startTime) / hits : 0
    for (const n of profile.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * interval)
  }
  const totalUs = profile.endTime - profile.startTime
  const fn = new Map<string, number>()
  const files = new Map<string, number>()
  const pkgs = new Map<string, number>()
  let idleUs = 0
  for (const n of profile.nodes) {
    const us = selfUs.get(n.id) ?? 0
    if (us === 0) continue
    const { functionName, url, lineNumber } = n.callFrame
    if (functionName === '(idle)') {
      idleUs += us
      continue
    }
    const name = url === '' ? functionName || '(anonymous)' : `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`
    fn.set(name, (fn.get(name) ?? 0) + us)
    const f = url === '' ? `(${functionName})` : shortUrl(url)
    files.set(f, (files.get(f) ?? 0) + us)
    const p = url === '' ? `(${functionName})` : packageOf(url)
    pkgs.set(p, (pkgs.get(p) ?? 0) + us)
  }
  const busyUs = totalUs - idleUs
  // inclusive time of our functions: walk the call tree, counting a function once per stack
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const inclusive = new Map<string, number>()
  const nameOf = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}`
  const ours = (n: ProfileNode) => /\/(services|test)\//.test(n.callFrame.url) && !n.callFrame.url.includes('/node_modules/')
  const walk = (id: number, onStack: Set<string>): number => {
    const n = byId.get(id)
    if (!n) return 0
    const key = ours(n) ? nameOf(n) : null
    const fresh = key !== null && !onStack.has(key)
    if (fresh) onStack.add(key)
    let total = n.callFrame.functionName === '(idle)' ? 0 : (selfUs.get(id) ?? 0)
    for (const c of n.children ?? []) total += walk(c, onStack)
    if (fresh) {
      onStack.delete(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + total)
    }
    return total
  }
  const root = profile.nodes[0]
  if (root) walk(root.id, new Set())
  const list = (m: Map<string, number>): SelfTime[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, percent: busyUs > 0 ? (us / busyUs) * 100 : 0 }))
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    byFunction: list(fn),
    byFile: list(files),
    byPackage: list(pkgs),
    oursInclusive: list(inclusive),
  }
}

export function formatSummary(s: ProfileSummary): string {
  const table = (title: string, rows: SelfTime[], column = 'self ms') =>
    [
      `| ${title} | ${column} | % of busy |`,
      '|---|---:|---:|',
      ...rows.map((r) => `| \`${r.name}\` | ${r.ms.toFixed(0)} | ${r.percent.toFixed(1)} |`),
    ].join('\n')
  return [
    `profile: ${s.totalMs.toFixed(0)} ms wall, ${s.busyMs.toFixed(0)} ms not idle (percentages are of the latter)`,
    '',
    table('package', s.byPackage.slice(0, 12)),
    '',
    table('function (self time)', s.byFunction),
    '',
    table('file', s.byFile.slice(0, 15)),
    '',
    table('our function (self + callees)', s.oursInclusive.slice(0, 20), 'total ms'),
  ].join('\n')
}
