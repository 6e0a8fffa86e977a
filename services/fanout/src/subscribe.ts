// Starting a subscription: fresh (snapshot, then live), or resuming from a client's position.
// A position is verified (signature, ranges, against the log's real bounds) before it is used;
// one that fails gets an `error` and a `reset` with a fresh snapshot, never a stuck or spinning
// subscription. Resumes go through the admission gate (reconnect storms), then to memory or to a
// replay from the log.
import type { Logger, TimerClock } from '@newswire/shared'
import { closeCodes, setTimerAt } from '@newswire/shared'
import { ResumeGate } from './admission.ts'
import { indexKeysOfChannels } from './channels.ts'
import { eventJson, resetMessage, subscribedMessage } from './messages.ts'
import type { ServerMessageType, SnapshotItem } from './messages.ts'
import type { FanoutMetrics } from './metrics.ts'
import type { Conn, HubLimits, StoryFollow, Sub } from './model.ts'
import { NO_CURSOR } from './model.ts'
import {
  audienceProblem,
  claimedPosition,
  offsetsAtLeast,
  PositionError,
  positionFor,
  positionProblem,
  viewKey,
  viewProblem,
} from './position.ts'
import type { Position, PositionCodec, PositionFor } from './position.ts'
import { checkAccess, checkStory, DEFAULT_STORY_ENTRIES, ProtocolError } from './protocol.ts'
import type { SubscribeMessage } from './protocol.ts'
import type { LogReplays } from './replay.ts'
import type { PageCursorCodec } from './page-cursor.ts'
import { page } from './snapshot.ts'
import type { LogBounds, Store } from './store.ts'
import { shownAt, storyInViewNow, storyStart } from './stories.ts'
import { withEntries } from './story-messages.ts'
import { kindsOf } from './subscriptions.ts'
import { VersionGate } from './versions.ts'

/** How far ahead of this server's clock a position's watermark may be (another instance's clock). */
export const MAX_CLOCK_SKEW_MS = 60_000
/** How long a resume from a position ahead of this instance waits for it to read as far. */
const WAIT_TO_READ_MS = 10_000
/** When a client whose position this instance could not reach in WAIT_TO_READ_MS is asked to come back. */
const BEHIND_RETRY_MS = 2_000

export interface SubscribeDeps {
  random?: () => number
  store: Store
  limits: HubLimits
  metrics: FanoutMetrics
  log: Logger
  positions: PositionCodec
  /** Seals the `more` cursor of a snapshot (page-cursor.ts). */
  cursors: PageCursorCodec
  bounds: LogBounds
  clock: TimerClock
}

/** What starting a subscription needs from the hub. */
export interface SubscribeHost {
  readonly started: boolean
  /** History seq the live loop has matched up to (the store may have read further). */
  readonly liveSeq: number
  /**
   * The live loop's signed position for a reader of that clearance and token scope, and the place it
   * names, which a snapshot's `more` is sealed at (hub.ts headAt: not the ledger's clock, red17).
   */
  headAt(who: Pick<Conn, 'clearance' | 'scope' | 'positionAudience'>, view?: PositionFor): { position: string; o: number[]; t: number }
  /** `now`: written at once when nothing else waits for the connection, not by the next pass. */
  sendControl(conn: Conn, type: ServerMessageType, json: string, position?: string | null, sub?: string, now?: boolean): void
  sendError(conn: Conn, err: ProtocolError): void
  goLive(sub: Sub): void
  replayFromMemory(sub: Sub): void
  /** Embargo releases up to now for what the cursor has passed. */
  catchUpReleases(sub: Sub): void
  dropSub(sub: Sub): void
  closeWithRetryHint(conn: Conn, code: number, what: string, retryAfterMs: number): void
}

export class Subscriptions {
  readonly #d: SubscribeDeps
  readonly #host: SubscribeHost
  readonly #gate: ResumeGate
  readonly #replays: LogReplays
  /** Log start offsets, shared by the log resumes of one second (a storm asks Kafka once). */
  #low: { at: number; offsets: Promise<number[]> } | null = null
  /** Resumes from positions ahead of what this instance has read, until it has (red9). */
  readonly #waiting = new Set<{ sub: Sub; o: readonly number[]; then: () => void; cancel: () => void }>()

  constructor(deps: SubscribeDeps, host: SubscribeHost, replays: LogReplays) {
    this.#d = deps
    this.#host = host
    this.#replays = replays
    const clock = deps.clock
    this.#gate = new ResumeGate({
      rate: deps.limits.resumeRate,
      queueMax: deps.limits.resumeQueue,
      clock,
      setTimer: (fn, ms) => setTimerAt(clock.now() + ms, fn, clock),
      random: deps.random ?? Math.random,
    })
  }

  close(): void {
    this.#gate.close()
    for (const w of this.#waiting) w.cancel()
    this.#waiting.clear()
  }

  subscribe(conn: Conn, msg: SubscribeMessage): Sub {
    const limits = this.#d.limits
    checkAccess(msg, conn.audience)
    checkStory(msg.channels, msg.entries, msg.id)
    if (msg.id !== null && conn.subs.has(msg.id))
      throw new ProtocolError('duplicate_id', `subscription '${msg.id}' exists; unsubscribe first`, msg.id)
    if (conn.subs.size >= limits.maxSubscriptionsPerConnection) {
      throw new ProtocolError(
        'too_many_subscriptions',
        `at most ${limits.maxSubscriptionsPerConnection} subscriptions per connection`,
        msg.id,
      )
    }
    if (!this.#host.started) throw new ProtocolError('replay_unavailable', 'the service is not ready', msg.id)
    let id = msg.id
    while (id === null || conn.subs.has(id)) id = `s${++conn.nextSubId}`
    const sub: Sub = {
      id,
      conn,
      channels: msg.channels,
      filter: msg.filter,
      who: positionFor(
        conn.positionAudience,
        viewKey(
          msg.channels.map((c) => c.name),
          msg.filter,
        ),
      ),
      keys: indexKeysOfChannels(msg.channels),
      state: 'pending',
      cursor: NO_CURSOR,
      inherited: msg.since !== null,
      mark: -1,
      stopReplay: null,
      catchUp: msg.catchUp,
      versions: new VersionGate(),
      story: storyOf(msg),
      // set later; named here so every subscription has one shape with its fields in the object
      frameKey: undefined,
      cursorPos: null,
      group: null,
      liveFrom: undefined,
      takenIn: undefined,
      wrote: undefined,
    }
    conn.subs.set(id, sub)
    for (const kind of kindsOf(sub)) this.#d.metrics.subscriptions.inc({ kind })
    if (msg.since === null) {
      const head = this.#host.headAt(conn, sub.who)
      const position = head.position
      const { items, more, wrap } = this.#snapshot(sub, head)
      // live first, so that the answer, written at once on an idle connection, joins the group
      this.#host.goLive(sub)
      this.#host.sendControl(
        conn,
        'subscribed',
        wrap(subscribedMessage({ sub: id, channels: this.#names(sub), position, replay: 'none', more }, items)),
        position,
        id,
        true,
      )
      return sub
    }
    let since: Position
    try {
      since = this.#d.positions.decode(msg.since)
    } catch (err) {
      if (!(err instanceof PositionError)) throw err
      this.#refuseOnceRead(sub, err.message, claimedPosition(msg.since)?.o ?? null)
      return sub
    }
    const store = this.#d.store
    const problem =
      positionProblem(since, { partitions: store.partitions, now: this.#d.clock.now(), maxSkewMs: MAX_CLOCK_SKEW_MS }) ??
      audienceProblem(since, conn.positionAudience) ??
      viewProblem(since, sub.who.v)
    if (problem !== null) {
      this.#refuseOnceRead(sub, problem, since.o)
      return sub
    }
    sub.cursor = { o: [...since.o], t: since.t, ...(since.r ? { r: since.r } : {}) }
    this.#admit(sub, () => this.#resume(sub, since))
    return sub
  }

  /** Reconnect storms: resumes are admitted at a bounded rate so the live stream stays on time. */
  #admit(sub: Sub, run: () => void): void {
    const admitted = this.#gate.admit(run, () => sub.state === 'gone')
    if ('queued' in admitted) this.#d.metrics.resumesAdmission.inc({ result: 'queued' })
    else if ('admitted' in admitted) this.#d.metrics.resumesAdmission.inc({ result: 'admitted' })
    else {
      this.#d.metrics.resumesAdmission.inc({ result: 'rejected' })
      this.#host.closeWithRetryHint(sub.conn, closeCodes.tryAgainLater, 'too many resumes', admitted.retryAfterMs)
    }
  }

  /**
   * No replay from Kafka for this resume now (every reader busy, Kafka unreachable, a replay that
   * broke): say why, then start over from a fresh snapshot, as for a position the server cannot
   * use. Dropping the subscription instead left the client connected to nothing, never to hear
   * of a kill, and no embed reads `error` (red6 attack run, 2026-12-04).
   */
  replayUnavailable(sub: Sub, why: string): void {
    if (!this.#stopResume(sub)) return
    this.#host.sendError(sub.conn, new ProtocolError('replay_unavailable', `${why}; starting from a fresh snapshot`, sub.id))
    this.#reset(sub, why)
  }

  /**
   * A resume accepted within the skew allowance whose watermark the host's clock has since fallen
   * behind by more than it (a step back while it waited): refused as it would be now (red21c).
   */
  refuseAhead(sub: Sub): void {
    if (this.#stopResume(sub)) this.#refuse(sub, 'the position watermark is in the future')
  }

  /** Stops the resume's replay; false when the subscription or its connection is gone. */
  #stopResume(sub: Sub): boolean {
    if (sub.state === 'gone' || sub.conn.closed) return false
    sub.stopReplay?.()
    sub.stopReplay = null
    return true
  }

  #names(sub: Sub): string[] {
    return sub.channels.map((c) => c.name)
  }

  /**
   * A position this instance cannot use (a key it does not know yet: a rotation rolling out; a
   * partition count or a clock it has not caught up with) from a stream that may be ahead of it:
   * the reset's snapshot is made at this instance's head, and one behind what the client already
   * holds hands back what its stream took back, an embargoed draft killed before its release
   * included (red14 attack run). So the reset waits until this instance has read as far as the
   * position says (its offsets, unverified: they can only make it wait), as a resume does.
   */
  #refuseOnceRead(sub: Sub, why: string, claimed: readonly number[] | null): void {
    const o = claimed?.slice(0, this.#d.store.partitions) ?? []
    if (offsetsAtLeast(this.#d.store.readTo(), o)) {
      this.#refuse(sub, why)
      return
    }
    // asking Kafka goes through the resume gate: a position made up with offsets past ours costs
    // the client a turn there, not Kafka a request per subscribe
    this.#admit(sub, () => this.#onceRead(sub, o, why, () => this.#refuse(sub, why)))
  }

  /** A position the server cannot use: say why, then start over from a snapshot. */
  #refuse(sub: Sub, why: string): void {
    this.#host.sendError(sub.conn, new ProtocolError('invalid_position', `${why}; starting from a fresh snapshot`, sub.id))
    this.#reset(sub, why)
  }

  #resume(sub: Sub, since: Position): void {
    this.#onceRead(sub, since.o, 'the position is ahead of the log', () => this.#serve(sub, since))
  }

  /**
   * Runs `then` once this instance has read up to `o`: at once, or, ahead of it, once Kafka says
   * the log holds such offsets (else the position is refused with `notInLog`) and this instance
   * has read them (10 s, then 1013). Fine if another instance read further, not if the log itself
   * has no such offsets.
   */
  #onceRead(sub: Sub, o: readonly number[], notInLog: string, then: () => void): void {
    if (sub.state !== 'pending' || sub.conn.closed) return
    if (offsetsAtLeast(this.#d.store.readTo(), o)) {
      then()
      return
    }
    const wait = () => {
      if (sub.state === 'pending' && !sub.conn.closed) this.#waitToRead(sub, o, then)
    }
    this.#d.bounds.highWatermarks().then(
      (high) => {
        if (sub.state !== 'pending' || sub.conn.closed) return
        if (!offsetsAtLeast(high, o)) this.#refuse(sub, notInLog)
        else wait()
      },
      // Not replay_unavailable: its reset is made at this instance's head, behind the client, and
      // would hand back a story it was told was killed (red14). A signed position came from the
      // log, a refused one's offsets can only make it wait: wait to read them, or send the client
      // to come back.
      (err: unknown) => {
        this.#d.log.warn({ err }, 'could not read log offsets for a position ahead of this instance')
        wait()
      },
    )
  }

  /**
   * A position from an instance that has read further than this one (red9): the client holds
   * events this one has not read (a kill, a hold, a story coming into view). Judged by this
   * instance's record now, a release would hand it a version those events replaced, and the
   * cursor would then pass the kill; a story would be taken for one the client never had. Serve
   * it once this instance has read as far (the live loop calls readAdvanced), or start over.
   */
  #waitToRead(sub: Sub, o: readonly number[], then: () => void): void {
    const w = { sub, o, then, cancel: () => {} }
    this.#waiting.add(w)
    w.cancel = setTimerAt(
      this.#d.clock.now() + WAIT_TO_READ_MS,
      () => {
        if (!this.#waiting.delete(w)) return
        // Not a reset: its snapshot would be this record, older than what the client holds, and a
        // client forgets on a reset what it was told, kills too; a story killed on its page would
        // come back until this instance read the kill (found by the two-process property). The
        // client comes back with the same position, here or to another process.
        if (sub.state === 'pending' && !sub.conn.closed)
          this.#host.closeWithRetryHint(sub.conn, closeCodes.tryAgainLater, 'this instance is behind the position', BEHIND_RETRY_MS)
      },
      this.#d.clock,
    )
  }

  /** The live loop has read up to `head`: serve the resumes that waited for it. */
  readAdvanced(head: readonly number[]): void {
    if (this.#waiting.size === 0) return
    for (const w of [...this.#waiting]) {
      if (w.sub.state !== 'pending' || w.sub.conn.closed) {
        this.#waiting.delete(w)
        w.cancel()
        continue
      }
      if (!offsetsAtLeast(head, w.o)) continue
      this.#waiting.delete(w)
      w.cancel()
      w.then()
    }
  }

  #serve(sub: Sub, since: Position): void {
    if (sub.story) {
      // The client drops a story's entries with the story: one that came into view since needs them all
      const shown = shownAt(this.#d.store, sub, since)
      if (shown !== true && storyInViewNow(this.#d.store, sub)) {
        this.#reset(sub, 'the story came into view after that position')
        return
      }
      // Unknown (the story changed where memory no longer reaches): the replay retracts the story if
      // the client may hold it, and a story that comes into view during the replay is a reset
      sub.story.shown = shown ?? false
      sub.story.since = since.t
    }
    const position = this.#d.positions.encodeFor(since, sub.who)
    if (this.#d.store.history.covers(since.o)) {
      this.#d.metrics.replays.inc({ source: 'memory' })
      this.#host.sendControl(
        sub.conn,
        'subscribed',
        subscribedMessage({ sub: sub.id, channels: this.#names(sub), position, replay: 'memory' }, []),
        position,
        sub.id,
      )
      this.#host.replayFromMemory(sub)
      return
    }
    this.#lowWatermarks().then(
      (low) => {
        if (sub.state !== 'pending' || sub.conn.closed) return
        if (!offsetsAtLeast(sub.cursor.o, low)) {
          this.#reset(sub, 'the position is older than the retention of news.article-events')
          return
        }
        // Joins a shared reader from a nearby position, or starts one (replay.ts); events arrive later
        sub.state = 'kafka'
        const stop = this.#replays.join(sub, false)
        if (!stop) {
          sub.state = 'pending'
          this.replayUnavailable(sub, 'too many replays from Kafka right now')
          return
        }
        sub.stopReplay = stop
        this.#d.metrics.replays.inc({ source: 'kafka' })
        this.#host.sendControl(
          sub.conn,
          'subscribed',
          subscribedMessage({ sub: sub.id, channels: this.#names(sub), position, replay: 'kafka' }, []),
          position,
          sub.id,
        )
        // Releases up to now for what the cursor has passed, then events from the log at this watermark
        this.#host.catchUpReleases(sub)
      },
      (err: unknown) => this.#unavailable(sub, err),
    )
  }

  #unavailable(sub: Sub, err: unknown): void {
    this.#d.log.warn({ err }, 'could not read log offsets for a resume')
    this.replayUnavailable(sub, 'Kafka is not reachable for a replay')
  }

  #lowWatermarks(): Promise<number[]> {
    const now = this.#d.clock.now()
    if (this.#low && now - this.#low.at < 1000) return this.#low.offsets
    const offsets = this.#d.bounds.lowWatermarks()
    this.#low = { at: now, offsets }
    offsets.catch(() => {
      if (this.#low?.offsets === offsets) this.#low = null
    })
    return offsets
  }

  #reset(sub: Sub, reason: string): void {
    this.#d.metrics.replays.inc({ source: 'reset' })
    // The client replaces what it had with this snapshot: it holds nothing from before any more
    sub.inherited = false
    const head = this.#host.headAt(sub.conn, sub.who)
    const position = head.position
    const { items, more, wrap } = this.#snapshot(sub, head)
    this.#host.sendControl(
      sub.conn,
      'reset',
      wrap(resetMessage({ sub: sub.id, channels: this.#names(sub), position, reason, more }, items)),
      position,
      sub.id,
    )
    this.#host.goLive(sub)
  }

  /**
   * The newest items the subscription may see, and the cursor of older ones as of the stream
   * position `head` (snapshot.ts). Paging relies on the stream for what changes after the
   * snapshot, so a subscription that skips updates (tickerFieldsOnly) gets no cursor.
   */
  #snapshot(sub: Sub, head: { o: number[]; t: number }): { items: SnapshotItem[]; more: string | null; wrap: (json: string) => string } {
    if (sub.story) {
      // A story subscription's snapshot is its story and its entries (stories.ts)
      const start = storyStart(this.#d.store, sub)
      return { items: start.snapshot, more: null, wrap: (json) => withEntries(json, start.entries, start.more) }
    }
    // The live loop behind the store (a backlog, a pass running): the ledger has applied records
    // the live loop has not matched, which it will match for this subscription too. The snapshot is
    // made as of the live loop's position, leaving out what those records changed, and they are
    // judged now for it, as a replay judges them (live.ts): else a kill read before the subscribe
    // reached it after the killed story's last version, and older versions came after a newer one
    const history = this.#d.store.history
    const behind = this.#host.liveSeq < history.nextSeq
    sub.takenIn = behind ? history.nextSeq : undefined
    const q = { clearance: sub.conn.clearance, view: sub, limit: this.#d.limits.snapshotSize, from: null, asOf: behind ? head : null }
    const { items, next } = page(this.#d.store, q, eventJson)
    const wrap = unwrapped
    if (next === null || sub.filter.tickerFieldsOnly) return { items, more: null, wrap }
    return { items, more: this.#d.cursors.encode({ key: next, o: head.o, t: head.t }), wrap }
  }
}

/** A snapshot without entries: the message as it is (module-level: one function, not one per subscribe). */
const unwrapped = (json: string): string => json

/** The story a `story:<id>` subscription follows (protocol.ts allows it as the only channel). */
function storyOf(msg: Pick<SubscribeMessage, 'channels' | 'entries'>): StoryFollow | null {
  const ch = msg.channels[0]
  if (ch?.kind !== 'story' || ch.value === null) return null
  return { id: ch.value, entries: msg.entries ?? DEFAULT_STORY_ENTRIES, shown: false, gateFrom: 0 }
}
