// `story:<id>` subscriptions: a live story and its entries. They are matched apart from the other
// channels (live.ts never sees them): the hub hands each pass's story events, entry events and
// releases here, and the cursors their replays. The story's own versions are decided as on every
// channel (deliver.ts); its entries by entry-visibility.ts, in log order, each against the story's
// state of that moment. A client holds entries only while it shows the story: a `withdrawn` of the
// story (kill, hold, embargo, out of view) drops them all, and a story coming (back) into view is a
// `reset` with a fresh snapshot, so the client gets its entries again.
import { entryToJson, isEntryEvent } from '@newswire/shared'
import type { EntryEvent, NewswireEvent } from '@newswire/shared'
import { channelOf, decideLive, decideRelease, decideReplay, decisionTag, frameDecision, frameRelease, replayState } from './deliver.ts'
import type { EntryState } from './entries.ts'
import { unrestricted } from './audience.ts'
import { emptyFilter } from './channels.ts'
import { decideEntry, entryChangeFor } from './entry-visibility.ts'
import type { EntryChange, EntryDecision } from './entry-visibility.ts'
import type { Entry, EntryEventRecord, HistoryRecord } from './history.ts'
import type { Release } from './embargo-schedule.ts'
import type { SnapshotItem } from './messages.ts'
import { eventJson, resetMessage } from './messages.ts'
import type { Conn, Framed, StoryFollow, Sub } from './model.ts'
import { type Position, type PositionCodec, positionsAt, positionsFor, watermarkAfter } from './position.ts'
import type { Watermark } from './audience-watermark.ts'
import type { Store } from './store.ts'
import { decideEntryRelease, decideEntryReplay, entryExposure, entryKey, frameEntryDecision, storyInView } from './story-deliver.ts'
import { entryMessageTail, withEntries } from './story-messages.ts'
import { entryItem, entryText, latestEntries, storyNow } from './story-snapshot.ts'
import type { SubscriptionIndex } from './subscriptions.ts'
import type { Change, Clearance, Latest } from './visibility.ts'
import { changeFor, releasedOnArrival } from './visibility.ts'
import type { Writer } from './writer.ts'

export interface StoryDeps {
  store: Store
  index: SubscriptionIndex
  writer: Writer
  positions: PositionCodec
  /** The live loop's signed position for the subscription's audience and view (hub.ts headPosition: resets are made there). */
  headPosition: (sub: Sub) => string
  /** The release watermark of a reader's positions (hub.ts watermark; not the ledger's clock: red17). */
  watermark: (conn: Conn) => Watermark
  /** A replaying subscription joins the live loop (after a reset). */
  goLive: (sub: Sub) => void
}

export interface StoryStart {
  snapshot: SnapshotItem[]
  entries: SnapshotItem[]
  more: number | null
}

/**
 * A story subscription's snapshot now: the story, its pinned and latest entries, where older ones
 * page from. Notes whether the client shows the story, and the versions it holds (never sent again).
 */
export function storyStart(store: Store, sub: Sub): StoryStart {
  const f = sub.story as StoryFollow
  const c = sub.conn.clearance
  const now = storyNow(store.ledger, f.id, { clearance: c, view: sub }, eventJson)
  f.shown = now.item !== null
  f.missed = undefined
  f.unsent = undefined
  f.inViewThen = undefined
  f.since = undefined
  if (now.item === null || !now.state) return { snapshot: [], entries: [], more: null }
  sub.versions.admit(f.id, now.state.event.article.version)
  const { items, more } = latestEntries(now.entries, now.state, c, f.entries)
  for (const s of items) sub.versions.admit(entryKey(f.id, s.event.entry.id), s.event.entry.version)
  f.gateFrom = store.history.nextSeq
  return { snapshot: [now.item], entries: items.map((s) => entryItem(s, c)), more }
}

/** Whether a version's embargo had passed at server time `t`. */
function releasedAt(s: Latest, t: number): boolean {
  const at = s.event.article.embargoedUntil
  return s.released && (at === null || at <= t)
}

/**
 * Whether the client of a `story:` subscription showed the story at position `p`: the story's
 * state then (walked back through its versions in memory) as the subscription sees it. Null when
 * this instance cannot tell (the story changed since, in a part of the log memory no longer holds).
 */
export function shownAt(store: Store, sub: Sub, p: Position): boolean | null {
  const id = (sub.story as StoryFollow).id
  const latest = store.ledger.latest(id)
  if (!latest) return false
  const part = latest.partition
  const before = p.o[part] ?? 0
  // a state known only from news.articles is older than where history started; one evicted from
  // memory, older than where memory starts now
  const loadedBefore = (store.from[part] ?? 0) <= before
  const evictedBefore = store.history.memStart(part) <= before
  let at: Latest | undefined = latest
  if (latest.offset !== null && latest.offset >= before) {
    let rec = latest.seq === null ? undefined : (store.history.get(latest.seq) as Entry | undefined)
    for (;;) {
      if (!rec) return null
      // a version at or after p: what it replaced may be what the client had
      const prev = rec.prevSeq === null ? undefined : (store.history.get(rec.prevSeq) as Entry | undefined)
      if (prev === undefined && rec.prev !== undefined && !(rec.prevSeq === null ? loadedBefore : evictedBefore)) return null
      if (prev === undefined || prev.offset < before) {
        at = rec.prev
        break
      }
      rec = prev
    }
  } else if (latest.offset === null && !loadedBefore) return null
  return at !== undefined && storyInView(sub, { event: at.event, released: releasedAt(at, p.t) })
}

/** The story is in the subscription's view now (the ledger's record). */
export function storyInViewNow(store: Store, sub: Sub): boolean {
  return storyInView(sub, store.ledger.latest((sub.story as StoryFollow).id))
}

export class StoryMatcher {
  readonly #d: StoryDeps

  constructor(deps: StoryDeps) {
    this.#d = deps
  }

  /** A new version of a story (a history record the ledger applied), to its story subscriptions. */
  article(rec: Entry, head: readonly number[]): void {
    const id = rec.event.article.id
    const subs = this.#d.index.under(`story:${id}`)
    const state = rec.applied ? this.#d.store.ledger.latest(id) : undefined
    if (!subs || !state) return
    const next = { event: rec.event, released: rec.released }
    const changes: Partial<Record<Clearance, Change>> = {}
    const text = () => this.#d.store.entryText(rec, eventJson)
    const frames = new Map<string, Framed>()
    const positionFor = positionsFor(this.#d.positions, [...head], this.#d.watermark)
    for (const sub of [...subs]) {
      const f = sub.story as StoryFollow
      const c = sub.conn.clearance
      changes[c] ??= changeFor(rec.prev, next, c)
      const d = decideLive(sub, changes[c], state, rec.event)
      const channel = d === null ? null : channelOf(sub, d)
      if (d === null || channel === null) continue
      const position = positionFor(sub.who, sub.conn)
      if (d.kind === 'event') {
        if (lacks(f)) {
          this.reset(sub, 'the story came into view')
          continue
        }
        if (!sub.versions.newer(id, d.article.version)) continue
      } else this.#hide(sub)
      // one frame per transport, audience (clearance and scope), subscription id and decision, as for entries
      f.frameKey ??= `${sub.conn.transport.kind}|${sub.who.key}|${sub.id}`
      const fk = `${f.frameKey}|${decisionTag(d)}`
      let framed = frames.get(fk)
      if (!framed) {
        framed = frameDecision(sub, d, channel, position, rec.event, text)
        frames.set(fk, framed)
      }
      this.#send(sub, id, framed)
    }
  }

  /** An entry event (a history record) to the story subscriptions of its story; moves `head` past it. */
  entry(rec: EntryEventRecord, head: number[]): void {
    head[rec.partition] = Math.max(head[rec.partition] ?? 0, rec.offset + 1)
    const e = rec.event
    const storyId = e.article.id
    const subs = this.#d.index.under(`story:${storyId}`)
    const ledger = this.#d.store.ledger
    const state = rec.applied ? ledger.entries.get(storyId, e.entry.id) : undefined
    if (!subs || !state) return
    // The story's version this event was applied under was released before the live loop got here
    // (both read in one batch, the embargo passing before the pass): that version's own record goes
    // out released, so this event is judged now (below). Judged by the story as it stood, a client
    // shown the story would never hear of a deletion or a new entry under it.
    const late = rec.story !== undefined && !rec.story.released && ledger.releasedLater(rec.story.event)
    const next = { event: e, released: rec.released }
    const changes: Partial<Record<Clearance, EntryChange>> = {}
    // readers without a filter, token scope or inherited past decide alike: once per clearance
    const plain: Partial<Record<Clearance, EntryDecision | null>> = {}
    const key = entryKey(storyId, e.entry.id)
    const frames = new Map<string, Map<string, Framed>>()
    const tail = () => (rec.text ??= entryMessageTail(e, JSON.stringify(entryToJson(e.entry))))
    const positionFor = positionsFor(this.#d.positions, head, this.#d.watermark)
    for (const sub of subs) {
      const f = sub.story as StoryFollow
      // A broadcast group is decided once per entry event, for all its members: they share every
      // input below, and none of them has a version gate that an entry from here on could meet
      // (groups.ts groupKey, joinable)
      const g = sub.group
      if (g) {
        if (g.mark === rec.seq) continue
        g.mark = rec.seq
      }
      if (!f.shown) continue
      const c = sub.conn.clearance
      const isPlain = sub.filter === emptyFilter && sub.conn.scope === unrestricted && !sub.inherited
      // Judged now, as a replay judges it (story-deliver.ts decideEntryReplay): an event applied
      // under a story version released since (late), or one before gateFrom, which what the
      // subscription was given last (a snapshot, a replay, a release, all made from the ledger)
      // already took in: it left out an entry deleted or hidden since, and a version of it from
      // here would reach a reader that is not to see it any more
      const now = late || rec.seq < f.gateFrom
      let d = isPlain && !now ? plain[c] : undefined
      if (now) d = this.#judgedNow(sub, e, rec, mayHaveShown(sub, rec.story, ledger.now), state)
      else if (d === undefined) {
        changes[c] ??= entryChangeFor(rec.story, rec.prev, next, c)
        d = decideEntry(changes[c], c, storyInView(sub, rec.story), () => entryExposure(state, c, sub.inherited), sub.inherited)
        if (isPlain) plain[c] = d
      }
      if (d === null) continue
      // the version gate holds only versions of records before gateFrom (snapshots, replays)
      if (d.kind === 'entry' && rec.seq < f.gateFrom && !sub.versions.newer(key, d.entry.version)) continue
      const position = positionFor(sub.who, sub.conn)
      // one frame per transport, audience, subscription id and decision: most readers share it
      const tag = tagOf(d)
      let byKey = frames.get(tag)
      if (!byKey) {
        byKey = new Map()
        frames.set(tag, byKey)
      }
      f.frameKey ??= `${sub.conn.transport.kind}|${sub.who.key}|${sub.id}`
      let framed = byKey.get(f.frameKey)
      if (!framed) {
        framed = frameEntryDecision(sub, d, position, e, tail)
        byKey.set(f.frameKey, framed)
      }
      if (g) this.#d.writer.enqueueGroup(g, sub.id, key, framed)
      else this.#send(sub, key, framed)
    }
  }

  /**
   * An embargo release (the story's or an entry's) to the live story subscriptions of the story.
   * A version the live loop has not delivered yet (seq at or past `liveSeq`) goes out with its own
   * event, already released.
   */
  release(r: Release, head: readonly number[], liveSeq: number): void {
    const subs = this.#d.index.under(`story:${r.id}`)
    if (!subs) return
    const at = positionsAt(this.#d.positions, { o: [...head], ...watermarkAfter(r) })
    for (const sub of [...subs]) this.#release(sub, r, () => at(sub.who), liveSeq)
  }

  /** A story subscription's release, live or while resuming (`liveSeq`: Infinity). */
  #release(sub: Sub, r: Release, position: () => string, liveSeq: number): void {
    const ledger = this.#d.store.ledger
    const story = ledger.latest(r.id)
    if (r.entry !== null) {
      const s = ledger.entries.get(r.id, r.entry)
      if (!s || (s.seq !== null && s.seq >= liveSeq) || !(sub.story as StoryFollow).shown) return
      const d = decideEntryRelease(sub, story, s)
      if (d === null) return
      ;(sub.story as StoryFollow).gateFrom = this.#d.store.history.nextSeq
      this.#send(
        sub,
        entryKey(r.id, r.entry),
        frameEntryDecision(sub, d, position(), s.event, () => tailOf(s), true),
      )
      return
    }
    if (!story || (story.seq !== null && story.seq >= liveSeq)) return
    const d = decideRelease(sub, story)
    if (d === null) return
    if (d.kind === 'retract') this.#hide(sub)
    else if (lacks(sub.story as StoryFollow)) {
      this.reset(sub, 'the story was released')
      return
    }
    const f = frameRelease(sub, story, position)
    if (f) this.#send(sub, r.id, f)
  }

  // ---- resuming subscriptions (cursor.ts) -------------------------------------------------------

  /**
   * One event a resuming subscription's cursor passes (`record`: its history record, null when read
   * from the log), judged now. Only `story:` subscriptions get entry events; true when this handled
   * the event (an entry event, or any event of a story subscription).
   */
  replay(sub: Sub, event: NewswireEvent, record: HistoryRecord | null, position: () => string): boolean {
    const f = sub.story
    if (!f) return isEntryEvent(event)
    if (event.article.id !== f.id) return true
    const ledger = this.#d.store.ledger
    if (isEntryEvent(event)) {
      if (!f.shown) return true
      const latest = ledger.entries.get(f.id, event.entry.id)
      const rec = record as EntryEventRecord | null
      // read from the log, the story as it stood is known from the story records this replay passed
      const inView = rec ? mayHaveShown(sub, rec.story, ledger.now) : f.inViewThen !== false
      const d = this.#judgedNow(sub, event, rec, inView, latest)
      if (d === null || latest === undefined) return true
      const key = entryKey(f.id, event.entry.id)
      if (d.kind === 'entry' && !sub.versions.admit(key, d.entry.version)) return true
      // sent as released, its release step must not send it again (cursor.ts)
      if (d.kind === 'entry' && !d.embargoed) sub.versions.admit(`${key}\u0000released`, d.entry.version)
      f.gateFrom = this.#d.store.history.nextSeq
      // the latest version's own JSON for the latest event, the record's for an intermediate one
      const sent = d.kind === 'entry' && d.entry !== latest.event.entry ? event : latest.event
      const tail = () => entryMessageTail(sent, sent === latest.event ? entryText(latest) : JSON.stringify(entryToJson(sent.entry)))
      this.#send(sub, key, frameEntryDecision(sub, d, position(), sent, tail))
      return true
    }
    // the story as this record made it: in view, entries then may have reached the client since
    f.inViewThen = mayHaveShown(sub, { event, released: record ? (record as Entry).released : releasedOnArrival(event) }, ledger.now)
    if (f.inViewThen) f.unsent = undefined
    const d = decideReplay(sub, event, record as Entry | null, replayState(ledger, event))
    const channel = d === null ? null : channelOf(sub, d)
    if (d === null || channel === null) return true
    if (d.kind === 'event') {
      if (lacks(f)) {
        this.reset(sub, 'the story came into view')
        return true
      }
      if (!sub.versions.admit(f.id, d.article.version)) return true
      if (!d.embargoed) sub.versions.admit(`${f.id}\u0000released`, d.article.version)
    } else f.shown = false
    const text = eventJson(event)
    this.#send(
      sub,
      f.id,
      frameDecision(sub, d, channel, position(), event, () => text),
    )
    return true
  }

  /** The releases of the story and its entries a resuming subscription missed, after watermark (t, r), for events its cursor passed. */
  replayReleases(sub: Sub, position: (r: Release) => string): void {
    const c = sub.cursor
    const ledger = this.#d.store.ledger
    for (const r of ledger.storyReleases((sub.story as StoryFollow).id, c.t, c.r, ledger.now)) {
      if (sub.state === 'live' || sub.state === 'gone') return
      // as cursor.ts stepReleases: an entry of unknown offset may lie behind the position, never replayed
      if (r.offset >= (c.o[r.partition] ?? 0) && r.loaded !== true) continue
      this.#release(sub, r, () => position(r), Number.POSITIVE_INFINITY)
    }
  }

  /**
   * The story came (back) into the subscription's view: a `reset` with a fresh snapshot at the live
   * loop's position, and the subscription follows the live loop from there.
   */
  reset(sub: Sub, reason: string): void {
    const position = this.#d.headPosition(sub)
    const start = storyStart(this.#d.store, sub)
    const base = resetMessage({ sub: sub.id, channels: sub.channels.map((c) => c.name), position, reason, more: null }, start.snapshot)
    const json = withEntries(base, start.entries, start.more)
    // the client replaces what it had with this snapshot: it holds nothing from before any more
    sub.inherited = false
    this.#d.writer.enqueue(sub.conn, { key: null, data: sub.conn.transport.frame('reset', json, position), sub: sub.id, position })
    if (sub.state !== 'live') {
      sub.stopReplay?.()
      sub.stopReplay = null
      this.#d.goLive(sub)
    }
  }

  /**
   * A resuming story subscription reaches the live loop. A story in view now that the client is
   * taken not to show came into view by a release this instance made behind the cursor's
   * watermark: its clock was behind the position's (the process that gave it released first, and
   * the client shows the story), so no release after the watermark brings it and the live loop
   * sends only changes. Left out, a reader resuming on a process whose release clock had stalled
   * never got the story's later entries (stop 48 CI). A reset brings it, whatever the client had.
   */
  joinLive(sub: Sub): void {
    const f = sub.story
    if (f && lacks(f) && storyInViewNow(this.#d.store, sub)) this.reset(sub, 'the story came into view')
    else this.#d.goLive(sub)
  }

  /**
   * An entry event judged now (a replay, or a live record a snapshot took in or a release overtook).
   * With the story out of view now while the client still shows it, the record that took it out
   * lies ahead; an entry left out here may be in view again by the time the subscription gets
   * there (an embargo passing meanwhile), with no `withdrawn` to make it come with a reset: noted
   * (`missed`), so the story's next version in view is one (a reader resuming across an embargoed
   * update never got the entries written before it, stop 54 CI).
   */
  #judgedNow(sub: Sub, e: EntryEvent, rec: EntryEventRecord | null, inViewThen: boolean, latest: EntryState | undefined) {
    const f = sub.story as StoryFollow
    const story = this.#d.store.ledger.latest(f.id)
    if (f.shown && !storyInView(sub, story)) f.missed = true
    return unsentHeldBack(sub, e, inViewThen, decideEntryReplay(sub, e, rec, story, latest))
  }

  /** The client drops the story (a `withdrawn` of it): its group decides for clients that show it, so it leaves. */
  #hide(sub: Sub): void {
    ;(sub.story as StoryFollow).shown = false
    this.#d.writer.ungroup(sub)
  }

  #send(sub: Sub, key: string, f: Framed): void {
    this.#d.writer.enqueueFramed(sub.conn, sub.id, key, f)
  }
}

/**
 * Whether the client of a resumed subscription may have been shown the story as it stood (`s`): in
 * view by this instance's record, or once released, if its embargo passed by the watermark of the
 * position it resumed from or by this instance's clock (`now`). That position's snapshot (a reset,
 * a subscribe) came from a ledger that had read further than its live loop, whose place it carries,
 * and a head position keeps its watermark while the live loop reads nothing: a story released there
 * on arrival (its embargo passed before that process read it) showed the client entries written
 * after the position, under a version this instance had still under embargo when it read them;
 * taken for unsent, their deletion was never told (red17 attack run).
 */
function mayHaveShown(sub: Sub, s: Latest | undefined, now: number): boolean {
  const t = (sub.story as StoryFollow).since
  const at = s?.event.article.embargoedUntil ?? null
  if (s && !s.released && t !== undefined && at !== null && at <= Math.max(t, now))
    return storyInView(sub, { event: s.event, released: true })
  return storyInView(sub, s)
}

/**
 * A decision judged now on an entry event a subscription's cursor passes, less what concerns an
 * entry created after the position it resumed from while its story, as it stood, was out of the
 * subscription's view, and never sent since: the client, holding what it held there, holds
 * none of it, so it is not told of its deletion or hold either. An entry's exposure is per
 * clearance, not per desk or language: a desk token was told of an entry written and deleted on a
 * desk it may not see, its id and the newsroom's reason (red14 attack run).
 */
function unsentHeldBack(sub: Sub, e: EntryEvent, inViewThen: boolean, d: EntryDecision | null): EntryDecision | null {
  const f = sub.story as StoryFollow
  const id = e.entry.id
  if (e.type === 'ENTRY_CREATED' && !inViewThen) {
    f.unsent ??= new Set()
    f.unsent.add(id)
  }
  if (d?.kind === 'entry') f.unsent?.delete(id)
  return d?.kind === 'retract' && f.unsent?.has(id) ? null : d
}

/** The client lacks what it should show of the story: it dropped it, or a replay left entries out (`missed`). */
const lacks = (f: StoryFollow): boolean => !f.shown || f.missed === true

/** The shared end of `entry` messages for an entry state's version. */
const tailOf = (s: EntryState): string => entryMessageTail(s.event, entryText(s))

/** A decision's kind of message, as a constant string (frame keys). */
const tagOf = (d: EntryDecision): string =>
  d.kind === 'retract'
    ? d.unsure
      ? `${d.cause}?`
      : d.cause
    : d.created
      ? d.embargoed
        ? 'created!'
        : 'created'
      : d.embargoed
        ? 'updated!'
        : 'updated'
