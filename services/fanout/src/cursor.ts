// Resuming subscriptions: each follows its own cursor through memory (history) or the log (a
// shared reader, replay.ts, delivers into the ReplaySink here) until it reaches the live loop. Per
// cursor step: the embargo releases it missed, then up to REPLAY_STEP events; from the log, the
// releases missed before each record once the ledger has moved. What each event becomes is
// decided now against the ledger (deliver.ts decideReplay); the cursor only says where the client
// is. Subscriptions at the same cursor share positions and frames through the caches here.
import { laterWatermark } from './audience-watermark.ts'
import type { Watermark } from './audience-watermark.ts'
import type { ArticleEvent, NewswireEvent } from '@newswire/shared'
import { isEntryEvent } from '@newswire/shared'
import { channelOf, decideReplay, decisionTag, frameDecision, frameRelease, replayState } from './deliver.ts'
import type { Entry, HistoryRecord } from './history.ts'
import { hasEntryEmbargo } from './entries.ts'
import { laneOfEvent } from './lanes.ts'
import { eventJson, eventMessageHead, eventMessageTail } from './messages.ts'
import type { Framed, Sub } from './model.ts'
import type { ReplaySink } from './replay.ts'
import type { PositionCodec } from './position.ts'
import { offsetsAtLeast, watermarkAfter } from './position.ts'
import { releaseShows, releaseWouldShow } from './release-view.ts'
import { isKill } from './visibility.ts'
import type { StoryMatcher } from './stories.ts'
import type { Store } from './store.ts'
import type { Writer } from './writer.ts'

/** Events a resuming subscription replays per turn: replays take turns and progress together. */
export const REPLAY_STEP = 100
/** Bound of the replay caches (positions and frames shared by subscriptions at the same cursor). */
const REPLAY_CACHE = 4096

/** What the cursors need from the hub. */
export interface CursorHost {
  /** Next history seq the live loop will deliver: memory replays stop there and join it. */
  liveSeq(): number
  /** Per partition, the offsets the live loop has delivered up to. */
  headOffsets(): readonly number[]
  /** The sub's cursor left memory: continue from Kafka. */
  toKafka(sub: Sub): void
  /** Run the loop again at server time `at` (a cursor waiting for its watermark). */
  wakeAt(at: number): void
  /** The watermark `t` lies further ahead of the host's clock than positions may (MAX_CLOCK_SKEW_MS). */
  pastSkew(t: number): boolean
  /** A resume accepted within the skew allowance whose watermark the host's clock has since fallen past it (a step back): start over. */
  refuseAhead(sub: Sub): void
  /** Run the loop again soon. */
  wake(): void
  /** Memory covers the cursor now: replay from there. */
  replayFromMemory(sub: Sub): void
  replayFailed(sub: Sub, err: unknown): void
  /** The release watermark of the reader's positions (hub.ts watermark; not the ledger's clock: red17). */
  watermark(conn: Sub['conn']): Watermark
}

export class Cursors implements ReplaySink {
  readonly #store: Store
  readonly #positions: PositionCodec
  readonly #writer: Writer
  readonly #host: CursorHost
  readonly #stories: StoryMatcher
  /** Cursor position after an event, keyed by the position before it and the event's seq. */
  readonly #after = new Map<string, string>()
  /** Frames keyed by event, transport, clearance, subscription, channel, decision and position. */
  readonly #frames = new Map<string, Framed>()
  /** The encoded tail of replayed `event` messages per event seq (the event JSON, encoded once). */
  readonly #tails = new Map<number, { text: string; data: Buffer }>()
  /** Per subscription replaying from the log, the ledger's clock and the records read when its releases were last stepped. */
  readonly #steppedAt = new WeakMap<Sub, { now: number; read: number }>()

  constructor(store: Store, positions: PositionCodec, writer: Writer, stories: StoryMatcher, host: CursorHost) {
    this.#store = store
    this.#positions = positions
    this.#writer = writer
    this.#stories = stories
    this.#host = host
  }

  /** Drops the shared caches when nothing replays or they grew past their bound. */
  trimCaches(replaying: number): void {
    for (const cache of [this.#after, this.#frames, this.#tails]) if (replaying === 0 || cache.size > REPLAY_CACHE) cache.clear()
  }

  /** Moves a cursor along memory; true when it stopped with more to do (step budget or a full queue). */
  stepMemory(sub: Sub): boolean {
    if (!this.#writer.canTakeMore(sub.conn)) return true
    const h = this.#store.history
    const c = sub.cursor
    const now = this.#store.ledger.now
    if (c.t < now || c.r) this.stepReleases(sub)
    if (sub.state !== 'memory') return false
    if (!h.covers(c.o)) {
      // the cursor fell out of memory while the client was slow: continue from Kafka
      this.#host.toKafka(sub)
      return false
    }
    const live = this.#host.liveSeq()
    let seq = h.startSeq(c.o)
    let n = 0
    while (seq < live && n < REPLAY_STEP) {
      const e = h.get(seq) as HistoryRecord
      n++
      if (e.offset < (c.o[e.partition] ?? 0)) {
        seq++
        continue
      }
      c.o[e.partition] = e.offset + 1
      // Subscriptions at the same cursor share the position after each event, and its frames
      const before = sub.cursorPos ?? null
      const after = before === null ? undefined : this.#after.get(`${seq}\u0000${before}`)
      sub.cursorPos = after ?? null
      this.deliver(sub, e.event, e, seq)
      if (after === undefined && before !== null && sub.cursorPos !== null) this.#after.set(`${seq}\u0000${before}`, sub.cursorPos)
      seq++
      // a story that came into view resets the subscription to the live loop (stories.ts)
      if (sub.state !== 'memory') return false
    }
    if (seq < live) return true
    // The cursor has passed everything the live loop has: join it, unless it is ahead (a position
    // from an instance that has read further, or whose clock is ahead: at most the allowed skew)
    if (!offsetsAtLeast(this.#host.headOffsets(), c.o)) return false
    if (c.t > now) {
      // accepted within the skew allowance, then the host's clock stepped back (an NTP step, a VM
      // restore): waiting for the watermark would keep the reader without its stream as long as the
      // step, up to an hour (red21c attack run); it starts over, as such a position would at once
      if (this.#host.pastSkew(c.t)) this.#host.refuseAhead(sub)
      else this.#host.wakeAt(c.t)
      return false
    }
    this.#stories.joinLive(sub)
    return false
  }

  /** Embargo releases after the cursor's watermark, up to the ledger's, for events the cursor has passed. */
  stepReleases(sub: Sub): void {
    const c = sub.cursor
    const ledger = this.#store.ledger
    const now = ledger.now
    if (c.t > now || (c.t === now && !c.r)) return
    // A position from an instance that has read further (red9): the client has events this one has
    // not read yet, a kill or hold among them maybe. A release judged by this instance's record now
    // could hand it a version those events replaced, and the cursor would then skip the kill. Wait
    // until this instance has read what the client has.
    if (!offsetsAtLeast(this.#host.headOffsets(), c.o)) return
    // its audience's positions stand at or before the cursor: no release after it shows this reader
    // anything (as most public positions are now, at the last release the public saw: not worth
    // listing the others at every step of a replay)
    const w = this.#host.watermark(sub.conn)
    if (!sub.story && !laterWatermark(w, c)) return
    if (sub.story) this.#stories.replayReleases(sub, (r) => this.#positions.encodeFor({ o: c.o, ...watermarkAfter(r) }, sub.who))
    const releases = sub.story ? [] : ledger.releases(c.t, c.r, now)
    // Nothing released since the watermark that this reader may see: it stays. The position claims
    // no more than before for this reader (a resume considers the others again: none it may see),
    // and cursors that started from one position keep sharing positions and frames (signing one
    // per subscription and event made a resume storm cost 3x the CPU per delivery). Moved by a
    // release it may not see (a story held back past its embargo, another desk's), it told a
    // reader resuming from positions of different times when that embargo passed (red15)
    const { clearance, scope } = sub.conn
    if (!sub.story && !releases.some((r) => releaseShows(ledger, r, clearance, scope))) return
    for (const r of releases) {
      // The cursor has yet to pass the event: replayed, it brings the version itself. An event of
      // unknown offset lies below memory, maybe behind the position too, never to be replayed: its
      // release goes now (replayed after all, the version is not sent twice: versions.admit)
      if (r.offset >= (c.o[r.partition] ?? 0) && r.loaded !== true) continue
      const s = ledger.latest(r.id)
      const f = s ? frameRelease(sub, s, () => this.#positions.encodeFor({ o: c.o, ...watermarkAfter(r) }, sub.who)) : null
      if (f) this.#writer.enqueueFramed(sub.conn, sub.id, r.id, f)
    }
    // past every release it may see, as far as its audience's positions stand (never the ledger's
    // clock, which tells when the feed last checked the log: red17)
    if (!laterWatermark(w, c)) return
    sub.cursorPos = null
    c.t = w.t
    if (w.r) c.r = w.r
    else delete c.r
  }

  /**
   * Delivers one event to a resuming subscription at its cursor (already moved past the event).
   * `entry` is the event's history entry (its ledger record) when replaying from memory.
   */
  deliver(sub: Sub, event: NewswireEvent, record: HistoryRecord | null, seq?: number): void {
    this.#owed(sub, event)
    const c0 = sub.cursor
    if (this.#stories.replay(sub, event, record, () => (sub.cursorPos ??= this.#positions.encodeFor({ o: c0.o, t: c0.t }, sub.who)))) return
    this.#deliverArticle(sub, event as ArticleEvent, record as Entry | null, seq)
  }

  /**
   * The cursor passes an event whose version is still under an embargo due at or before the
   * cursor's watermark: a position made on a clock ahead of this one (another instance's, or this
   * host's before an NTP step back) claims a release that this server has yet to make, of an event
   * the client never had. Its release would fall behind the watermark and never be sent: the
   * watermark drops to just before it (releases after it are considered again; the client drops
   * repeats by version).
   */
  #owed(sub: Sub, event: NewswireEvent): void {
    const c = sub.cursor
    const ledger = this.#store.ledger
    let at: number | null = null
    if (isEntryEvent(event)) {
      if (sub.story?.id !== event.article.id) return
      const s = ledger.entries.get(event.article.id, event.entry.id)
      if (s && !s.released && hasEntryEmbargo(s.event)) at = s.event.entry.embargoedUntil
    } else {
      const s = ledger.latest(event.article.id)
      if (s && !s.released && !isKill(s.event)) at = s.event.article.embargoedUntil
    }
    if (at === null || at > c.t) return
    // owed only where its release shows the reader something: dropped for one it may never see (a
    // story held back, another desk's), the next position told the reader its embargo's instant (red15)
    const entry = isEntryEvent(event) ? event.entry.id : null
    if (!releaseWouldShow(ledger, event.article.id, entry, sub.conn.clearance, sub.conn.scope)) return
    c.t = at - 1
    delete c.r
    sub.cursorPos = null
  }

  #deliverArticle(sub: Sub, event: ArticleEvent, entry: Entry | null, seq?: number): void {
    const id = event.article.id
    const d = decideReplay(sub, event, entry, replayState(this.#store.ledger, event))
    if (d === null) return
    const channel = channelOf(sub, d)
    if (channel === null) return
    if (d.kind === 'event' && !sub.versions.admit(id, d.article.version)) return
    // sent as released, the version's release step must not send it again (a duplicate)
    if (d.kind === 'event' && !d.embargoed) sub.versions.admit(`${id}\u0000released`, d.article.version)
    const c = sub.cursor
    sub.cursorPos ??= this.#positions.encodeFor({ o: c.o, t: c.t }, sub.who)
    const position = sub.cursorPos
    const conn = sub.conn
    const transport = conn.transport
    // From memory (`seq` known) the message depends only on the event, the connection's kind and
    // clearance, the subscription id, the channel, the decision and the position: subscriptions
    // at the same cursor share it
    const what = decisionTag(d)
    const key = seq === undefined ? null : `${seq}|${transport.kind}|${conn.clearance}|${sub.id}|${channel}|${what}|${position}`
    let f = key === null ? undefined : this.#frames.get(key)
    if (!f) {
      const text = () => (entry ? this.#store.entryText(entry, eventJson) : eventJson(event))
      if (d.kind === 'event' && transport.frameEvent) {
        // The event's JSON is encoded once per event; each cursor only adds its own head
        const head = eventMessageHead({ sub: sub.id, channel, position, embargoed: d.embargoed })
        let tail = seq === undefined ? undefined : this.#tails.get(seq)
        if (!tail) {
          const t = eventMessageTail(text())
          tail = { text: t, data: Buffer.from(t) }
          if (seq !== undefined) this.#tails.set(seq, tail)
        }
        const lane = laneOfEvent(d.article, d.embargoed)
        const tailText = tail.text
        const embargoed = d.embargoed
        const reframe = (other: string) =>
          transport.frame('event', eventMessageHead({ sub: sub.id, channel, position: other, embargoed }) + tailText, other)
        f = { data: transport.frameEvent(head, tail.data), lane, position, reframe }
      } else f = frameDecision(sub, d, channel, position, event, text)
      if (key !== null) this.#frames.set(key, f)
    }
    this.#writer.enqueueFramed(conn, sub.id, id, f)
  }

  // ---- ReplaySink: events read from the log for subscriptions older than memory ---------------

  replayEvent(sub: Sub, partition: number, offset: number, event: NewswireEvent | null): boolean {
    if (sub.state !== 'kafka') return false
    const c = sub.cursor
    if (offset < (c.o[partition] ?? 0)) return true
    // From where memory starts, memory serves it (and the ledger's record of it)
    if (this.replayMaybeDone(sub)) return false
    this.#stepLogReplay(sub)
    if (sub.state !== 'kafka') return false
    c.o[partition] = offset + 1
    sub.cursorPos = null
    // a record the ledger renumbered (late-kill.ts, late-hold.ts) is sent as it took it; one it
    // took as old news is not sent, as memory would not (Store.taken)
    if (event && this.#store.taken(partition, offset)) this.deliver(sub, this.#store.replayed(event), null)
    this.#writer.markDirty(sub.conn)
    return sub.state === 'kafka'
  }

  /**
   * Before a record from the log: it is decided by the ledger now, so its position must claim the
   * releases made up to now, as stepMemory's do (the records passed before it get theirs first).
   * At the watermark the replay had when it started, a version released since (the replay waiting
   * for the live consumer, or behind a slow socket, while the clock moved) went out released at a
   * position that still owed its release, and a resume from it sent the version again, `released`
   * (kafka-replay-release-watermark.test.ts). Stepped again only once the ledger's clock or the
   * records it read have moved (a release made, or made on arrival), not at every record.
   */
  #stepLogReplay(sub: Sub): void {
    const now = this.#store.ledger.now
    const read = this.#store.history.nextSeq
    const last = this.#steppedAt.get(sub)
    if (last?.now === now && last.read === read) return
    this.#steppedAt.set(sub, { now, read })
    const c = sub.cursor
    if (c.t < now || c.r) this.stepReleases(sub)
  }

  replayProgress(sub: Sub, partition: number, next: number): void {
    if (sub.state !== 'kafka') return
    const c = sub.cursor
    // never past what the live consumer has read (see replayEvent)
    next = Math.min(next, this.#host.headOffsets()[partition] ?? 0)
    if (next > (c.o[partition] ?? 0)) {
      c.o[partition] = next
      sub.cursorPos = null
    }
  }

  replayMaybeDone(sub: Sub): boolean {
    if (sub.state !== 'kafka') return true
    if (!this.#store.history.covers(sub.cursor.o)) return false
    sub.stopReplay = null
    this.#host.replayFromMemory(sub)
    return true
  }

  /**
   * Resolves once the live loop has read `offset` of `partition`: a replay reader reads the log on
   * its own and may be ahead of the live consumer, and a record the ledger has not read cannot be
   * judged (a kill it does not know is dropped as "newer than the latest", and the cursor passes
   * it: red9). Null when it has; else resolves once it has or the replay stopped (`stopped`), and
   * rejects after `maxMs` (the replay fails over to a reset).
   */
  replayReadable(partition: number, offset: number, stopped: () => boolean, maxMs = 30_000): Promise<void> | null {
    // nearly always: the replay reads behind the live loop, and a promise per record would cost a turn each
    if ((this.#host.headOffsets()[partition] ?? 0) > offset) return null
    return this.#readable(partition, offset, stopped, maxMs)
  }

  async #readable(partition: number, offset: number, stopped: () => boolean, maxMs: number): Promise<void> {
    const read = await this.#until(() => (this.#host.headOffsets()[partition] ?? 0) > offset || stopped(), maxMs)
    if (!read) throw new Error('the live consumer has not read what the replay reached')
  }

  async replayWait(subs: Iterable<Sub>, maxMs = 1000): Promise<void> {
    await this.#until(() => {
      for (const sub of subs) if (sub.state === 'kafka' && !this.#writer.canTakeMore(sub.conn)) return false
      return true
    }, maxMs)
  }

  /** Wakes the live loop, then checks `done` every 10 ms for up to `maxMs`: whether it came true. */
  async #until(done: () => boolean, maxMs: number): Promise<boolean> {
    this.#host.wake()
    const until = Date.now() + maxMs
    while (!done()) {
      if (Date.now() >= until) return false
      await new Promise((r) => setTimeout(r, 10))
    }
    return true
  }

  replayFailed(sub: Sub, err: unknown): void {
    this.#host.replayFailed(sub, err)
  }
}
