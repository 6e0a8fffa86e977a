// The newsroom tokens of red25b-views-shed-model.test.ts's readers as sessions that end (red28a
// attack run, 2026-12-07): a token with an `exp` that passes mid-stream (on its timer, or by the
// host's clock stepped past it), a token the operator revokes (NEWSROOM_REVOKED_FILE's rules, the
// list handed to every open connection as app.ts does), and the app signing in again with a fresh
// token of the same claims, its stream resuming from its last position (README "Newsroom tokens":
// the client resumes with a fresh token from its last position). And the odd positions an SSE
// reconnect may carry in Last-Event-ID and `since` at once (http/sse.ts: the header wins).
// Checked (README "Who sees what", stale credentials): nothing is written to a connection at or
// after its token's `exp` by the host's clock, nor after the list in force names its token, and it
// is closed with 4401 then; a connection is never closed with 4401 otherwise.
import assert from 'node:assert/strict'
import type { Credential, Revocations } from '../../src/revocations.ts'
import { isRevoked, NO_REVOCATIONS, parseRevocations } from '../../src/revocations.ts'
import { parseChannels, parseFilter, ProtocolError, type SubscribeMessage } from '../../src/protocol.ts'
import { sseSubscription } from '../../src/http/sse.ts'
import type { FakeTransport, Harness } from './harness.ts'
import { isTicker, type OddPosition, type Step, type View, VIEWS, viewQuery } from './views-commands.ts'
import { mayAsk } from './views-readers.ts'
import type { Link, Slot } from './views-slots.ts'
import { stats } from './views-stats.ts'

/** A newsroom token a connection was opened with: when it expires (null: not in the run), and what a rule may name of it. */
export interface Session {
  exp: number | null
  /** When its expiry timer fires, on the timers' (monotonic) clock. */
  timerAt: number | null
  credential: Credential
}

const iso = (ms: number) => new Date(ms).toISOString()

/** The run's tokens and the revocation list in force. */
export class Sessions {
  readonly #lines: string[] = []
  list: Revocations = NO_REVOCATIONS
  #issued = 0
  /** Per connection, how many messages it had when the list in force first named its token. */
  readonly #namedAt = new WeakMap<FakeTransport, number>()
  readonly #clock: { monotonicNow(): number }

  constructor(clock: { monotonicNow(): number }) {
    this.#clock = clock
  }

  /** A new token for connection `l` (its subject one per connection: a `sub` rule names every token it was given). */
  issue(l: number, now: number, life: number | null): Session {
    return {
      exp: life === null ? null : now + life,
      timerAt: life === null ? null : this.#clock.monotonicNow() + life,
      credential: { sub: `editor-${l}`, issuedAt: now, id: `t${++this.#issued}` },
    }
  }

  /** The session a connection opens with: its own, or, expired or revoked, a fresh one of the same claims (the app signs in again). */
  current(s: Session | null, l: number, now: number): Session {
    if (s !== null && (s.exp === null || s.exp > now) && !isRevoked(this.list, s.credential)) return s
    return this.issue(l, now, null)
  }

  /** The connection opened on `t`: named by the list already, it must be closed before anything is written. */
  opened(s: Session, t: FakeTransport): void {
    if (isRevoked(this.list, s.credential)) this.#namedAt.set(t, 0)
  }

  /** The rule the operator adds to name `s` (`by` its id, its subject, or everyone) at `now`; returns the list now in force. */
  revoke(s: Session, by: 'jti' | 'sub' | 'all', now: number): Revocations {
    const line = by === 'jti' ? `jti ${s.credential.id}` : by === 'sub' ? `sub ${s.credential.sub} ${iso(now)}` : `all ${iso(now)}`
    this.#lines.push(line)
    this.list = parseRevocations(this.#lines.join('\n'))
    return this.list
  }

  /** After the list changed: every open connection it names now must be cut where it stands. */
  named(s: Session | null, t: FakeTransport): void {
    if (s === null || t.closed || this.#namedAt.has(t) || !isRevoked(this.list, s.credential)) return
    this.#namedAt.set(t, t.messages.length)
  }

  /** The promise for the connection on `t` opened with `s` (null: public), at `now`; `who` says whose, on a failure. */
  check(s: Session | null, t: FakeTransport, now: number, who: () => string): void {
    const named = this.#namedAt.get(t)
    if (s === null) {
      if (t.closed?.code === 4401) assert.fail(`a public connection closed 4401: ${who()}`)
      return
    }
    if (s.exp !== null)
      for (const [k, at] of t.at.entries())
        if (at >= s.exp) assert.fail(`S. ${t.messages[k]?.type} written ${at - s.exp} ms after its token expired: ${who()}`)
    if (named !== undefined) {
      if (t.messages.length > named) assert.fail(`S. written to after the list in force named its token: ${who()}`)
      if (t.closed?.reason !== 'token revoked') assert.fail(`not cut when its token was revoked (${JSON.stringify(t.closed)}): ${who()}`)
    }
    if (t.closed?.code !== 4401) return
    const expired = s.exp !== null && s.exp <= now
    if (!expired && named === undefined) assert.fail(`closed ${JSON.stringify(t.closed)}, its token neither expired nor revoked: ${who()}`)
  }

  /** Counts why a connection was cut (once), `mono` the timers' clock now: by the host clock stepped past `exp` before its timer fired too. */
  counted(t: FakeTransport, s: Session | null, mono: number): void {
    if (t.closed?.reason === 'token expired') {
      stats.expiries++
      if (s !== null && s.timerAt !== null && mono < s.timerAt) stats.expiriesSteppedPast++
    }
    if (t.closed?.reason === 'token revoked') stats.revokedCuts++
  }
}

/** What an SSE reader knows of positions: the last `id:` it read, older ones, its SDK's position, others' ids. */
export interface Known {
  lastEventId: string | null
  /** The first `id:` it read on the current page (an older one than its last). */
  firstId: string | null
  position: string | null
  others: (string | null)[]
}

const forge = (p: string): string => {
  const at = Math.floor(p.length / 2)
  return `${p.slice(0, at)}${p[at] === 'A' ? 'B' : 'A'}${p.slice(at + 1)}`
}

/** The value an odd reconnect carries for `pick` (undefined: nothing). */
export function oddPosition(pick: OddPosition, k: Known, header: boolean): string | undefined {
  const last = (header ? k.lastEventId : k.position) ?? undefined
  switch (pick) {
    case 'none':
      return undefined
    case 'last':
      return last
    case 'stale':
      return k.firstId ?? last
    case 'forged':
      // a character in its middle changed (its claims or its signature): a position nobody signed
      return last === undefined ? 'x' : forge(last)
    case 'other':
      return k.others.find((o) => o !== null && o !== last) ?? undefined
    case 'empty':
      return ''
    case 'absurd':
      // two Last-Event-ID headers (a proxy adding its own): Node joins them with ', '
      return last === undefined ? ' ' : `${last}, ${last}`
  }
}

/** The /v1/sse request of a view with `since` in its URL and `header` as Last-Event-ID, as http/sse.ts reads it. */
export function sseOddRequest(
  view: View,
  header: string | undefined,
  since: string | undefined,
  catchUp: 'all' | 'latest',
): SubscribeMessage {
  const q = viewQuery(view)
  if (isTicker(view)) q.set('tickerFieldsOnly', 'true')
  if (catchUp === 'latest') q.set('catchUp', 'latest')
  if (since !== undefined) q.set('since', since)
  return sseSubscription(new URL(`http://f/v1/sse?${q}`), header)
}

/** What a session step (or a view update) acts on: the run's process A, its connections and readers, and how a link closes and opens. */
export interface SessionRun {
  h: Harness
  links: Link[]
  slots: Slot[]
  sessions: Sessions
  away(l: number): void
  open(l: number, catchUp?: 'all' | 'latest', odd?: SubscribeMessage | null): void
}

/** A revocation, a step of the host's clock, or an SSE reconnect carrying odd positions. */
export function sessionStep(step: Extract<Step, { k: 'revoke' | 'clockStep' | 'sseResume' }>, r: SessionRun): void {
  const { h, links, slots, sessions } = r
  if (step.k === 'clockStep') {
    h.clock.step(step.ms)
    stats.clockSteps++
    return
  }
  const s = slots[step.reader] as Slot
  const link = links[s.link] as Link
  if (step.k === 'revoke') {
    if (link.session === null) return
    // the file read anew: every open connection is checked against it (app.ts), its own and others';
    // what each had then is all it may ever have
    const list = sessions.revoke(link.session, step.by, h.clock.now())
    for (const k of links) if (k.on) sessions.named(k.session, k.on.t)
    h.hub.conns.revoke(list)
    stats.revocations++
    return
  }
  if (!s.kind.sse || link.awayFor !== null || !link.on) return
  const others = slots.map((o) => (o === s ? null : (o.lastEventId ?? o.reader.position)))
  const known = { lastEventId: s.lastEventId, firstId: s.firstId, position: s.reader.position, others }
  const [header, since] = [oddPosition(step.header, known, true), oddPosition(step.since, known, false)]
  r.away(s.link)
  let odd: SubscribeMessage
  try {
    odd = sseOddRequest(s.view, header, since, 'all')
  } catch (err) {
    // answered 400 (a bad `since` with no header over it): the SDK comes back with its own position
    if (!(err instanceof ProtocolError)) throw err
    stats.sseRefused++
    r.open(s.link)
    return
  }
  if (header !== undefined && header !== '' && since !== undefined && header !== since) stats.headerOverSince++
  if (step.header !== 'last' && step.header !== 'none') stats.oddHeaders++
  // no position at all: a client starting over, whose fresh snapshot replaces what it showed (as
  // the SDK's update() takes it: a reset), not one the SDK's duplicate filter would merge
  if (odd.since === null) s.update.startOver = true
  r.open(s.link, 'all', odd)
}

/**
 * The reader's app changes its view on its open socket, as the SDK's update() does: unsubscribe,
 * then subscribe afresh under a new id, whose `subscribed` it takes as a reset (startOver). SSE
 * has no update(): the SDK's reader reconnects with the new view, as a view step does.
 */
export function viewUpdate(step: Extract<Step, { k: 'update' }>, r: SessionRun): void {
  const s = r.slots[step.reader] as Slot
  const link = (r.links[s.link] as Link).on
  const view = VIEWS[step.view] as View
  if (!link || view === s.view || !mayAsk(s.kind, view)) return
  if (s.kind.sse) {
    r.away(s.link)
    s.view = view
    stats.viewChanges++
    r.open(s.link)
    return
  }
  if (s.update.startOver) return
  r.h.hub.handle(link.conn, { type: 'unsubscribe', id: s.sid })
  s.update.old.set(s.sid, s.view)
  s.sid = `${s.sid.split('~')[0]}~${++s.update.n}`
  s.view = view
  s.update.startOver = true
  stats.updates++
  const [channels, filter] = [parseChannels(view.channels, s.sid), parseFilter(view.filter, s.sid)]
  r.h.hub.handle(link.conn, { type: 'subscribe', id: s.sid, channels, filter, since: null, catchUp: 'all' })
}
