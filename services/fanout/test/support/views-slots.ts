// The readers and connections of red25b-views-shed-model.test.ts: what the model keeps of each,
// and K over it.
import assert from 'node:assert/strict'
import type { ArticleEvent } from '@newswire/shared'
import type { Harness, FakeTransport } from './harness.ts'
import type { Message } from './harness.ts'
import { Reader, type Sent } from './two-process-reader.ts'
import { isTicker, type View, viewMatches } from './views-commands.ts'
import { stats } from './views-stats.ts'
import type { Page } from './views-pages.ts'
import { inClaims, isLimited, type Kind, seesEmbargoed } from './views-readers.ts'
import type { Session } from './views-sessions.ts'

/** A reader's subscription: its id on its connection, its view, what it keeps (the SDK's). */
export interface Slot {
  sid: string
  /**
   * The SDK's update() on an open WebSocket: unsubscribe, then subscribe afresh under a new id, its
   * `subscribed` taken as a reset (startOver). Until it comes, what the old ids are still sent is
   * the old views' (the SDK reads every subscription's events); after it, nothing of them may be.
   */
  update: { n: number; startOver: boolean; old: Map<string, View> }
  /** The view a message being taken is judged by (an old subscription's), else `view`. */
  judgeView: View | null
  /** The connection it is on (`paired`: the second reader's subscription shares the first's). */
  link: number
  view: View
  reader: Reader
  /** A `gap` shed routine updates since its last fresh snapshot: E is then only "nothing outside". */
  lossy: boolean
  /** Every story it was sent (event, snapshot or page) since its last fresh snapshot. */
  shown: Set<string>
  /** The cursor of its older items (`more` of its last fresh snapshot or reset; null: none or paged to the end). */
  more: string | null
  /** The token (its claims as JSON) it had when it was given `more`: a page asked under another reads under its own. */
  moreToken: string
  /** How much was written when its last fresh snapshot came: a page taken after more was reads across changes. */
  pagedFrom: number
  /** A page answered but not yet merged (`late`), and the fresh snapshots the reader had had when it asked. */
  late: { page: Page; reader: Reader; snapshots: number } | null
  /** How it reads: SSE or a WebSocket, public or with a newsroom token (red27a). */
  kind: Kind
  /** SSE: the last `id:` its EventSource read (Last-Event-ID), what it resumes from; a reload forgets it. */
  lastEventId: string | null
  /** A ticker's last fresh snapshot was cut at the snapshot's size (it gets no cursor): E is then only "nothing outside". */
  cut: boolean
  /** SSE: the first `id:` it read since it last forgot its ids (an older one than its last: red28a's stale Last-Event-ID). */
  firstId: string | null
}

/** Reader `i`'s slot at the start: its kind, view, connection and subscription id; judged by `judge`. */
export function newSlot(kind: Kind, view: View, link: number, sid: string, reader: Reader): Slot {
  return {
    kind,
    lastEventId: null,
    firstId: null,
    sid,
    link,
    view,
    reader,
    lossy: false,
    shown: new Set<string>(),
    more: null,
    moreToken: 'null',
    pagedFrom: 0,
    late: null,
    cut: false,
    update: { n: 0, startOver: false, old: new Map() },
    judgeView: null,
  }
}

/** A connection: its transport, what of it was read, and when it comes back (away: steps left, and how). */
export interface Link {
  on: { conn: ReturnType<Harness['connect']>['conn']; t: FakeTransport; read: number } | null
  awayFor: number | null
  catchUpBack: 'all' | 'latest'
  /** The newsroom token it opens with (red28a: one that expires or is revoked); null: public. */
  session: Session | null
}

/** K: every story shown since its last fresh snapshot that was killed, it was told of (a newsroom reader also by the killed story, as killed: Reader.take). */
export function checkKillsTold(s: Slot, written: ReadonlyMap<string, ArticleEvent[]>, who: string, w: string): void {
  for (const id of s.shown)
    if (written.get(id)?.at(-1)?.type === 'WITHDRAWN')
      assert.ok(s.reader.told.has(id), `K. ${who} was shown ${id} and never told of its kill: ${w}`)
}

/** S for what `s` is sent (`full`: what was written of it): the public's rule, or the newsroom's (every version, embargoed ones flagged), within the token's limits and the view. */
export function judgeSent(s: Slot, full: ArticleEvent | undefined, e: Sent, now: number, w: string): void {
  if (s.kind.token === null) Reader.check(e, now, w)
  const until = e.article.embargoedUntil
  if (s.kind.token?.embargo === false)
    assert.ok(
      until === null || Date.parse(until) <= now,
      `S. ${e.article.id} v${e.article.version} under embargo, to a token without embargo rights: ${w}`,
    )
  assert.ok(full, `S. an event nobody wrote: ${w}`)
  assert.ok(inClaims(s.kind.token, full.article), `S. ${e.article.id} v${e.article.version} outside the token's limits: ${w}`)
  assert.ok(viewMatches(s.judgeView ?? s.view, full.article), `S. ${e.article.id} v${e.article.version} outside the view: ${w}`)
}

/**
 * S for message `m`, sent to `s` at `at`: a withdrawn to a limited token names a story once within
 * its limits; an event's embargo passed by the clock it was written at, while it was still the
 * latest (but to a newsroom token with embargo rights, which is sent it flagged).
 */
export function checkSent(s: Slot, m: Message, at: number, written: ReadonlyMap<string, ArticleEvent[]>, w: string): void {
  if (m.type === 'withdrawn' && isLimited(s.kind))
    assert.ok(
      (written.get(m.articleId as string) ?? []).some((e) => inClaims(s.kind.token, e.article)),
      `S. a withdrawn of ${String(m.articleId)}, never within the token's limits: ${w}`,
    )
  if (m.type !== 'event' || seesEmbargoed(s.kind)) return
  const e = m.event as Sent
  const next = written.get(e.article.id)?.[e.article.version]
  const until = e.article.embargoedUntil === null ? null : Date.parse(e.article.embargoedUntil)
  assert.ok(until === null || until <= at, `S. ${e.article.id} v${e.article.version} before its embargo: ${w}`)
  assert.ok(
    until === null || next === undefined || until <= next.occurredAt,
    `S. ${e.article.id} v${e.article.version} replaced under embargo: ${w}`,
  )
}

/** Checks and keeps what `s`'s subscription was sent and it has not read (`traced`: how much was written so far). */
export function takeSent(
  s: Slot,
  written: ReadonlyMap<string, ArticleEvent[]>,
  traced: number,
  snapshotSize: number,
  now: number,
  why: string,
): void {
  const on = s.reader.on
  if (!on) return
  const ms = on.t.messages as Message[]
  const end = ms.length
  for (let k = on.read; k < end; k++) {
    const m = ms[k] as Message
    // a fresh snapshot replaces what it showed: K counts the stories shown since
    if (m.type === 'reset' || (m.type === 'subscribed' && m.replay === 'none')) {
      s.lossy = false
      s.shown.clear()
      // the SDK pages from the cursor its last fresh snapshot gave (README: a resume gets none)
      s.more = typeof m.more === 'string' ? m.more : null
      s.moreToken = JSON.stringify(s.kind.token)
      s.pagedFrom = traced
      s.cut = isTicker(s.view) && ((m.snapshot ?? []) as Sent[]).length >= snapshotSize
    }
    if (m.type === 'subscribed' && m.replay === 'kafka') stats.kafkaReplays++
    if (m.type === 'gap') stats.gaps++
    if (m.type === 'gap' && ((m.shed as { routine?: number } | undefined)?.routine ?? 0) > 0) {
      s.lossy = true
      stats.sheds++
    }
    if (m.type === 'withdrawn' && m.cause === 'left') stats.leftView++
    checkSent(s, m, on.t.at[k] as number, written, why)
    if (m.type === 'withdrawn' && m.erased === true) stats.erasures++
    if (m.type === 'event' && m.released === true) stats.released++
    if (m.type === 'event') s.shown.add((m.event as Sent).article.id)
    if (m.type === 'subscribed' || m.type === 'reset') for (const e of (m.snapshot ?? []) as Sent[]) s.shown.add(e.article.id)
  }
  s.reader.consume(now, why)
}
