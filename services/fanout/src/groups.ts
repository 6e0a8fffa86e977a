// Broadcast groups: the live subscriptions that get exactly the same messages. Members share
// every input of a live decision and of its frame (transport kind, audience, clearance, token
// scope, channels, filter, subscription id, catch-up mode, fresh or resumed), and each is alone
// on its connection with nothing else queued for it. The live loop decides and frames an event
// once per group and queues it once (live.ts); the writer writes the group's messages to every
// member as one shared buffer (writer.ts). A member leaves as soon as anything of its own is
// queued (a control message, a release, a second subscription) or its socket falls behind, taking
// with it what the group still owed it, and takes the per-connection path (lanes, conflation,
// gaps) until it is written up and alone again. Pure: no I/O.
import type { BroadcastGroup, Conn, GroupFlush, Sub } from './model.ts'
import type { QueuedMessage } from './queue.ts'

/**
 * Everything a live decision (deliver.ts decideLive, channelOf) and its frame (frameDecision)
 * read of a subscription and its connection: subscriptions with the same key get the same
 * messages. A new input of those functions belongs here too (groups.test.ts checks each one).
 */
export function groupKey(sub: Sub): string {
  const c = sub.conn
  // Fields joined by NUL: each is from a closed set or JSON (which escapes NUL), so equal keys
  // mean equal inputs. The scope, filter and channels are immutable objects, often shared (the
  // unrestricted scope, the empty filter): their JSON is made once per object.
  return [
    c.transport.kind,
    c.audience,
    c.clearance,
    jsonOnce(c.scope),
    jsonOnce(sub.channels, channelNames),
    jsonOnce(sub.filter),
    JSON.stringify(sub.id),
    sub.catchUp,
    sub.inherited,
    // a story subscription's entries go only to a client that shows the story (stories.ts)
    sub.story?.shown ?? null,
  ].join('\u0000')
}

const channelNames = (channels: Sub['channels']) => channels.map((ch) => ch.name)
const jsons = new WeakMap<object, string>()

function jsonOnce<T extends object>(o: T, view?: (o: T) => unknown): string {
  let json = jsons.get(o)
  if (json === undefined) {
    json = JSON.stringify(view ? view(o) : o)
    jsons.set(o, json)
  }
  return json
}

/** The subscription of a connection that could join a group now, or null (its own queue, gaps, more subscriptions, not live). */
export function joinable(conn: Conn, liveSeq: number): Sub | null {
  if (conn.closed || conn.subs.size !== 1 || conn.pending.length > 0 || conn.gaps !== null) return null
  const sub = conn.subs.values().next().value as Sub
  if (sub.state !== 'live' || sub.group) return null
  // A resumed subscription's version gate holds versions it got before going live, all older than
  // any event the live loop reads after that point; before it, the gate still decides per member
  if (sub.versions.size > 0 && liveSeq < (sub.liveFrom ?? Number.POSITIVE_INFINITY)) return null
  // records its snapshot took in are judged for it alone (live.ts), not as the group's
  if (sub.takenIn !== undefined && liveSeq < sub.takenIn) return null
  // a story subscription's gate holds entry versions up to its story.gateFrom (snapshots, releases)
  if (sub.story && liveSeq < sub.story.gateFrom) return null
  return sub
}

/** Told of every change of membership (the subscription index matches a group once for all its members). */
export interface GroupMembership {
  joined(sub: Sub, g: BroadcastGroup): void
  left(sub: Sub, g: BroadcastGroup): void
}

export class BroadcastGroups {
  readonly #byKey = new Map<string, BroadcastGroup>()
  readonly #membership: GroupMembership | undefined
  #flushes = 0

  constructor(membership?: GroupMembership) {
    this.#membership = membership
  }

  get size(): number {
    return this.#byKey.size
  }

  /**
   * Adds `sub` to the group of its key. Refused (false) while that group has messages queued or
   * being written this pass: the subscription got those through its own queue.
   */
  join(sub: Sub): boolean {
    const key = groupKey(sub)
    let g = this.#byKey.get(key)
    if (!g) {
      g = { key, members: new Set(), queue: [], mark: -1, flushing: null, written: null }
      this.#byKey.set(key, g)
    } else if (g.queue.length > 0 || g.flushing !== null) return false
    g.members.add(sub)
    sub.group = g
    sub.conn.grouped = sub
    this.#membership?.joined(sub, g)
    return true
  }

  /** Takes `sub` out of its group; returns what the group owed it and had not written yet, oldest first. */
  leave(sub: Sub): QueuedMessage[] {
    const g = sub.group
    if (!g) return []
    g.members.delete(sub)
    sub.group = null
    if (sub.conn.grouped === sub) sub.conn.grouped = null
    this.#membership?.left(sub, g)
    // the position of the last message the group wrote to it is its connection's own again
    const last = [g.flushing, g.written].find((f) => f !== null && f.id === sub.wrote)?.position
    if (last) sub.conn.lastPosition.set(sub.id, last)
    const owed = g.flushing !== null && sub.wrote !== g.flushing.id ? [...g.flushing.queue, ...g.queue] : [...g.queue]
    this.#forgetIfEmpty(g)
    return owed
  }

  /** Starts writing the group's queue: returns it with the flush id members are stamped with, or null when empty. */
  startFlush(g: BroadcastGroup): GroupFlush | null {
    if (g.queue.length === 0) return null
    let position: string | null = null
    for (const m of g.queue) if (m.position) position = m.position
    g.flushing = { queue: g.queue, id: ++this.#flushes, position }
    g.queue = []
    return g.flushing
  }

  endFlush(g: BroadcastGroup): void {
    if (g.flushing?.position) g.written = { id: g.flushing.id, position: g.flushing.position }
    g.flushing = null
    this.#forgetIfEmpty(g)
  }

  #forgetIfEmpty(g: BroadcastGroup): void {
    if (g.members.size === 0 && g.flushing === null && this.#byKey.get(g.key) === g) this.#byKey.delete(g.key)
  }
}
