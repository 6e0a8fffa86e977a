// What a confidentiality client checks of every message it receives (confidentiality.test.ts
// numbers the promises): nothing invisible to it (1), no duplicate (3), nothing after its token
// expired (4), the newsroom's embargo flags (6), snapshots and pages (7) and entries on a story
// channel (E1); and what it shows afterwards, for the state checks (2, 5, 6) after every step.
// Also what snapshot and page items must be, and the URLs a client asks them with.
import assert from 'node:assert/strict'
import type { ArticleEvent } from '@newswire/shared'
import type { Client } from './commands.ts'
import { editorialAt, joinedFilter, OLD_NEWS } from './commands.ts'
import type { Hub } from '../../src/hub.ts'
import type { Conn } from '../../src/model.ts'
import { parseClientMessage, ProtocolError } from '../../src/protocol.ts'
import type { FakeTransport, Message } from './harness.ts'
import { inScope, inView, isKilled, messageState } from './model.ts'
import type { Model } from './model.ts'

/** What the runs exercised, so a generator that stopped reaching a case shows. */
export function newStats() {
  return {
    runs: 0,
    events: 0,
    released: 0,
    withdrawn: 0,
    retractions: 0,
    resets: 0,
    replays: 0,
    stateChecks: 0,
    expired: 0,
    pages: 0,
    pageItems: 0,
    counted: 0,
    refused: 0,
    entryEvents: 0,
    entries: 0,
    entryWithdrawals: 0,
    entryPages: 0,
    entryChecks: 0,
    /** records nobody could decode, standing in for a kill or a hold */
    unreadable: 0,
    /** holds or new embargoes numbered as the live version they change (late-hold.ts) */
    lateHolds: 0,
    /** records numbered as the live version or below it, with content nobody published (red13) */
    stale: 0,
    /** runs on a slow machine (passes breathe after every record) */
    lagging: 0,
    /** `gap` messages to readers whose socket was blocked (red13) */
    gaps: 0,
    /** readers whose socket was blocked dropped with 4008 */
    slowDrops: 0,
    /** slow links that died as they drained, the reader cut off before the end of what it was sent (red22b) */
    cuts: 0,
    /** subscribes, resumes and reloads made while the live loop was behind the store (an ingest step not settled) */
    subscribedBehind: 0,
  }
}
export type Stats = ReturnType<typeof newStats>

export interface ReadContext {
  model: Model
  snapshotSize: number
  stats: Stats
}

/** The version's state is one the client's view asks for. */
export function inStates(c: Client, e: ArticleEvent, embargoed: boolean): boolean {
  const states = c.view.filter.states ?? null
  return states === null || states.includes(messageState(e, embargoed))
}

/** A snapshot or page item: visible now, in scope, view and states, and not returned before since the last fresh start. */
export function checkItem(model: Model, c: Client, e: ArticleEvent & { embargoed?: boolean }, why: string, late = false): void {
  const a = e.article
  assert.notEqual(a.headline, OLD_NEWS, `1. a record the ledger took as old news: ${why}`)
  // a snapshot read late (the reader's socket was behind) was the state when it was made
  if (late) assert.ok(model.wasVisible(a.id, a.version, c.clearance), `1. item never visible: ${why}`)
  else assert.equal(model.visible(a.id, c.clearance)?.version, a.version, `1. item not visible now: ${why}`)
  if (isKilled(e)) assert.equal(c.clearance, 'all', `1. a killed story outside the newsroom: ${why}`)
  assert.ok(inScope(c.scope, a) && inView(c.view, a), `1. item out of view: ${why}`)
  if (e.embargoed === true) assert.equal(c.clearance, 'all', `1. embargoed flag to ${c.clearance}: ${why}`)
  assert.ok(inStates(c, e, e.embargoed === true), `1. item outside the view's states: ${why}`)
  assert.ok(!c.returned.has(a.id), `7. ${a.id} twice in snapshot and pages: ${why}`)
  c.returned.add(a.id)
}

/**
 * Subscribes `c` on `conn` with the frame a raw client sends over the WebSocket, read as
 * websocket.ts reads it: a view the protocol refuses gets its `error` (and no subscription).
 */
export function subscribeOverWebSocket(hub: Hub, conn: Conn, c: Client, since: string | null, entries: number | null): void {
  const filter = Object.fromEntries(Object.entries(c.view.filter).filter(([, v]) => v != null))
  const frame = { type: 'subscribe', id: 's', channels: c.view.channels, filter, since, catchUp: c.catchUp ? 'latest' : 'all', entries }
  try {
    hub.handle(conn, parseClientMessage(JSON.stringify(frame)))
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
    hub.sendError(conn, err)
  }
}

/** A snapshot, page or counts request for the client's view, as the SDK asks for it. */
export function urlOf(c: Client, path: string, extra: Record<string, string>): URL {
  const q = new URLSearchParams()
  if (c.view.channels.length > 0) q.set('channels', c.view.channels.join(','))
  const f = c.view.filter
  if (f.languages) q.set('languages', f.languages.join(','))
  if (f.categories) q.set('categories', f.categories.join(','))
  if (f.maxUrgency !== null) q.set('maxUrgency', String(f.maxUrgency))
  if (f.states) q.set('states', f.states.join(','))
  for (const [k, v] of Object.entries(extra)) q.set(k, v)
  return new URL(`http://fanout${path}?${q}`)
}

/**
 * Checks every message `c` got on `t` since the last call, and takes it into what `c` shows; `upTo`:
 * only the messages before that index (a connection cut mid-write: the rest never arrives).
 */
export function readMessages(ctx: ReadContext, slot: number, c: Client, t: FakeTransport, upTo = t.messages.length): void {
  const { model, snapshotSize, stats } = ctx
  for (; c.read < Math.min(upTo, t.messages.length); c.read++) {
    const m = t.messages[c.read] as Message
    const at = t.at[c.read] as number
    const why: string = `slot ${slot} (${c.clearance}, ${JSON.stringify(c.view)}) message ${JSON.stringify(m).slice(0, 400)}`
    if (c.expiresAt !== null) assert.ok(at < c.expiresAt || m.type === 'reconnect', `4. written after the token expired: ${why}`)
    if (typeof m.position === 'string') c.positions.push(m.position)
    if (m.type === 'subscribed' || m.type === 'reset') {
      const items = m.snapshot as (ArticleEvent & { embargoed?: boolean })[]
      const fresh = m.type === 'reset' || m.replay === 'none'
      if (fresh) {
        c.returned = new Set()
        c.paged = new Set()
        c.recent = new Set()
        c.gapped = false
      }
      assert.ok(items.length <= snapshotSize, `7. a snapshot longer than FANOUT_SNAPSHOT_SIZE: ${why}`)
      for (const e of items) checkItem(model, c, e, why, c.slowed)
      if (m.type === 'reset') stats.resets++
      else if (m.replay !== 'none') stats.replays++
      // a resumed subscription keeps the cursor it had; a fresh one gets its own
      assert.equal('more' in m, fresh, `7. 'more' on a fresh snapshot only: ${why}`)
      if (fresh) {
        c.more = m.more as string | null
        c.complete = c.more === null
        if (c.more !== null) assert.equal(items.length, snapshotSize, `7. a short snapshot with more to page: ${why}`)
      }
      if (fresh) c.story?.fresh(m, model, c.clearance, why)
      // what a fresh subscription's snapshot held: no event may bring it again, or older (3.)
      c.snapshot = m.type === 'subscribed' && !c.inherited ? new Map(items.map((e) => [e.article.id, e.article.version])) : new Map()
      if (m.type === 'reset' || m.replay === 'none') {
        c.shows = new Map(items.map((e) => [e.article.id, isKilled(e) ? 'killed' : String(e.article.version)]))
        c.shown = new Set(c.shows.keys())
        c.embargoed = new Set(
          items.filter((e) => (e as ArticleEvent & { embargoed?: boolean }).embargoed === true).map((e) => e.article.id),
        )
        // a killed story in a (newsroom) snapshot says it is killed
        c.toldKilled = new Set(items.filter((e) => isKilled(e)).map((e) => e.article.id))
        if (m.type === 'reset') c.inherited = false
      }
    } else if (m.type === 'event') {
      const a = (m.event as ArticleEvent).article
      assert.notEqual(a.headline, OLD_NEWS, `1. a record the ledger took as old news: ${why}`)
      assert.ok(model.wasVisible(a.id, a.version, c.clearance), `1. event never visible to ${c.clearance}: ${why}`)
      // a reader who subscribed afresh gets nothing of a story hidden from it (killed, withheld) before it subscribed
      if (!c.inherited)
        assert.ok(
          model.visibleSince(a.id, c.clearance, c.mark),
          `1. event of a story hidden from ${c.clearance} before it subscribed: ${why}`,
        )
      const had = c.inherited ? undefined : c.snapshot.get(a.id)
      if (had !== undefined)
        assert.ok(
          a.version > had || (a.version === had && m.released === true),
          `3. an event as old as or older than the snapshot's v${had}: ${why}`,
        )
      assert.ok(inScope(c.scope, a), `1. event outside the token scope: ${why}`)
      assert.ok(inView(c.view, a), `1. event outside the subscription: ${why}`)
      assert.ok(inStates(c, m.event as ArticleEvent, m.embargoed === true), `1. event outside the view's states: ${why}`)
      if (m.embargoed === true) assert.equal(c.clearance, 'all', `1. embargoed flag to ${c.clearance}: ${why}`)
      const key = `${a.id}@${a.version}${m.released === true ? '+r' : ''}`
      if (!c.rewound) assert.ok(!c.delivered.has(key), `3. duplicate ${key}: ${why}`)
      c.delivered.add(key)
      if (!c.rewound) assert.ok(!c.paged.has(key), `7. an event repeats ${key}, which a page gave: ${why}`)
      c.recent.add(key)
      if (m.embargoed === true) c.flagged.add(`${a.id}@${a.version}`)
      if (m.released === true && c.clearance === 'all' && !c.rewound)
        assert.ok(c.flagged.has(`${a.id}@${a.version}`) || !c.delivered.has(`${a.id}@${a.version}`), why)
      const killed = isKilled(m.event as ArticleEvent)
      if (killed) c.story?.drop()
      c.shows.set(a.id, killed ? 'killed' : String(a.version))
      c.shown.add(a.id)
      // the newsroom learns of a kill by a canceled version as that version
      if (killed) c.toldKilled.add(a.id)
      if (m.embargoed === true) c.embargoed.add(a.id)
      else c.embargoed.delete(a.id)
      stats.events++
      if (m.released === true) stats.released++
    } else if (m.type === 'withdrawn') {
      const id = m.articleId as string
      const leakOk = model.everVisible(id, c.clearance) || (c.inherited && model.maybeVisible(id))
      assert.ok(leakOk, `1. withdrawn of a story never visible to ${c.clearance}: ${why}`)
      if (m.cause === 'withdrawn' || m.cause === 'canceled') assert.ok(model.killed(id), `1. kill cause for a live story: ${why}`)
      const kill = m.cause === 'withdrawn' || m.cause === 'canceled'
      // the newsroom keeps a story it shows as killed; everyone else drops it
      if (kill && c.clearance === 'all' && c.shows.has(id)) c.shows.set(id, 'killed')
      else c.shows.delete(id)
      // on a story channel, the story's withdrawal takes its entries with it
      c.story?.drop()
      c.embargoed.delete(id)
      if (kill) c.toldKilled.add(id)
      if (m.cause === 'withdrawn' || m.cause === 'canceled') stats.withdrawn++
      else stats.retractions++
    } else if (m.type === 'entry' || m.type === 'entryWithdrawn') {
      assert.ok(c.story, `E1. an entry message outside a story channel: ${why}`)
      if (m.type === 'entry') {
        // A client resumed from an older position than its last hears the stream again from
        // there, where it still showed a story it has dropped since: what it may be sent is then
        // bounded by what its clearance could see of the story (and, in entry(), of the entry)
        const shows = c.shows.has(c.story.story) && c.shows.get(c.story.story) !== 'killed'
        const showed = c.rewound && model.everVisible(c.story.story, c.clearance)
        c.story.entry(m, model, c.clearance, c.scope, shows || showed, c.rewound || c.inherited, why)
        stats.entries++
      } else {
        c.story.withdrawn(m, model, c.clearance, c.scope, c.inherited, why)
        stats.entryWithdrawals++
      }
    } else if (m.type === 'gap') {
      // routine updates were dropped while the socket was behind: what it shows may be older than
      // the model's, never more than it may see, and never running where the model holds it (2.)
      assert.ok(c.slowed, `a gap to a reader whose socket was never behind: ${why}`)
      c.gapped = true
      if (c.story) {
        c.story.complete = false
        c.story.gapped = true
      }
      stats.gaps++
    } else if (m.type === 'error') {
      if (m.code === 'forbidden_filter') {
        assert.ok(c.clearance === 'public' && c.view.filter.states?.some((x) => x !== 'live'), `forbidden_filter: ${why}`)
        c.refused = true
        stats.refused++
      } else if (m.code === 'bad_message') {
        assert.ok(joinedFilter(c.view.filter), `bad_message: ${why}`)
        c.refused = true
        stats.refused++
      } else assert.equal(m.code, 'invalid_position', `unexpected error: ${why}`)
    } else if (m.type !== 'pong' && m.type !== 'reconnect') assert.fail(`unexpected message: ${why}`)
  }
}

/** Counts per category over the last hour (GET /v1/counts, `text`): the model's, by editorial time, kills left out (7). */
export function checkCounts(model: Model, c: Client, slot: number, text: string, now: number, stats: Stats): void {
  const counts = JSON.parse(text) as {
    from: string
    categories: { category: string | null; count: number }[]
    articles: { id: string; version: number; at: string }[]
    truncated: boolean
  }
  // counts stop where a page would (its scan bound): then they start later, and say so
  const since = now - 3_600_000
  const from = Date.parse(counts.from)
  // (when the bound falls within the newest editorial time, nothing is counted and `from` is
  // now: then the stories left uncounted may sit at `from` itself, README "counts")
  const none = counts.categories.length === 0
  if (!counts.truncated) assert.equal(from, since, `7. slot ${slot}: the window`)
  else
    assert.ok(
      (!none || from === now) &&
        [...model.articles.keys()].some((id) => {
          const at = editorialAt(model.latest(id) as ArticleEvent)
          return at >= since && (at < from || (none && at === from))
        }),
      `7. slot ${slot}: counts stopped at ${counts.from} with nothing left uncounted`,
    )
  const want = [...model.view(c.clearance, c.scope, c.view)]
    .filter(([id, v]) => v !== 'killed' && !(counts.truncated && none) && editorialAt(model.latest(id) as ArticleEvent) >= from)
    .map(([id, v]) => `${id}@${v}`)
    .sort()
  assert.deepEqual(counts.articles.map((a) => `${a.id}@${a.version}`).sort(), want, `7. slot ${slot}: counted articles`)
  assert.equal(
    counts.categories.reduce((n, x) => n + x.count, 0),
    want.length,
    `7. slot ${slot}: counts ${JSON.stringify(counts.categories)}`,
  )
  stats.counted += want.length
}
