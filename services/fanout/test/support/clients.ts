// The clients of one confidentiality run (confidentiality.test.ts numbers the promises): a reader
// opens the page (or reloads it) with its token, channels and filter, subscribes afresh or resumes
// from a position of any kind (its last, an old one, a forged, garbage, future or foreign one, its
// last under a replaced token of another clearance or scope),
// drops its connection, pages older stories and entries and reads the counts (7, 8); and the state
// checks of every client after every step (2, 5, 6), over what it checks of each message
// (support/reader-checks.ts).
import assert from 'node:assert/strict'
import type { ArticleEvent } from '@newswire/shared'
import type { Admission } from '../../src/http/access.ts'
import { answerCounts, answerPage } from '../../src/http/snapshot.ts'
import { PositionCodec } from '../../src/position.ts'
import type { Client, ResumeHow } from './commands.ts'
import { CHANNEL_SETS, channelsOf, clearanceOf, filterOf, SCOPES, SLOTS } from './commands.ts'
import type { Harness } from './harness.ts'
import type { Model } from './model.ts'
import { isKilled } from './model.ts'
import type { Stats } from './reader-checks.ts'
import { checkCounts, checkItem, readMessages, subscribeOverWebSocket, urlOf } from './reader-checks.ts'
import { StoryClient } from './story-model.ts'

/** The clients of a run over `h`, checked against `model`; snapshots of `snapshotSize` items. */
export function runClients(h: Harness, model: Model, snapshotSize: number, stats: Stats) {
  const clients: (Client | null)[] = new Array<Client | null>(SLOTS).fill(null)

  /** The store has read records the live loop has not matched yet (an ingest step the run did not settle). */
  const behind = () => h.hub.liveSeq < h.store.history.nextSeq

  const subscribe = (c: Client, since: string | null) => {
    const { conn, t } = h.connect(SCOPES[c.who]?.audience, SCOPES[c.who]?.scope, c.expiresAt)
    c.t = t
    c.read = 0
    c.blocked = false
    // a new subscription (a resume under a switched token too): the server's answer to it says
    // whether it is refused, not one to an earlier view or token
    c.refused = false
    if (behind()) stats.subscribedBehind++
    // as the WebSocket reads it (a filter it refuses gets an error); story readers get a few entries and page for the rest
    subscribeOverWebSocket(h.hub, conn, c, since, c.story ? snapshotSize % 1000 || 1 : null)
  }

  // half the runs cut pages after three articles looked at, as MAX_SCAN cuts a sparse view's: the
  // cursor then ends on an article the reader may not see, and must name none (page-cursor.ts)
  const routeDeps = h.routeDeps(snapshotSize, snapshotSize % 2 === 0 ? 3 : undefined)

  /** Older pages as GET /v1/snapshot answers them, then the counts as GET /v1/counts does. */
  const pageOlder = (slot: number, pages: number, limit: number) => {
    const c = clients[slot]
    if (!c || c.refused || (c.expiresAt !== null && h.clock.now() >= c.expiresAt)) return
    const s = SCOPES[c.who] as (typeof SCOPES)[number]
    const admission: Admission = { audience: s.audience, scope: s.scope, expiresAt: null, reject: null }
    // older entries, while the reader is connected and its stream caught up (a blocked socket's
    // reader may still show entries of a story taken back since: the route refuses the page)
    if (c.story && c.t && !c.t.closed && !c.blocked) {
      const why = `slot ${slot} (${c.clearance}, ${JSON.stringify(c.view)}) entry pages`
      const filter = urlOf(c, '/', {}).searchParams
      filter.delete('channels')
      // beside its stream, as the SDK asks: what the stream is still to bring, the page leaves out
      const at = c.positions.at(-1)
      if (at !== undefined) filter.set('at', at)
      // behind, the route answers from the store and the `withdrawn` is not sent yet; so too while
      // the reader's own subscription replays (from the log, after the live loop overran the
      // history: the route refused the page of a story the replay had yet to take out of its view)
      const conn = [...h.hub.conns.all()].find((x) => x.transport === c.t)
      const replaying = conn?.subs.get('s')?.state !== 'live'
      stats.entryPages += c.story.page(
        h.entriesDeps,
        model,
        c.clearance,
        admission,
        { pages, limit, filter, behind: behind() || replaying },
        why,
      )
    }
    // a full page's cursor promises an item on the next page (nothing changes between the two):
    // one given for what the reader may not see said that it exists (red14), unless a scan cut it
    let promised = false
    for (let n = 0; n < pages && c.more !== null; n++) {
      const body = JSON.parse(answerPage(urlOf(c, '/v1/snapshot', { before: c.more, limit: String(limit) }), admission, routeDeps)) as {
        items: (ArticleEvent & { embargoed?: boolean })[]
        next: string | null
      }
      stats.pages++
      assert.ok(body.items.length <= limit, `7. a page longer than asked: ${body.items.length}`)
      if (promised)
        assert.ok(body.items.length > 0, `8. a full page's cursor led to an empty page: slot ${slot}, ${JSON.stringify(c.view)}`)
      promised = routeDeps.maxScan === undefined && body.items.length === limit && body.next !== null
      for (const e of body.items) {
        const why = `slot ${slot} (${c.clearance}, ${JSON.stringify(c.view)}) page item ${JSON.stringify(e).slice(0, 300)}`
        checkItem(model, c, e, why)
        const key = `${e.article.id}@${e.article.version}`
        if (!c.rewound) assert.ok(!c.recent.has(key), `7. a page repeats ${key}, delivered as an event: ${why}`)
        c.paged.add(key)
        if (e.embargoed === true) c.flagged.add(key)
        c.shows.set(e.article.id, isKilled(e) ? 'killed' : String(e.article.version))
        c.shown.add(e.article.id)
        if (isKilled(e)) c.toldKilled.add(e.article.id)
        if (e.embargoed === true) c.embargoed.add(e.article.id)
        stats.pageItems++
      }
      if (body.next !== null) {
        const readable = Buffer.from(body.next.slice(3), 'base64url').toString('latin1')
        // as a readable cursor held it: [at,"id",[o],t]
        for (const id of model.articles.keys())
          assert.ok(!readable.includes(`,${JSON.stringify(id)},`), `8. a page cursor names ${id}: slot ${slot}`)
      }
      c.more = body.next
      if (c.more === null) c.complete = true
    }
    // Counts per category over the last hour: the model's, by editorial time, kills left out
    checkCounts(model, c, slot, answerCounts(urlOf(c, '/v1/counts', {}), admission, routeDeps), h.clock.now(), stats)
  }

  const check = (slot: number) => {
    const c = clients[slot]
    if (!c?.t) return
    const t = c.t
    readMessages({ model, snapshotSize, stats }, slot, c, t)
    const conn = [...h.hub.conns.all()].find((x) => x.transport === t)
    const sub = conn?.subs.get('s')
    if (c.refused) assert.equal(sub, undefined, `slot ${slot}: a refused subscription exists`)
    const idle = conn !== undefined && sub?.state === 'live' && !h.hub.busy && !c.blocked
    if (idle && c.gapped && !c.complete) {
      // after a gap, what it shows is checked whether or not it paged to the end (red13)
      stats.stateChecks++
      const where = `slot ${slot} (${c.clearance} ${JSON.stringify(c.scope)} ${JSON.stringify(c.view)})`
      checkAfterGap(model, c, model.view(c.clearance, c.scope, c.view), where)
    }
    if (idle && c.complete) {
      stats.stateChecks++
      const want = model.view(c.clearance, c.scope, c.view)
      // A newsroom shows the killed stories it knew as killed; one killed while it was away and
      // never shown to it comes as a bare `withdrawn` (no content to show): it may be absent
      const live = (m: Map<string, string>) => [...m].filter(([, v]) => v !== 'killed').sort()
      const where = `slot ${slot} (${c.clearance} ${JSON.stringify(c.scope)} ${JSON.stringify(c.view)})`
      if (c.gapped) checkAfterGap(model, c, want, where)
      else assert.deepEqual(live(c.shows), live(want), `2. ${where} shows what it may not, or misses what it may, at ${model.now}`)
      // ...and a story it shows as killed is killed (it may have left the view before its kill)
      for (const [id, v] of c.shows)
        if (v === 'killed') assert.ok(model.killed(id), `2. slot ${slot} shows ${id} killed, the model does not`)
      if (c.clearance === 'all' && !c.gapped) {
        const held = [...want]
          .filter(([id, v]) => v !== 'killed' && !model.released(id))
          .map(([id]) => id)
          .sort()
        assert.deepEqual([...c.embargoed].sort(), held, `6. slot ${slot}: the newsroom's embargo flags are not the server's`)
      }
      if (c.story) {
        stats.entryChecks++
        const story = want.get(c.story.story)
        c.story.check(
          model,
          c.clearance,
          story !== undefined && story !== 'killed',
          `slot ${slot} (${c.clearance} ${JSON.stringify(c.view)})`,
        )
      }
      const untold = [...c.shown].filter((id) => model.killed(id) && !c.toldKilled.has(id))
      assert.deepEqual(
        untold,
        [],
        `5. slot ${slot} (${c.clearance} ${JSON.stringify(c.view)}) saw these stories and was not told of their kill`,
      )
    }
    if (t.closed?.code === 4008) {
      // the server gave up on a socket that took no writes: the reader comes back later (resume)
      assert.ok(c.slowed, `closed 4008 a reader whose socket was never behind: ${slot}`)
      stats.slowDrops++
      c.t = null
      c.blocked = false
    } else if (t.closed) {
      stats.expired++
      assert.ok(t.closed.code === 4401 && c.expiresAt !== null && model.now >= c.expiresAt, `closed ${JSON.stringify(t.closed)}: ${slot}`)
      c.t = null
    }
  }

  const resume = (c: Client, how: ResumeHow, catchUp: boolean) => {
    const now = h.clock.now()
    if (c.t || c.positions.length === 0) return
    // a token replaced (its own expired, or not) resumes under the new one, what it shows kept
    if (how === 'switched' ? !switchToken(c) : c.expiresAt !== null && now >= c.expiresAt) return
    if (how === 'viewed' && !switchView(c)) return
    const last = c.positions.at(-1) as string
    let since: string
    switch (how) {
      case 'last':
      case 'switched':
      case 'viewed':
        since = last
        break
      case 'old':
        since = c.positions[Math.floor(c.positions.length / 2)] as string
        c.rewound = true
        // A replay brings a client that holds what it held at `since` to the present. This one
        // holds what it had at its last position: entries it dropped with a `withdrawn` after
        // `since` do not come back if the replay shows the story as it was at `since`. So it is
        // no longer held to having every entry (E2), only to showing nothing it may not.
        if (c.story) c.story.complete = false
        break
      case 'forged': {
        // the watermark moved past every embargo, signature kept
        const [prefix, body, mac] = last.split('.')
        const p = JSON.parse(Buffer.from(body as string, 'base64url').toString()) as { o: number[]; t: number }
        since = `${prefix}.${Buffer.from(JSON.stringify({ ...p, t: 2 ** 53 - 1 })).toString('base64url')}.${mac}`
        break
      }
      case 'garbage':
        since = 'not-a-position'
        break
      case 'future':
        since = h.positions.encode({ o: h.store.readTo(), t: now + 2 ** 40 })
        break
      case 'ahead':
        since = h.positions.encode({ o: h.log.map((l) => l.length + 5), t: now })
        break
      case 'otherKey':
        since = new PositionCodec(['somebody-elses-key!!']).encode({ o: h.store.readTo(), t: now + 86_400_000 })
        break
    }
    c.catchUp = catchUp
    c.inherited = true
    subscribe(c, since)
  }

  /**
   * The reader's token is replaced by one of another clearance or scope (red15: expired and renewed
   * narrower or wider, a sign-out to the public view on the same page), keeping what it shows and
   * its last position: the next in SCOPES that differs and may read its channels.
   */
  const switchToken = (c: Client): boolean => {
    for (let k = 1; k < SCOPES.length; k++) {
      const who = (c.who + k) % SCOPES.length
      const s = SCOPES[who] as (typeof SCOPES)[number]
      const clearance = clearanceOf(who)
      const scope = { desks: s.scope.categories, languages: s.scope.languages, embargo: s.scope.embargo }
      if (clearance === c.clearance && JSON.stringify(scope) === JSON.stringify(c.scope)) continue
      if (clearance === 'public' && c.view.channels.includes('all')) continue
      c.who = who
      c.clearance = clearance
      c.scope = scope
      c.spec = { ...c.spec, who }
      c.expiresAt = null
      return true
    }
    return false
  }

  /**
   * The reader's app changes its view to the next channel set it may read (red16: a list and a
   * position kept across a change of view), keeping what it shows and its last position. Not a
   * story's reader: its channels are the story's.
   */
  const switchView = (c: Client): boolean => {
    if (c.story) return false
    for (let k = 1; k < CHANNEL_SETS.length; k++) {
      const n = (c.spec.channels + k) % CHANNEL_SETS.length
      const channels = CHANNEL_SETS[n] as string[]
      if (c.clearance === 'public' && channels.includes('all')) continue
      if (JSON.stringify(channels) === JSON.stringify(c.view.channels)) continue
      c.view = { ...c.view, channels }
      c.spec = { ...c.spec, channels: n }
      return true
    }
    return false
  }

  /** The reader's socket stops taking writes (a slow link): its queue is relieved meanwhile. */
  const block = (slot: number) => {
    const c = clients[slot]
    if (!c?.t || c.t.closed) return
    c.t.backlog = 10 * 1024 * 1024
    c.blocked = true
    c.slowed = true
    if (c.story) c.story.late = true
  }
  /** ...and drains: what is left of its queue is written, with a `gap` for what was dropped. */
  const unblock = (slot: number) => {
    const c = clients[slot]
    if (!c?.t || !c.blocked) return
    c.t.backlog = 0
    c.blocked = false
    const conn = [...h.hub.conns.all()].find((x) => x.transport === c.t)
    if (conn) h.hub.drained(conn)
  }
  /**
   * ...and dies as it drains (red22b): the reader reads the first `keep` messages it had not read,
   * the rest never arrives, and the SDK resumes from the last position it read. A reader cut off
   * after a priority message that overtook routine ones may get it again (the position it carries
   * is from before them), and so may one cut off before the `gap` that ends the write: what came
   * after the updates dropped carries the position from before them, so the resume brings them.
   */
  const cut = (slot: number, keep: number) => {
    const c = clients[slot]
    if (!c?.t || c.t.closed) return
    const t = c.t
    const lost = t.messages.slice(c.read + keep)
    readMessages({ model, snapshotSize, stats }, slot, c, t, c.read + keep)
    if (lost.length === 0) return
    stats.cuts++
    c.rewound = true
    const conn = [...h.hub.conns.all()].find((x) => x.transport === t)
    if (conn) h.hub.conns.remove(conn)
    c.t = null
    c.blocked = false
    resume(c, 'last', c.catchUp)
  }
  const drop = (slot: number) => {
    const c = clients[slot]
    if (!c?.t) return
    check(slot)
    const conn = [...h.hub.conns.all()].find((x) => x.transport === c.t)
    if (conn) h.hub.conns.remove(conn)
    c.t = null
    c.blocked = false
  }

  /** A reader opens the page (or reloads it): a fresh snapshot and cursor on a new connection. */
  const open = (
    slot: number,
    o: { who: number; channels: number; filter: number; catchUp: boolean; expiresIn: number | null },
    now: number,
  ) => {
    const old = clients[slot]
    if (old?.t && !old.t.closed) drop(slot)
    const s = SCOPES[o.who] as (typeof SCOPES)[number]
    const c: Client = {
      who: o.who,
      clearance: clearanceOf(o.who),
      scope: { desks: s.scope.categories, languages: s.scope.languages, embargo: s.scope.embargo },
      view: { channels: channelsOf(slot, o.channels), filter: filterOf(slot, o.filter) },
      catchUp: o.catchUp,
      expiresAt: s.audience === 'newsroom' && o.expiresIn !== null ? now + o.expiresIn : null,
      shows: new Map(),
      positions: [],
      inherited: false,
      rewound: false,
      delivered: new Set(),
      flagged: new Set(),
      shown: new Set(),
      toldKilled: new Set(),
      embargoed: new Set(),
      t: null,
      read: 0,
      more: null,
      complete: false,
      returned: new Set(),
      paged: new Set(),
      recent: new Set(),
      refused: false,
      spec: { who: o.who, channels: o.channels, filter: o.filter, catchUp: o.catchUp },
      story: null,
      blocked: false,
      slowed: false,
      gapped: false,
      mark: model.step,
      snapshot: new Map(),
    }
    const storyChannel = c.view.channels.find((ch) => ch.startsWith('story:'))
    if (storyChannel) c.story = new StoryClient(storyChannel.slice(6))
    // the public may not use `all`
    if (c.clearance === 'public' && c.view.channels.includes('all')) c.view = { ...c.view, channels: ['breaking'] }
    clients[slot] = c
    subscribe(c, null)
  }
  return { clients, open, resume, drop, cut, pageOlder, check, block, unblock }
}

/**
 * 2. after a `gap` (red13): routine updates were shed or conflated, so the reader may show an
 * older version of a story, or miss one that came into view; but it shows nothing it may not see
 * now (every retraction is priority), and a story the model holds back from running (withheld,
 * under embargo for the newsroom) it shows as that very version, flagged: a hold, a new embargo
 * or a kill is never shed.
 */
function checkAfterGap(model: Model, c: Client, want: Map<string, string>, where: string): void {
  for (const [id, v] of c.shows) {
    if (v === 'killed') continue
    const w = want.get(id)
    assert.ok(w !== undefined && w !== 'killed', `2. ${where} shows ${id}@${v}, which it may not see now (after a gap)`)
  }
  for (const [id, v] of want) {
    const state = model.state(id)
    if (v === 'killed' || !c.shows.has(id) || (state !== 'withheld' && state !== 'embargoed')) continue
    assert.equal(
      c.shows.get(id),
      v,
      `2. ${where} shows ${id} running at ${c.shows.get(id)}; the model holds it ${state} at ${v} (after a gap)`,
    )
    if (state === 'embargoed' && c.clearance === 'all')
      assert.ok(c.embargoed.has(id), `6. ${where} shows ${id} unflagged; the model holds it under embargo (after a gap)`)
  }
}
