// Priority lanes of a connection's outgoing queue. Control messages are never dropped nor moved;
// `priority` (breaking: urgency 1–2 or flagged, and withdrawals) goes out before `routine` within
// the stretch between two control messages; when a connection falls behind, routine messages are
// conflated (latest per article) and then shed, oldest first, and the client learns how many in a
// `gap` message. Pure: no I/O.
import { isBreaking, storyOfStateKey } from '@newswire/shared'
import type { Article } from '@newswire/shared'
import type { QueuedMessage } from './queue.ts'

export type Lane = 'control' | 'priority' | 'routine'

const rank: Record<Lane, number> = { control: 2, priority: 1, routine: 0 }

export const laneOfArticle = (a: Pick<Article, 'urgency' | 'breaking'>): Lane => (isBreaking(a) ? 'priority' : 'routine')

/**
 * The lane of a version sent as an `event` (or an entry's as an `entry`): priority when breaking,
 * and when it takes the story out of the running: withheld, canceled, or flagged under embargo.
 * Whoever is sent such a version (the newsroom) learns of the hold or kill from it, as the public
 * does from a `withdrawn`, so it must never be shed or conflated away for a slow reader, whose
 * gap reloads only the newest page (red13 attack run).
 */
export const laneOfVersion = (v: { pubStatus: string }, embargoed: boolean, breaking: boolean): Lane =>
  breaking || embargoed || v.pubStatus !== 'usable' ? 'priority' : 'routine'

/** laneOfVersion for an article's version. */
export const laneOfEvent = (a: Pick<Article, 'urgency' | 'breaking' | 'pubStatus'>, embargoed: boolean): Lane =>
  laneOfVersion(a, embargoed, isBreaking(a))

export const laneOf = (m: QueuedMessage): Lane => m.lane ?? (m.key === null ? 'control' : 'routine')

/** Per subscription: what was dropped from its queue, and the position of the newest dropped message. */
export interface GapCount {
  shed: number
  conflated: number
  /** seq and position of the newest dropped message. */
  seq: number
  position: string | null
  /** seq of the oldest dropped message. */
  first: number
}

export interface Relieved {
  queue: QueuedMessage[]
  conflated: number
  shed: number
}

function note(gaps: Map<string, GapCount>, m: QueuedMessage, field: 'shed' | 'conflated'): void {
  if (m.sub === undefined) return
  let g = gaps.get(m.sub)
  if (!g) {
    g = { shed: 0, conflated: 0, seq: -1, position: null, first: m.seq ?? 0 }
    gaps.set(m.sub, g)
  }
  g[field]++
  g.first = Math.min(g.first, m.seq ?? 0)
  if ((m.seq ?? 0) >= g.seq && m.position) {
    g.seq = m.seq ?? 0
    g.position = m.position
  }
}

/**
 * Relieves a blocked connection's queue: keeps the latest message per (subscription, article)
 * (in the lane of the most urgent one it replaces), then sheds the oldest routine messages beyond
 * `routineBudget`. Counts go into `gaps`, keyed by subscription id.
 */
export function relieve(queue: readonly QueuedMessage[], routineBudget: number, gaps: Map<string, GapCount>): Relieved {
  const last = new Map<string, number>()
  const lane = new Map<string, Lane>()
  const keyOf = (m: QueuedMessage) => (m.key === null ? null : `${m.sub ?? ''}\u0000${m.key}`)
  for (let i = 0; i < queue.length; i++) {
    const m = queue[i] as QueuedMessage
    const k = keyOf(m)
    if (k === null) continue
    last.set(k, i)
    const l = laneOf(m)
    const prev = lane.get(k)
    if (prev === undefined || rank[l] > rank[prev]) lane.set(k, l)
  }
  let conflated = 0
  const kept: QueuedMessage[] = []
  let routine = 0
  for (let i = 0; i < queue.length; i++) {
    const m = queue[i] as QueuedMessage
    const k = keyOf(m)
    if (k !== null && last.get(k) !== i) {
      conflated++
      note(gaps, m, 'conflated')
      continue
    }
    const l = k === null ? laneOf(m) : (lane.get(k) as Lane)
    if (l !== laneOf(m)) kept.push({ ...m, lane: l })
    else kept.push(m)
    if (l === 'routine') routine++
  }
  let shed = 0
  let excess = routine - Math.max(0, routineBudget)
  if (excess <= 0) return { queue: kept, conflated, shed }
  const out: QueuedMessage[] = []
  for (const m of kept) {
    if (excess > 0 && laneOf(m) === 'routine') {
      excess--
      shed++
      note(gaps, m, 'shed')
      continue
    }
    out.push(m)
  }
  return { queue: out, conflated, shed }
}

/**
 * The queue of a connection that drains after dropping messages (`gaps`), each message queued
 * after its subscription's oldest dropped one re-framed with the position written before the
 * queue (`lastPosition`): its own would claim what was dropped before it, and a reader cut off
 * before the `gap` that ends the write would never learn of it (red22b). A resume from there
 * brings the dropped messages again. Control messages keep theirs (a `reset` starts over).
 */
export function belowDropped(
  queue: readonly QueuedMessage[],
  gaps: ReadonlyMap<string, GapCount>,
  lastPosition: PositionsWritten,
): QueuedMessage[] {
  return queue.map((m) => {
    const g = m.sub === undefined ? undefined : gaps.get(m.sub)
    if (g === undefined || (m.seq ?? -1) < g.first || !m.reframe || !m.position || m.lane === 'control') return m
    const safe = lastPosition.get(m.sub as string)
    return safe === undefined ? m : { ...m, data: m.reframe(safe), position: safe }
  })
}

/** Whether writeOrder would move anything: a priority message behind a routine one in the same stretch. */
export function needsReorder(queue: readonly QueuedMessage[]): boolean {
  let sawRoutine = false
  for (const m of queue) {
    const l = laneOf(m)
    if (l === 'control') sawRoutine = false
    else if (l === 'routine') sawRoutine = true
    else if (sawRoutine) return true
  }
  return false
}

/** The position of the last message written, per subscription id (a Map's get and set). */
export interface PositionsWritten {
  get(sub: string): string | undefined
  set(sub: string, position: string): unknown
}

/**
 * Write order: within each stretch between control messages, priority messages first, then
 * routine ones, each in queue order; a priority message never overtakes an earlier version of
 * its own article. A priority message that overtakes routine messages of its own subscription is
 * re-framed with that subscription's position before them (`lastPosition`), so a client resuming
 * from it cannot skip what it overtook; and the last routine message of that subscription is
 * re-framed with the newest position of the stretch, so a client that read everything does not
 * get the overtaking message again. `lastPosition` is updated to the position of each
 * subscription's last message written.
 */
export function writeOrder(queue: readonly QueuedMessage[], lastPosition: PositionsWritten): Buffer[] {
  const needs = needsReorder(queue)
  const out: Buffer[] = []
  if (!needs) {
    // the common case: queue order; the last position per subscription is set once per run of it
    let sub: string | undefined
    let position: string | null | undefined
    for (let i = 0; i < queue.length; i++) {
      const m = queue[i] as QueuedMessage
      out.push(m.data)
      if (m.sub === undefined || !m.position) continue
      if (sub !== undefined && m.sub !== sub && position) lastPosition.set(sub, position)
      sub = m.sub
      position = m.position
    }
    if (sub !== undefined && position) lastPosition.set(sub, position)
    return out
  }
  const wrote = (m: QueuedMessage, position: string | null | undefined) => {
    if (m.sub !== undefined && position) lastPosition.set(m.sub, position)
  }
  let start = 0
  while (start < queue.length) {
    let end = start
    while (end < queue.length && laneOf(queue[end] as QueuedMessage) !== 'control') end++
    const overtaken = new Set<string>()
    const held = new Set<string>()
    const routine: QueuedMessage[] = []
    /** Per subscription, its newest message in the stretch (the highest position). */
    const newest = new Map<string, QueuedMessage>()
    for (let i = start; i < end; i++) {
      const m = queue[i] as QueuedMessage
      if (m.sub !== undefined && m.position) newest.set(m.sub, m)
      const article = m.key === null ? null : `${m.sub ?? ''}\u0000${storyOfStateKey(m.key)}`
      // Versions of one article never overtake each other: a breaking version queued behind a
      // routine version of the same article keeps its place (the client would drop the older one).
      // A live story's entries count as the story: its kill never overtakes an entry queued
      // before it (the reader would clear the story, then take the entry: outside review)
      if (laneOf(m) === 'routine' || (article !== null && held.has(article))) {
        routine.push(m)
        if (article !== null) held.add(article)
        if (m.sub !== undefined) overtaken.add(m.sub)
        continue
      }
      const safe = m.sub === undefined ? undefined : lastPosition.get(m.sub)
      if (m.sub !== undefined && overtaken.has(m.sub) && safe !== undefined && m.reframe) {
        out.push(m.reframe(safe))
      } else {
        out.push(m.data)
        wrote(m, m.position)
      }
    }
    const lastRoutine = new Map<string, QueuedMessage>()
    for (const m of routine) if (m.sub !== undefined) lastRoutine.set(m.sub, m)
    for (const m of routine) {
      const top = m.sub === undefined ? undefined : newest.get(m.sub)
      if (top !== undefined && top !== m && lastRoutine.get(m.sub as string) === m && m.reframe && top.position) {
        out.push(m.reframe(top.position))
        wrote(m, top.position)
      } else {
        out.push(m.data)
        wrote(m, m.position)
      }
    }
    const control = queue[end]
    if (control) {
      out.push(control.data)
      wrote(control, control.position)
    }
    start = end + 1
  }
  return out
}
