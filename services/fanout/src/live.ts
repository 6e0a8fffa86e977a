// The live path of one event or one embargo release: which live subscriptions it concerns (by
// the index keys of the versions before and after, and, for a kill, of every view the story was
// seen in), what each gets (deliver.ts, decided once per clearance), and one framed message per
// (transport, clearance, subscription id, channel, decision), queued to the writer.
import type { Logger } from '@newswire/shared'
import { indexKeysOf } from './channels.ts'
import { channelOf, decideLive, decideReplay, decisionTag, frameDecision, frameRelease } from './deliver.ts'
import type { Release } from './embargo-schedule.ts'
import { views } from './exposure.ts'
import type { Entry } from './history.ts'
import { eventJson } from './messages.ts'
import type { Conn, Framed } from './model.ts'
import { type PositionCodec, positionsAt, positionsFor, watermarkAfter } from './position.ts'
import type { Watermark } from './audience-watermark.ts'
import type { Store } from './store.ts'
import type { SubscriptionIndex } from './subscriptions.ts'
import type { Change, Clearance } from './visibility.ts'
import { changeFor, isKill } from './visibility.ts'
import type { Writer } from './writer.ts'

export class LiveMatcher {
  readonly #store: Store
  readonly #index: SubscriptionIndex
  readonly #writer: Writer
  readonly #positions: PositionCodec
  readonly #log: Logger
  /** Marks of releases: negative, below the -1 a new subscription starts with (events mark with their seq). */
  #marks = -1
  /** ingestedAt of the events delivered since the last take (latency metric). */
  #latencies: number[] = []

  /** The release watermark of a reader's positions (hub.ts watermark). */
  readonly #watermark: (conn: Conn) => Watermark

  constructor(
    store: Store,
    index: SubscriptionIndex,
    writer: Writer,
    positions: PositionCodec,
    log: Logger,
    watermark: (conn: Conn) => Watermark,
  ) {
    this.#watermark = watermark
    this.#store = store
    this.#index = index
    this.#writer = writer
    this.#positions = positions
    this.#log = log
  }

  takeLatencies(): number[] {
    const out = this.#latencies
    this.#latencies = []
    return out
  }

  /** Queues one new event to the live subscriptions it concerns; `head` is the live position's offsets (moved past it). */
  entry(e: Entry, head: number[]): void {
    const a = e.event.article
    head[e.partition] = Math.max(head[e.partition] ?? 0, e.offset + 1)
    // duplicates and older versions change nothing (the ledger did not apply them)
    const state = e.applied ? this.#store.ledger.latest(a.id) : undefined
    if (!state) return
    const next = { event: e.event, released: e.released }
    const keys = indexKeysOf(a)
    if (e.prev) keys.push(...indexKeysOf(e.prev.event.article))
    if (isKill(e.event)) for (const v of views(state.exposure)) keys.push(...indexKeysOf(v))
    const subs = this.#index.deciders(keys, e.seq)
    if (subs.length === 0) return
    const changes: Partial<Record<Clearance, Change>> = {}
    const frames = new Map<string, Framed>()
    const text = () => this.#store.entryText(e, eventJson)
    const positionFor = positionsFor(this.#positions, head, this.#watermark)
    let deliveries = 0
    for (const sub of subs) {
      // A broadcast group is decided once per event, for all its members (groups.ts): the index
      // gives one of them, once
      const g = sub.group
      const c = sub.conn.clearance
      let ch = changes[c]
      if (!ch) {
        ch = changeFor(e.prev, next, c)
        changes[c] = ch
      }
      // a record the subscription's snapshot took in (made from the ledger, ahead of the live
      // loop) is judged now, as a replay judges it: the snapshot left out what it changed
      const d =
        sub.takenIn !== undefined && e.seq < sub.takenIn ? decideReplay(sub, e.event, e, state) : decideLive(sub, ch, state, e.event)
      const channel = d === null ? null : channelOf(sub, d)
      if (d === null || channel === null) continue
      // a group's members joined with nothing in their gates that an event from here on could meet
      if (d.kind === 'event' && !g && !sub.versions.newer(a.id, a.version)) continue
      const position = positionFor(sub.who, sub.conn)
      const what = decisionTag(d)
      const fkChannel = `${channel}|${what}`
      let fk = sub.frameKey
      if (fk?.channel !== fkChannel) {
        // whom the message's position is for (clearance and token scope) and its view
        fk = { channel: fkChannel, key: `${sub.conn.transport.kind}|${sub.who.key}|${sub.id}|${fkChannel}` }
        sub.frameKey = fk
      }
      let f = frames.get(fk.key)
      if (!f) {
        f = frameDecision(sub, d, channel, position, e.event, text)
        if (frames.size < 256) frames.set(fk.key, f)
      }
      if (g) {
        this.#writer.enqueueGroup(g, sub.id, a.id, f)
        deliveries += g.members.size
      } else {
        this.#writer.enqueueFramed(sub.conn, sub.id, a.id, f)
        deliveries++
      }
    }
    if (deliveries === 0) return
    this.#latencies.push(e.event.ingestedAt)
    // One line per event, not per client: the trace id of the ingest request ends here
    const { traceId, eventId, type } = e.event
    this.#log.info({ traceId, eventId, articleId: a.id, type, partition: e.partition, offset: e.offset, deliveries }, 'event delivered')
  }

  /**
   * An embargo release to the live subscriptions that may see it now (the newsroom: `released`
   * for what it had flagged). A version the live loop has not delivered yet (seq at or past
   * `liveSeq`) goes out with its own event, already released.
   */
  release(r: Release, head: readonly number[], liveSeq: number): void {
    const s = this.#store.ledger.latest(r.id)
    if (!s || (s.seq !== null && s.seq >= liveSeq)) return
    const at = positionsAt(this.#positions, { o: [...head], ...watermarkAfter(r) })
    for (const sub of this.#index.candidates(indexKeysOf(s.event.article), --this.#marks)) {
      const f = frameRelease(sub, s, () => at(sub.who))
      if (f) this.#writer.enqueueFramed(sub.conn, sub.id, r.id, f)
    }
  }
}
