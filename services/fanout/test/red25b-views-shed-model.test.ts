// red25b model (2026-12-07): the article channels of public readers whose views are narrower than
// everything (breaking, a category, a language, several channels at once, a filter), while stories
// move between those views, are embargoed, held, released and killed, and readers fall behind.
// The models before it each left out part of this: red22b-cut-resume's readers see everything and
// never lose history; the restart and two-process models' readers never fall behind; none had the
// live loop overrun by a burst larger than history (hub.ts #liveFellBehind: every live
// subscription replays from where the loop stood, from memory or from the log). Steps: writes
// (a story's desk, language, urgency, hold, embargo), kills, time passing over embargoes, bursts
// of writes appended at once (with 2 to 4 events of history the loop falls behind) or while a
// reader's socket is full (its queue conflated and shed, its replays paused), a link that dies as
// it drains (the reader resumes from the last position it read), readers away and back with
// catchUp `all` or `latest`. In half the runs the second reader's subscription shares the first's
// connection (two views on one socket: one queue conflated, shed and reordered by lane for both,
// one cut for both, each resuming from its own position). Checked, for every reader, by the
// README's rules ("Who sees what", channels and filters), not by channels.ts:
//   S. every story version it is sent is one the public may see (usable, embargo passed by the
//      server's clock) in its view; nothing of a story reaches it after it was told of its kill;
//   K. in the end, every story it was shown since its last fresh snapshot that was killed, it was
//      told of;
//   E. in the end, after a last resume, it shows no story outside what the public may see in its
//      view now, and (unless a `gap` told it routine updates were shed) exactly that, each story
//      at its latest version.
// red26b (2026-12-07) added what it left out: readers paging their older items (GET /v1/snapshot,
// `at` their position) while stories move view, are held, killed and released between pages, a
// page's answer merged after what the stream brought meanwhile (`late`), snapshots cut at 1 or 2
// items over stories running before the readers came, page reloads (a fresh snapshot with `more`);
// ticker readers (tickerFieldsOnly: E lets them show an older version that shows what the latest
// shows); replays from Kafka that break midway (what they read delivered, then a failure) or stall
// (read nothing, report nothing: K is checked after 41 s, before the last reconnect, which found
// such a replay held its readers out of the live stream for good; known runs in
// support/views-known-runs.ts).
// red27a (2026-12-07) added SSE readers and newsroom tokens, full or limited, switched mid-run
// (support/views-readers.ts), and process B behind A answering pages and counts
// (support/views-behind.ts); its second known run: a late page after a `left` (client dedupe.ts).
// red28a (2026-12-07) added sessions that end (support/views-sessions.ts): newsroom tokens with an
// `exp` passing mid-stream on SSE and WebSocket (their timers monotonic, the host's clock stepping
// ahead past it), revocations while readers of the token are connected or resuming, each reader
// then signing in again and resuming from its position; SSE reconnects carrying Last-Event-ID and
// `since` at once, each stale, forged, absurd, another reader's, empty or none; pages asked of A
// without `at`, newest pages beside the stream; and race steps, which reach racingPages. Its
// third known run: a release after a `left` at its version, which the client dropped (dedupe.ts).
// 150 runs: about 13 s here; 3,000 ran clean after the fix.
// NEWSWIRE_MODEL_RUNS (150: about 20 s here; 1,200 ran clean after red27a), NEWSWIRE_MODEL_SEED and
// NEWSWIRE_MODEL_PATH as in the other models; `stats` floors say when the generator stops reaching
// a case (a shed, an overrun, a cut, a story leaving a view, a release, a paired connection).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import { parseChannels, parseFilter, type SubscribeMessage } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { FakeTransport, type Message } from './support/harness.ts'
import { freshEventIds } from './support/events.ts'
import { Reader, type Sent } from './support/two-process-reader.ts'
import {
  type Step,
  stepArb,
  VIEWS,
  type View,
  viewMatches,
  READERS,
  isTicker,
  preludeArb,
  RACE,
  type Write,
} from './support/views-commands.ts'
import { checkEnd } from './support/views-pages.ts'
import { storyId, versionOf } from './support/views-writes.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'
import { VIEWS_KNOWN_RUNS } from './support/views-known-runs.ts'
import { checkKillsTold, judgeSent, type Link, newSlot, type Slot, takeSent } from './support/views-slots.ts'
import { stats } from './support/views-stats.ts'
import {
  checkNewsroomEnd,
  isLimited,
  type Claims,
  type Kind,
  TOKENS,
  kindArb,
  kindsOf,
  PUBLIC_WS,
  scopeOf,
  mayAsk,
  sseRequest,
} from './support/views-readers.ts'
import { Behind } from './support/views-behind.ts'
import { Sessions, sessionStep, viewUpdate } from './support/views-sessions.ts'
import { paging } from './support/views-paging.ts'

async function run(
  steps: Step[],
  history: number,
  viewPicks: number[],
  maxPending: number,
  paired = false,
  snapshotSize = 50,
  prelude: Write[] = [],
  maxScan: number | null = null,
  kinds: Kind[] = [PUBLIC_WS, PUBLIC_WS, PUBLIC_WS],
  skew = 0,
): Promise<void> {
  freshEventIds()
  stats.runs++
  const h = new Harness({
    partitions: 2,
    historySize: history,
    limits: { maxPending, slowClientMs: Number.MAX_SAFE_INTEGER, snapshotSize },
    // timers on a clock of their own, as Node's: a step of the host's clock (red28a) fires none
    monotonicTimers: true,
  })
  h.start()
  const behind = new Behind({ partitions: 2, historySize: history, limits: { snapshotSize } }, skew)
  if (skew > 0) stats.skewedRuns++
  await h.settle()
  const written = new Map<string, ArticleEvent[]>()
  const byEventId = new Map<string, ArticleEvent>()
  const trace: string[] = []
  const why = (i: number) =>
    `reader ${i} (${JSON.stringify((slots[i] as Slot).view)}): ${(slots[i] as Slot).reader.got.slice(-30).join(' ')}`
  const judge =
    (i: number) =>
    (e: Sent, now: number, w: string): void => {
      const s = slots[i] as Slot
      judgeSent(s, byEventId.get(e.eventId), e, now, w)
      if (isLimited(s.kind)) stats.limitedItems++
    }
  const { ks, pairs, views } = kindsOf(
    kinds,
    viewPicks.map((v) => VIEWS[v % VIEWS.length] as View),
    paired,
  )
  const slots: Slot[] = viewPicks.map((_, i) =>
    newSlot(
      ks[i] ?? PUBLIC_WS,
      views[i] as View,
      pairs && i === 1 ? 0 : i,
      ks[i]?.sse ? 'sse' : pairs && i === 1 ? 's2' : 's',
      new Reader(judge(i), (ks[i]?.token ?? null) !== null),
    ),
  )
  for (const s of slots) {
    if (isTicker(s.view)) stats.tickerReaders++
    if (s.kind.sse) stats.sseReaders++
    if (s.kind.token !== null) stats.newsroomReaders++
    if (isLimited(s.kind)) stats.limitedReaders++
  }
  if (pairs) stats.pairedRuns++
  const links: Link[] = slots.map(() => ({ on: null, awayFor: null, catchUpBack: 'all', session: null }))
  const sessions = new Sessions(h.clock)
  const on = (l: number): [number, Slot][] => [...slots.entries()].filter(([, s]) => s.link === l)
  const whyLink = (l: number, when: string) => () => `link ${l} ${when}: ${on(l).map(([i]) => `${why(i)}\n`)}written: ${trace.join(' ')}`
  /**
   * Connects link `l` and subscribes each of its readers, from its own last position; a newsroom
   * link with its token, or a fresh one of the same claims if that one expired or was revoked.
   * `odd`: an SSE reader's request instead (red28a: what its reconnect carried).
   */
  const open = (l: number, catchUp: 'all' | 'latest' = 'all', odd: SubscribeMessage | null = null) => {
    const link = links[l] as Link
    const first = on(l)[0]?.[1] as Slot
    const audience = first.kind.token === null ? 'public' : 'newsroom'
    link.session = first.kind.token === null ? null : sessions.current(link.session, l, h.clock.now())
    const [exp, credential] = [link.session?.exp ?? null, link.session?.credential ?? null]
    const { conn, t } = first.kind.sse
      ? h.connectSse(audience, scopeOf(first.kind), exp, credential)
      : h.connect(audience, scopeOf(first.kind), exp, credential)
    if (link.session) sessions.opened(link.session, t)
    link.on = { conn, t, read: 0 }
    for (const [, s] of on(l)) {
      if (s.kind.sse) {
        // an EventSource reconnects with the last `id:` it read (Last-Event-ID), whatever the JSON said
        // (none if it started over: its fresh snapshot, still to come, replaces what it shows)
        s.reader.on = { proc: 0, conn, t: new FakeTransport(h.clock), read: 0 }
        if (s.lastEventId !== null) stats.sseResumes++
        h.hub.handle(conn, odd ?? sseRequest(s.view, s.update.startOver ? null : s.lastEventId, catchUp))
        continue
      }
      // what this subscription was sent, as the SDK routes it by `id`
      s.reader.on = { proc: 0, conn, t: new FakeTransport(h.clock), read: 0 }
      if (s.reader.position !== null && catchUp === 'latest') stats.latestResumes++
      h.hub.handle(conn, {
        type: 'subscribe',
        id: s.sid,
        channels: parseChannels(s.view.channels, s.sid),
        filter: parseFilter(s.view.filter, s.sid),
        // an update() not yet answered subscribes afresh (the SDK's startOver)
        since: s.update.startOver ? null : s.reader.position,
        catchUp,
      })
    }
  }
  /** Reads what arrived on link `l` (up to `upTo` messages of it), as the SDK does. */
  const consume = (l: number, upTo = Number.POSITIVE_INFINITY) => {
    const link = (links[l] as Link).on
    if (!link) return
    const end = Math.min(link.t.messages.length, link.read + upTo)
    for (; link.read < end; link.read++) {
      const m = link.t.messages[link.read] as Message
      for (const [i, s] of on(l)) {
        if (s.kind.sse) s.lastEventId = link.t.ids[link.read] ?? s.lastEventId
        if (s.kind.sse) s.firstId ??= s.lastEventId
        const mine = m.id === s.sid
        const old = !mine && typeof m.id === 'string' ? s.update.old.get(m.id) : undefined
        if (!s.reader.on || (!mine && old === undefined)) continue
        let taken = m
        if (mine && s.update.startOver && m.type === 'subscribed') {
          // update(): the new view's snapshot replaces what it showed, as a reset
          taken = { ...m, type: 'reset' }
          s.update.startOver = false
        }
        // an old subscription's message, before the new one's snapshot: judged by its own view
        if (old !== undefined && s.update.startOver) {
          s.judgeView = old
          stats.oldViewMessages++
        }
        s.reader.on.t.messages.push(taken)
        s.reader.on.t.at.push(link.t.at[link.read] as number)
        take(i)
        s.judgeView = null
      }
    }
    for (const [i] of on(l)) take(i)
  }
  /** Checks and keeps what reader `i`'s subscription was sent. */
  const take = (i: number) => takeSent(slots[i] as Slot, written, trace.length, snapshotSize, h.clock.now(), why(i))
  /** Link `l` closes, what it was sent read; `keep`: only that much more of it arrived. */
  const away = (l: number, keep = Number.POSITIVE_INFINITY) => {
    const link = links[l] as Link
    if (!link.on) return
    consume(l, keep)
    sessions.check(link.session, link.on.t, h.clock.now(), whyLink(l, 'going'))
    h.hub.conns.remove(link.on.conn)
    link.on = null
    for (const [, s] of on(l)) s.reader.on = null
  }
  const write = (w: Extract<Step, { k: 'write' | 'kill' }>) => {
    const id = storyId(written, w.story)
    const vs = written.get(id) ?? []
    const e = versionOf(w, id, vs, h.clock.now())
    if (e === null) return
    const version = e.article.version
    if (
      e.type === 'UPDATED' &&
      !e.changedFields.some((f) => f !== 'body') &&
      slots.some((s) => isTicker(s.view) && viewMatches(s.view, e.article))
    )
      stats.tickerSkippable++
    trace.push(`${id}@${version}${w.k === 'kill' ? (w.erase ? ' erase' : ' kill') : ''}`)
    written.set(id, [...vs, e])
    byEventId.set(e.eventId, e)
    h.append(e)
    behind.write(e)
  }
  const linkOf = (reader: number) => (slots[reader] as Slot).link
  const { page, merge } = paging({ h, behind, slots, written, trace, snapshotSize, maxScan, judge, why })
  for (const w of prelude) write(w)
  await h.settle()
  for (const [l] of links.entries()) if (on(l).some(() => true)) open(l)
  await h.settle()
  for (const step of steps) {
    for (const [l, link] of links.entries()) {
      if (link.awayFor === null) continue
      if (link.awayFor > 0) link.awayFor--
      else {
        link.awayFor = null
        open(l, link.catchUpBack)
      }
    }
    switch (step.k) {
      case 'write':
      case 'kill':
        write(step)
        break
      case 'tick':
        h.clock.advance(step.ms)
        break
      case 'away': {
        const l = linkOf(step.reader)
        const link = links[l] as Link
        if (link.awayFor !== null || on(l).some(([, s]) => s.reader.position === null)) break
        away(l)
        link.awayFor = step.steps
        link.catchUpBack = step.catchUp
        break
      }
      case 'view': {
        const l = linkOf(step.reader)
        const link = links[l] as Link
        const s = slots[step.reader] as Slot
        const view = VIEWS[step.view] as View
        if (link.awayFor !== null || !link.on || view === s.view || !mayAsk(s.kind, view)) break
        away(l)
        s.view = view
        stats.viewChanges++
        open(l)
        break
      }
      case 'reload': {
        const l = linkOf(step.reader)
        const link = links[l] as Link
        if (link.awayFor !== null || !link.on) break
        away(l)
        // a new page: a new SDK, nothing kept (its paired reader's page reloads with it)
        for (const [j, s] of on(l)) {
          s.reader = new Reader(judge(j), s.kind.token !== null)
          s.lastEventId = null
          s.firstId = null
        }
        stats.reloads++
        open(l)
        break
      }
      case 'page':
        await page(step.reader, step.late, step.b, step.noAt === true, step.newest === true)
        break
      case 'revoke':
      case 'clockStep':
      case 'sseResume':
        sessionStep(step, { h, links, slots, sessions, away, open })
        break
      case 'race': {
        write({ ...RACE, story: step.story, category: step.category, language: step.language })
        // its next older page, or the newest one (no cursor needed: a race in every run B's clock is ahead)
        await page(step.reader, false, 100, false, (slots[step.reader] as Slot).more === null)
        break
      }
      case 'token': {
        const l = linkOf(step.reader)
        const link = links[l] as Link
        const token = step.token === 0 ? null : (TOKENS[step.token - 1] as Claims)
        const life = token === null ? null : (step.life ?? null)
        // the same claims: nothing changes, unless a fresh token that expires (a refresh)
        if (on(l).every(([, s]) => JSON.stringify(s.kind.token) === JSON.stringify(token)) && life === null) break
        if (on(l).some(([, s]) => !mayAsk({ ...s.kind, token }, s.view))) break
        if (link.on) away(l)
        // every subscription of its connection takes the new token; a page asked under the old one is dropped
        for (const [, s] of on(l)) {
          s.kind = { ...s.kind, token }
          s.reader.newsroom = token !== null
          s.late = null
        }
        stats.tokenSwitches++
        link.session = token === null ? null : sessions.issue(l, h.clock.now(), life)
        if (life !== null) stats.tokensExpiring++
        if (step.page) await page(step.reader)
        if (link.awayFor === null) open(l)
        break
      }
      case 'update':
        viewUpdate(step, { h, links, slots, sessions, away, open })
        break
      case 'kafkaBreak':
        h.kafkaBreak = step.after
        break
      case 'kafkaStall':
        h.kafkaStall = true
        break
      case 'burst': {
        const l = step.reader === null ? null : linkOf(step.reader)
        const link = l === null ? null : (links[l] as Link).on
        if (link) link.t.backlog = 10 * 1024 * 1024
        const before = h.hub.liveSeq
        for (const w of step.writes) {
          write(w)
          if (!step.together) {
            h.clock.advance(1)
            await h.settle()
          }
        }
        const first = h.store.history.firstSeq
        if (step.together && before < first) stats.overruns++
        await h.settle()
        if (link && l !== null) {
          link.t.backlog = 0
          if (!link.t.closed) h.hub.drained(link.conn)
          await h.settle()
          if (step.keep !== null && !link.t.closed) {
            // the link dies as it drains: the rest of what was written never arrives
            if (link.t.messages.length > link.read + step.keep) stats.cuts++
            away(l, step.keep)
            open(l, step.catchUp)
          }
        }
        break
      }
    }
    h.clock.advance(1)
    await h.settle()
    for (const [l, { on: link, session }] of links.entries()) {
      if (!link) continue
      if (link.t.backlog === 0 || link.t.closed) consume(l)
      sessions.check(session, link.t, h.clock.now(), whyLink(l, 'after a step'))
      if (link.t.closed === null) continue
      sessions.counted(link.t, session, h.clock.monotonicNow())
      // dropped as a slow consumer (4008): what was written arrived, and the SDK resumes from it; its
      // token expired or revoked (4401, checked above): the app signs in again and resumes likewise
      if (link.t.closed.code !== 4401) assert.equal(link.t.closed.code, 4008, `link ${l} was closed: ${JSON.stringify(link.t.closed)}`)
      away(l)
      open(l)
      await h.settle()
    }
    // process B reads what is half a second old (it lags A's consumer)
    behind.follow(h.clock.now(), 500)
    // a late page's answer arrives after what the stream brought
    for (const [i, s] of slots.entries()) if (s.late !== null && step.k !== 'page') merge(i)
  }
  // everyone drains and reads, for long enough that a replay from Kafka that stalled gave up (K holds
  // then, before any reconnect: a reader left out of the live stream hears no kill, red26b)
  await h.tick(1000)
  await h.tick(40_000)
  for (const [l, link] of links.entries()) {
    if (!link.on) continue
    consume(l)
    sessions.check(link.session, link.on.t, h.clock.now(), whyLink(l, 'at the end'))
    // cut as its token expired: not connected, it hears nothing until it signs in again (below)
    if (link.on.t.closed?.code === 4401) continue
    for (const [i, s] of on(l)) checkKillsTold(s, written, `reader ${i}, connected,`, `${why(i)}\nwritten: ${trace.join(' ')}`)
  }
  // then reconnects from its last position (as the SDK does) and reads on, Kafka well again (a stall
  // still armed would hold the last resume until its limit, which the end does not wait for)
  h.kafkaStall = false
  for (const [l] of links.entries()) {
    if (!on(l).some(() => true)) continue
    away(l)
    open(l)
  }
  await h.settle()
  const now = h.clock.now()
  for (const [l] of links.entries()) consume(l)
  // and pages to the end of its older items (the stream brings what changed since its snapshot)
  for (const [i, s] of slots.entries()) {
    merge(i)
    // (everything read, every embargo past: a page refused now would be refused for good)
    while (s.more !== null) assert.ok(await page(i), `reader ${i}'s last pages refused: ${why(i)}`)
  }
  stats.racingPages += behind.racingPages
  stats.pagesOfB += behind.pages
  stats.kafkaBreaks += h.kafkaBroke
  stats.kafkaStalls += h.kafkaStalled
  for (const [i, s] of slots.entries()) {
    const r = s.reader
    const w = `${why(i)}\nwritten: ${trace.join(' ')}`
    assert.equal(links[s.link]?.on?.t.closed ?? null, null, `reader ${i} was closed: ${w}`)
    checkKillsTold(s, written, `reader ${i}`, w)
    const partial = s.lossy || s.cut
    const exact =
      s.kind.token === null
        ? checkEnd(s.view, r.shows, written, now, partial, `reader ${i}`, w)
        : checkNewsroomEnd(s.view, s.kind.token, r.shows, written, now, partial, `newsroom reader ${i}`, w)
    if (exact) stats.exactEnds++
    if (exact && s.kind.token !== null && s.view.filter?.states) stats.newsroomStateEnds++
  }
  h.hub.stop()
  behind.stop()
}

test('property: public readers of narrow views, falling behind and overrun, see only and exactly what the public may see in their view', async () => {
  const numRuns = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 150)
  const details = await fc.check(
    fc.asyncProperty(
      fc.array(stepArb, { minLength: 5, maxLength: 40 }),
      fc.constantFrom(2, 3, 4, 1000),
      fc.array(fc.nat(VIEWS.length - 1), { minLength: READERS, maxLength: READERS }),
      fc.constantFrom(2, 2, 4),
      fc.boolean(),
      fc.constantFrom(1, 2, 50),
      preludeArb,
      fc.constantFrom(null, null, 1, 2),
      fc.array(kindArb, { minLength: READERS, maxLength: READERS }),
      fc.constantFrom(0, 0, 1500, 20_000),
      (steps, history, views, maxPending, paired, snapshotSize, prelude, maxScan, kinds, skew) =>
        run(steps, history, views, maxPending, paired, snapshotSize, prelude, maxScan, kinds, skew),
    ),
    { numRuns, examples: VIEWS_KNOWN_RUNS, ...MODEL_REPLAY },
  )
  console.log('views-shed model', stats)
  if (details.failed)
    assert.fail(
      `${fc.defaultReportMessage(details)}\n${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
    )
  // A floor says the generator still reaches a case, not how often: a count that was below its
  // floor by chance failed CI (sheds, stop 56). Measured over 8 × 150 runs after red28a's steps
  // (burst steps weighted up so that sheds came back from a mean of 3 to 7): the counts whose mean
  // is 21 or under (sheds 7.4, pagesWithoutAt 9.4, expiriesSteppedPast 8.9, kafkaStalls 10.4,
  // kafkaBreaks 10.9, pagesOtherToken 11.2 (5 at the fewest), expiries 15.9, headerOverSince 16.2,
  // gaps 18.9, oddHeaders 20.6) need only be reached (P(0) under 1e-3 each); the others (22 and
  // over) more than runs/30
  // An SSE reconnect answered 400 (an empty `since` alone) is rare and printed only
  const rare = 'sheds pagesWithoutAt expiriesSteppedPast kafkaStalls kafkaBreaks pagesOtherToken expiries headerOverSince gaps oddHeaders'
  const floor = (k: string) => (k === 'sseRefused' ? -1 : rare.split(' ').includes(k) ? 0 : numRuns / 30)
  if (!process.env.NEWSWIRE_MODEL_SEED && numRuns >= 100)
    for (const [k, v] of Object.entries(stats)) assert.ok(v > floor(k), `too few ${k}: ${v}`)
})
