// Before `npm start` starts anything: are its ports free? When a stack already holds them, say so
// and where, instead of loading demo data into it and then dying with EADDRINUSE.
import { listening } from './broker.ts'
import { portOwner } from './port-owner.ts'
import type { PortOwner } from './port-owner.ts'

export type ServiceName = 'ingest' | 'fanout'

export interface PortPlan {
  service: ServiceName
  variable: 'INGEST_PORT' | 'FANOUT_PORT'
  port: number
}

export interface Busy {
  plan: PortPlan
  /** Which Newswire service answers there, by its /metrics; null for another program. */
  answers: ServiceName | null
  owner: PortOwner | null
}

const label: Record<ServiceName, string> = { ingest: 'ingest', fanout: 'fan-out' }

/** Which Newswire service, if any, serves /metrics on 127.0.0.1:port. */
export async function newswireServiceAt(port: number): Promise<ServiceName | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) })
    const text = await res.text()
    if (!text.includes('newswire_')) return null
    if (text.includes('service="ingest"')) return 'ingest'
    if (text.includes('service="fanout"')) return 'fanout'
  } catch {
    // not HTTP, or not answering
  }
  return null
}

export async function findBusy(plans: PortPlan[]): Promise<Busy[]> {
  const busy: Busy[] = []
  for (const plan of plans) {
    if (await listening(plan.port)) busy.push({ plan, answers: await newswireServiceAt(plan.port), owner: portOwner(plan.port) })
  }
  return busy
}

function who(owner: PortOwner | null): string {
  if (owner === null) return ''
  return ` (pid ${owner.pid}${owner.cwd ? ` in ${owner.cwd}` : ''})`
}

/** One message for the busy ports; `free` are other ports to suggest, one per plan. */
export function describeBusy(busy: Busy[], plans: PortPlan[], free: number[]): string {
  const retry = `${plans.map((p, i) => `${p.variable}=${free[i] ?? p.port + 100}`).join(' ')} npm start`
  const ours = busy.filter((b) => b.answers !== null)
  const lines: string[] = []
  if (ours.length > 0) {
    lines.push('newswire: a Newswire stack is already running:')
    for (const b of ours) lines.push(`  ${label[b.answers ?? b.plan.service].padEnd(8)} http://127.0.0.1:${b.plan.port}${who(b.owner)}`)
    const starters = [...new Map(ours.flatMap((b) => (b.owner?.parent ? [[b.owner.parent.pid, b.owner.parent]] : []))).values()]
    for (const s of starters) lines.push(`  started by pid ${s.pid}: ${s.command}`)
    const stop = starters.length > 0 ? `kill ${starters.map((s) => s.pid).join(' ')}` : 'Ctrl-C where it was started'
    lines.push(`Use it (npm start printed its URLs and token where it was started), stop it (${stop}),`)
    lines.push(`or start another stack on other ports: ${retry}`)
  }
  for (const b of busy.filter((x) => x.answers === null)) {
    const what = b.owner ? `${who(b.owner).slice(2, -1)}: ${b.owner.command}` : 'another program'
    lines.push(`newswire: 127.0.0.1:${b.plan.port} (${b.plan.variable}, for ${label[b.plan.service]}) is in use by ${what}`)
  }
  if (ours.length === 0) lines.push(`Free it, or choose other ports: ${retry}`)
  return lines.join('\n')
}

/** Up to 20 tries per plan at port + 100·k for a port nothing listens on. */
export async function suggestFree(plans: PortPlan[]): Promise<number[]> {
  const out: number[] = []
  for (const p of plans) {
    let port = p.port + 100
    for (let k = 0; k < 20 && (await listening(port)); k++) port += 100
    out.push(port)
  }
  return out
}
