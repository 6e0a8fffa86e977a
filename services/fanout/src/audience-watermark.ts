// The release watermark of the positions a reader is handed: the last embargo release made that
// shows its audience (clearance and token scope) something, never the ledger's clock. That clock
// stops where the log was last known read to its end, the start of the feed's last freshness
// check (Store.liveClock), and the feed checks just past every embargo, a story's held back past
// it too (feed.ts keepFresh): a position signed at the clock carried that embargo's instant, plus
// one, to the public (red17 attack run, 2026-12-06). A position claims every release at or before
// its watermark considered; those after an audience's last one show it nothing, so it claims as
// much as one at the clock would (a resume considers them again and sends none, as red15's
// replays do). Pure: no I/O.
import type { AudienceScope } from './audience.ts'
import type { Ledger } from './ledger.ts'
import { type Position, releaseAfter } from './position.ts'
import type { Clearance } from './visibility.ts'

export type Watermark = Pick<Position, 't' | 'r'>

interface Mark {
  w: Watermark
  /** The ledger's clock and the records read when `w` was found: nothing new since, it stands. */
  now: number
  read: number
}

/** Audiences whose watermark is kept (a few in use at once; one dropped is found again). */
const MAX_MARKS = 256

export class AudienceWatermarks {
  readonly #ledger: Pick<Ledger, 'now' | 'lastReleaseShown' | 'madeUntil' | 'firstUnmadeShown'>
  /** Records the ledger has applied: one read may add a release made on its arrival, behind the clock. */
  readonly #read: () => number
  readonly #marks = new Map<string, Mark>()
  /** The ledger's clock when the live loop started (every release up to it made): no watermark is older. */
  #floor = Number.NEGATIVE_INFINITY

  constructor(ledger: Pick<Ledger, 'now' | 'lastReleaseShown' | 'madeUntil' | 'firstUnmadeShown'>, read: () => number) {
    this.#ledger = ledger
    this.#read = read
  }

  /** The live loop starts: releases up to the ledger's clock are made. */
  start(): void {
    this.#floor = this.#ledger.now
    this.#marks.clear()
  }

  /** The watermark for audience `a` (position.ts audienceKey) of clearance `c` and token scope `scope`. */
  of(a: string, c: Clearance, scope: AudienceScope): Watermark {
    const now = this.#ledger.now
    const read = this.#read()
    let m = this.#marks.get(a)
    if (m !== undefined && m.now === now && m.read === read) return m.w
    // new, or the clock went back below it (an NTP step: what was released stays, it claims less,
    // but never less than a release made before that shows the audience something: see below)
    if (m === undefined || m.w.t > now) {
      if (m === undefined && this.#marks.size >= MAX_MARKS) this.#marks.delete(this.#marks.keys().next().value as string)
      m = { w: { t: Number.isFinite(this.#floor) ? Math.min(this.#floor, now) : now }, now, read }
      this.#marks.set(a, m)
    }
    // A release made while the host clock ran ahead stays past the clock once it is stepped back;
    // positions below it would say the reader cannot hold that story, and another process (or this
    // one restarted), which never released it, would not tell the reader of its kill, read more
    // than the race allowance before its embargo (red21c attack run). Such a position is one ahead
    // of the clock: within the skew allowance a resume waits for the clock, past it it is refused.
    // It still claims no release not made yet (a resume elsewhere would skip it): it stops below
    // the first such one that would show the audience something (then that kill is left to the
    // race allowance, as before: README, Known limits).
    let until = now
    if (this.#ledger.madeUntil > now) {
      const unmade = this.#ledger.firstUnmadeShown(now, this.#ledger.madeUntil, c, scope)
      until = unmade === null ? this.#ledger.madeUntil : Math.max(now, unmade - 1)
    }
    const last = this.#ledger.lastReleaseShown(m.w.t, m.w.r, c, scope, until)
    // Its whole millisecond: every release due by the ledger's clock is made (those at one instant
    // in one pass, before any event), so none at that instant is still to come, one known only from
    // news.articles (whose key says nothing of its order) neither. The same object while it stands:
    // head positions are signed again only when it moves (hub.ts).
    if (last !== null && last.at !== m.w.t) m.w = { t: last.at }
    m.now = now
    m.read = read
    return m.w
  }
}

/** `a` claims more than `b`: a release made after `b`, at or before `a`, may exist. */
export function laterWatermark(a: Watermark, b: Watermark): boolean {
  if (a.t !== b.t) return a.t > b.t
  // one without a tie-break claims its whole millisecond
  if (!a.r) return b.r !== undefined
  return b.r !== undefined && releaseAfter({ at: a.t, partition: a.r[0], offset: a.r[1] }, b.t, b.r)
}
