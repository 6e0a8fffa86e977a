// Writing to connections: each connection's outgoing queue, one write per connection per flush
// (priority before routine, lanes.ts), `gap` messages for what a connection that fell behind lost,
// and slow-client handling (conflate, shed, then drop with 4008). Broadcast groups (groups.ts)
// are written first: one queue and one shared buffer per group, a bare write per member. Yields
// to the event loop on time so writing to thousands of sockets never stalls it.
import { closeCodes } from '@newswire/shared'
import type { Logger } from '@newswire/shared'
import { gapMessage } from './messages.ts'
import { BroadcastGroups, joinable } from './groups.ts'
import type { GroupMembership } from './groups.ts'
import { belowDropped, needsReorder, relieve, writeOrder } from './lanes.ts'
import type { GapCount } from './lanes.ts'
import type { FanoutMetrics } from './metrics.ts'
import type { BroadcastGroup, Conn, Framed, HubLimits, Sub, Transport } from './model.ts'
import type { QueuedMessage } from './queue.ts'
import { slowVerdict } from './queue.ts'
import { yieldNow } from './slices.ts'

/** Writing to sockets yields to the event loop after this much time. */
const WRITE_SLICE_MS = 10

/**
 * Sockets written between two looks at the clock: a run. A power of two, so `i & RUN_MASK` is a
 * socket's place in its run; a group's loop reads each run's members ahead (`lookAhead`).
 */
const RUN = 32
const RUN_MASK = RUN - 1

/** Where a flush is: its time slice, the server time read last, members written since the clock was looked at. */
interface Pace {
  slice: number
  now: number
  written: number
}

export interface WriterDeps {
  /** Server time (slow-client timing). */
  now: () => number
  limits: HubLimits
  metrics: FanoutMetrics
  log: Logger
  /** Closes a connection the writer gave up on (slow consumer). */
  kill: (conn: Conn, code: number, reason: string) => void
  /** Next history seq the live loop will match (when a resumed subscription may join a group). */
  liveSeq: () => number
  /** Told when a subscription joins or leaves a broadcast group. */
  membership?: GroupMembership
}

export class Writer {
  readonly #d: WriterDeps
  /** Connections with something queued since the last flush. */
  readonly #dirty = new Set<Conn>()
  /** Connections whose socket buffer is over the limit. */
  readonly #blocked = new Set<Conn>()
  readonly #groups: BroadcastGroups
  /** Groups with something queued since the last flush. */
  readonly #dirtyGroups = new Set<BroadcastGroup>()
  /** Messages and bytes written since the metrics were last updated, per transport label (`wire`: after compression). */
  readonly #sentWs = { messages: 0, bytes: 0, wire: 0 }
  readonly #sentSse = { messages: 0, bytes: 0, wire: 0 }

  constructor(deps: WriterDeps) {
    this.#d = deps
    this.#groups = new BroadcastGroups(deps.membership)
  }

  get pendingConnections(): number {
    return this.#dirty.size + this.#dirtyGroups.size
  }

  /** Groups in use (tests, metrics). */
  get groups(): number {
    return this.#groups.size
  }

  /** Queues a message already framed for `conn`'s transport; it goes out with the next flush. */
  enqueue(conn: Conn, m: Omit<QueuedMessage, 'seq'>): void {
    if (conn.closed) return
    if (conn.grouped) this.ungroup(conn.grouped)
    conn.pending.push({ ...m, seq: conn.seq++ })
    this.#dirty.add(conn)
  }

  /** Queues one framed article message of subscription `sub` (`key`: the article id, for conflation). */
  enqueueFramed(conn: Conn, sub: string, key: string, f: Framed): void {
    if (conn.closed) return
    if (conn.grouped) this.ungroup(conn.grouped)
    conn.pending.push({ key, data: f.data, lane: f.lane, sub, position: f.position, seq: conn.seq++, reframe: f.reframe })
    this.#dirty.add(conn)
  }

  /** Queues one framed article message to every member of a broadcast group (`key`: the article id). */
  enqueueGroup(g: BroadcastGroup, sub: string, key: string, f: Framed): void {
    g.queue.push({ key, data: f.data, lane: f.lane, sub, position: f.position, reframe: f.reframe })
    this.#dirtyGroups.add(g)
  }

  /** Writes `conn`'s queue now instead of in the next flush (the hub's `sendControl` with `now`). */
  writeNow(conn: Conn): void {
    this.#dirty.delete(conn)
    this.flush(conn, this.#d.now())
  }

  markDirty(conn: Conn): void {
    // a group member's queue is the group's: nothing of its own to write
    if (!conn.closed && !conn.grouped) this.#dirty.add(conn)
  }

  /** `sub` leaves its broadcast group: what the group owed it goes to its own queue, in order. */
  ungroup(sub: Sub): void {
    const owed = this.#groups.leave(sub)
    const conn = sub.conn
    if (owed.length === 0 || conn.closed) return
    for (const m of owed) conn.pending.push({ ...m, seq: conn.seq++ })
    this.#dirty.add(conn)
  }

  forget(conn: Conn): void {
    if (conn.grouped) this.#groups.leave(conn.grouped)
    this.#dirty.delete(conn)
    this.#blocked.delete(conn)
  }

  /** The connection can take more replayed events now (queue and socket below their limits). */
  canTakeMore(conn: Conn): boolean {
    return (
      !conn.closed &&
      conn.pending.length < Math.max(1, this.#d.limits.maxPending >> 1) &&
      conn.transport.buffered() < this.#d.limits.maxBufferedBytes
    )
  }

  /** Writes every dirty group, then every dirty connection, those that were behind last, yielding on time. */
  async flushDirty(): Promise<void> {
    const pace: Pace = { slice: performance.now(), now: this.#d.now(), written: 0 }
    if (this.#dirtyGroups.size > 0) {
      const groups = [...this.#dirtyGroups]
      this.#dirtyGroups.clear()
      for (const g of groups) {
        await this.#flushGroup(g, pace)
        // groups of a few are sockets all the same: the clock is looked at once a run of members is
        // written, whatever groups they are in (a write to thousands of groups of one never yielded,
        // and judged every token by the clock read when it began: red23c)
        if (pace.written >= RUN) await this.#pace(pace)
      }
    }
    if (this.#dirty.size === 0) {
      // groups alone: their writes are counted now, not at the next sweep
      this.countSent()
      return
    }
    let conns = [...this.#dirty]
    this.#dirty.clear()
    if (this.#blocked.size > 0) {
      // Connections that were behind go last: theirs are the big catch-up writes, and everyone
      // else's breaking item should not wait behind them
      const behind = conns.filter((c) => this.#blocked.has(c))
      if (behind.length > 0) conns = [...conns.filter((c) => !this.#blocked.has(c)), ...behind]
    }
    for (let i = 0; i < conns.length; i++) {
      this.flush(conns[i] as Conn, pace.now)
      // yield on time, not on a socket count: one write costs 5–70 µs depending on load
      if ((i & RUN_MASK) === RUN_MASK) await this.#pace(pace)
    }
    this.countSent()
  }

  /** Yields once WRITE_SLICE_MS of writing has passed. */
  async #pace(pace: Pace): Promise<void> {
    pace.written = 0
    if (performance.now() - pace.slice <= WRITE_SLICE_MS) return
    this.countSent()
    await yieldNow()
    pace.slice = performance.now()
    pace.now = this.#d.now()
  }

  /**
   * Writes a group's queue to every member: the frames are the same array for all, so the
   * transport joins them once (http/websocket.ts). A member whose socket is behind leaves the
   * group with the queue and takes the per-connection path. A queue that lanes would reorder
   * (priority behind routine) depends on each member's last position: every member leaves.
   */
  async #flushGroup(g: BroadcastGroup, pace: Pace): Promise<void> {
    if (needsReorder(g.queue)) {
      for (const sub of [...g.members]) this.ungroup(sub)
      g.queue = []
      return
    }
    const flush = this.#groups.startFlush(g)
    if (flush === null) return
    const frames: Buffer[] = []
    let bytes = 0
    for (const m of flush.queue) {
      frames.push(m.data)
      bytes += m.data.length
    }
    const max = this.#d.limits.maxBufferedBytes
    const members = [...g.members]
    const ahead: LookAhead = { transports: [], buffered: [] }
    for (let i = 0; i < members.length; i++) {
      // Nothing yields inside a run (only after it), so what was read ahead still holds
      if ((i & RUN_MASK) === 0) lookAhead(members, i, ahead)
      const sub = members[i] as Sub
      // left during a yield: it took what it was owed then
      if (sub.group !== g) continue
      const transport = ahead.transports[i & RUN_MASK] as Transport
      if (pace.now >= sub.conn.expiresAt) this.#expire(sub.conn)
      else if ((ahead.buffered[i & RUN_MASK] as number) >= max) this.ungroup(sub)
      else {
        // the group's write: the one a transport may compress, once for every member
        const wire = transport.write(frames, true)
        sub.wrote = flush.id
        const sent = transport.kind === 'sse' ? this.#sentSse : this.#sentWs
        sent.messages += frames.length
        sent.bytes += bytes
        sent.wire += wire
      }
      pace.written++
      if ((i & RUN_MASK) === RUN_MASK) await this.#pace(pace)
    }
    this.#groups.endFlush(g)
  }

  /** Metrics of what flush wrote, added once per flush rather than per connection. */
  countSent(): void {
    this.#count('ws', this.#sentWs)
    this.#count('sse', this.#sentSse)
  }

  #count(transport: 'ws' | 'sse', sent: { messages: number; bytes: number; wire: number }): void {
    if (sent.messages === 0) return
    this.#d.metrics.messages.inc({ transport }, sent.messages)
    this.#d.metrics.bytes.inc({ transport }, sent.bytes)
    this.#d.metrics.wireBytes.inc({ transport }, sent.wire)
    sent.messages = sent.bytes = sent.wire = 0
  }

  /** Writes `conn`'s queue if its socket can take it; else relieves the queue and maybe drops the client. */
  flush(conn: Conn, now: number): void {
    if (conn.grouped) this.ungroup(conn.grouped)
    if (conn.closed || conn.pending.length === 0) return
    if (now >= conn.expiresAt) {
      this.#expire(conn)
      return
    }
    const limits = this.#d.limits
    const buffered = conn.transport.buffered()
    if (buffered < limits.maxBufferedBytes) {
      const queue = conn.pending
      conn.pending = []
      conn.blockedSince = null
      conn.shedWhileBlocked = 0
      conn.relievedLength = 0
      this.#blocked.delete(conn)
      const frames = writeOrder(conn.gaps === null ? queue : belowDropped(queue, conn.gaps, conn.lastPosition), conn.lastPosition)
      // the gaps go last and carry the newest position of the write: only once it is ordered is
      // that the last position written (taken first, a priority message that overtook a routine
      // one carried it, and a reader cut just after it skipped what followed, a kill too: red22b)
      if (conn.gaps !== null) for (const g of this.#gapFrames(conn, conn.gaps, queue)) frames.push(g)
      let bytes = 0
      for (const f of frames) bytes += f.length
      // the connection's own write (snapshot, replay, answers, gaps): never compressed
      const wire = conn.transport.write(frames, false)
      const sent = conn.transport.kind === 'sse' ? this.#sentSse : this.#sentWs
      sent.messages += frames.length
      sent.bytes += bytes
      sent.wire += wire
      // written up: alone on its connection, a live subscription is written through its group
      const sub = joinable(conn, this.#d.liveSeq())
      if (sub !== null) this.#groups.join(sub)
      return
    }
    // Behind: routine messages are conflated, then shed (counted for a `gap`); priority ones stay.
    // Relief scans the whole queue, so it runs once the queue has grown by a stretch, not on
    // every event: per event, 100 blocked connections spent a third of the fan-out's CPU on it.
    const budget = Math.max(1, limits.maxPending >> 1)
    if (conn.pending.length >= conn.relievedLength + Math.max(1, budget >> 3) || conn.pending.length > limits.maxPending) {
      const gaps = conn.gaps ?? new Map<string, GapCount>()
      const r = relieve(conn.pending, budget, gaps)
      if (gaps.size > 0) conn.gaps = gaps
      conn.pending = r.queue
      conn.relievedLength = r.queue.length
      if (r.conflated > 0) this.#d.metrics.conflated.inc(r.conflated)
      if (r.shed > 0) this.#d.metrics.shed.inc({ lane: 'routine' }, r.shed)
      conn.shedWhileBlocked += r.shed
    }
    conn.blockedSince ??= now
    this.#blocked.add(conn)
    const pending = conn.pending.length
    if (slowVerdict(buffered, pending, conn.blockedSince, now, limits) === 'drop' || conn.shedWhileBlocked > limits.maxPending)
      this.#dropSlow(conn, pending, now)
  }

  /**
   * Its token expired by the host's clock, while the expiry timer (monotonic) has yet to fire: a
   * clock stepped ahead, a VM resumed after a pause (red19). Closed as the timer would, 4401, its
   * queue dropped.
   */
  #expire(conn: Conn): void {
    this.#d.kill(conn, closeCodes.unauthorized, 'token expired')
  }

  /** Connections that were blocked: write those that drained, drop those blocked too long. */
  sweep(): void {
    const now = this.#d.now()
    for (const conn of [...this.#blocked]) {
      if (conn.closed) {
        this.#blocked.delete(conn)
        continue
      }
      if (conn.transport.buffered() < this.#d.limits.maxBufferedBytes) this.#dirty.add(conn)
      else this.flush(conn, now)
    }
    this.countSent()
  }

  /** `gap` messages for what was dropped, each at the newest position of its subscription. */
  #gapFrames(conn: Conn, gaps: Map<string, GapCount>, queue: readonly QueuedMessage[]): Buffer[] {
    const out: Buffer[] = []
    for (const [subId, g] of gaps) {
      if (!conn.subs.has(subId)) continue
      let position = g.position
      let seq = g.seq
      for (const m of queue) {
        if (m.sub === subId && m.position && (m.seq ?? -1) > seq) {
          seq = m.seq ?? -1
          position = m.position
        }
      }
      if (position !== null) conn.lastPosition.set(subId, position)
      out.push(conn.transport.frame('gap', gapMessage({ sub: subId, position, shed: g.shed, conflated: g.conflated }), position))
      this.#d.metrics.gaps.inc()
    }
    conn.gaps = null
    return out
  }

  #dropSlow(conn: Conn, pending: number, now: number): void {
    const limits = this.#d.limits
    this.#d.metrics.slowDisconnects.inc()
    const blockedMs = now - (conn.blockedSince ?? now)
    const shed = conn.shedWhileBlocked
    this.#d.log.info({ conn: conn.id, pending, shed, blockedMs }, 'slow client dropped')
    this.#d.kill(
      conn,
      closeCodes.slowConsumer,
      pending > limits.maxPending
        ? `slow consumer: ${pending} messages pending`
        : shed > limits.maxPending
          ? `slow consumer: ${shed} routine messages shed`
          : `slow consumer: blocked ${blockedMs} ms`,
    )
  }
}

/** The next members' transports and their sockets' backlogs. */
interface LookAhead {
  transports: Transport[]
  buffered: number[]
}

/**
 * Reads the transports of the next run of members and their backlogs in one tight loop, so that the
 * memory reads of different members (subscription, connection, transport, socket, its state)
 * overlap: the write loop took them one member at a time, each waiting for the one before.
 */
function lookAhead(members: readonly Sub[], from: number, into: LookAhead): void {
  const end = Math.min(members.length, from + RUN)
  for (let i = from; i < end; i++) {
    const t = (members[i] as Sub).conn.transport
    into.transports[i - from] = t
    into.buffered[i - from] = t.buffered()
  }
}
