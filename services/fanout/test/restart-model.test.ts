// The promise across fan-out restarts, against a small reference model: random sequences of
// article versions (held, embargoed, released, replaced, killed), server time, public readers that
// connect, leave and resume, and restarts. A restarted instance is built as feed.ts builds one:
// the latest states from news.articles with the views ingest carries, then a suffix of the log per
// partition, fetched a run of one partition at a time in any order (support/restart.ts). Checked for every public
// reader, whatever instance served it:
//   1. content it gets (snapshot, live, replay) is of a version the public could see: usable, and
//      its embargo passed while it was still the latest;
//   2. once everything has settled, it holds no killed story (it heard of every kill);
//   3. the newsroom's reason for the kill of a story never public reaches only readers shown it.
// A fourth reader follows story a's live coverage: entries are held to the same three rules (by
// their own status: whether the story was visible beside them is left to stories.test.ts). They are
// reached less often than stories (about 40 entries delivered in 500 runs) in the first property;
// the second follows one live story, its entries held, released and deleted, with short histories.
// An outside review (2026-12-04) found a restart that broke rules 1 and 2, which the
// single-instance model (confidentiality.test.ts) could not.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent, EntryEvent } from '@newswire/shared'
import fc from 'fast-check'
import type { Conn } from '../src/model.ts'
import type { FakeTransport } from './support/harness.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event, freshEventIds } from './support/events.ts'
import { subscribe } from './support/live-story.ts'
import { leadArb, stamped, withinLead } from './support/ingest-lead.ts'
import { type Cmd, ENTRIES, SKEW_KNOWN_RUNS, SLOTS, skewLiveRunArb } from './support/skew-live.ts'
import { restarted } from './support/restart.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'

const IDS = ['a', 'b', 'c']
// two readers of one desk, one of another: most stories are in the view of most readers
const CATEGORIES = ['c0', 'c0', 'c1']
const PARTITIONS = 2
/**
 * Events a restarted instance keeps in memory: enough that resumes read catch-up's release flags,
 * or so few that it knows older versions' views only from ingest's headers.
 */
const HISTORIES = [4, 12, 40]

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant('post' as const),
      // story a (the live one the fourth reader follows) most often
      id: fc.constantFrom(0, 0, 0, 1, 2),
      category: fc.nat(CATEGORIES.length - 1),
      withheld: fc.constantFrom(false, false, false, true),
      // an embargo this far from now: past, within the race window, or well after it
      embargo: fc.option(fc.constantFrom(-60_000, 20_000, 59_000, 90_000, 600_000, 600_000, 600_000), { nil: null, freq: 3 }),
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ k: fc.constant('kill' as const), id: fc.nat(IDS.length - 1) }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant('entry' as const),
      id: fc.nat(ENTRIES.length - 1),
      withheld: fc.constantFrom(false, false, true),
      embargo: fc.option(fc.constantFrom(-60_000, 20_000, 90_000, 600_000), { nil: null, freq: 2 }),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ k: fc.constant('deleteEntry' as const), id: fc.nat(ENTRIES.length - 1) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(1_000, 30_000, 70_000, 700_000, 700_000) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('connect' as const), slot: fc.nat(SLOTS - 1) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('away' as const), slot: fc.nat(SLOTS - 1) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('resume' as const), slot: fc.nat(SLOTS - 1) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('restart' as const), picks: fc.array(fc.nat(), { maxLength: 12 }) }), weight: 2 },
)

/** One version (of an article or of an entry) as the model knows it. */
interface Version<E = ArticleEvent> {
  event: E
  /** When the next version replaced it (null: still the latest). */
  replacedAt: number | null
}

/** The public could see this version: usable, and its embargo passed while it was the latest. */
function publicVersion(v: Version): boolean {
  const a = v.event.article
  if (v.event.type === 'WITHDRAWN' || a.pubStatus !== 'usable') return false
  return a.embargoedUntil === null || v.replacedAt === null || a.embargoedUntil <= v.replacedAt
}

/** The same of an entry version by its own status (its story must also have been visible: not modelled, so a necessary condition). */
function publicEntry(v: Version<EntryEvent>): boolean {
  const e = v.event.entry
  if (v.event.type === 'ENTRY_DELETED' || e.pubStatus !== 'usable') return false
  return e.embargoedUntil === null || v.replacedAt === null || e.embargoedUntil <= v.replacedAt
}

/** A reader: its slot's channel, its connection (null: away), the last position it got, what it holds. */
interface Reader {
  channel: string
  t: FakeTransport | null
  conn: Conn | null
  read: number
  position: string | null
  holds: Set<string>
  /** Every story (and entry, `story/entry`) it was ever shown. */
  ever: Set<string>
}

/** What the ingest skew runs reached (entries and their story within the lead of an embargo, restarts over them). */
const skewStats = () => ({
  runs: 0,
  restarts: 0,
  aheadRuns: 0,
  behindRuns: 0,
  leadChanges: 0,
  entriesShown: 0,
  entryDefaultWords: 0,
  entryReasons: 0,
  stampedPastEmbargo: 0,
  replacedWithinLead: 0,
  stampedBeforeRelease: 0,
  entryStampedPastEmbargo: 0,
  entryReplacedWithinLead: 0,
  restartsOverStamped: 0,
})
type SkewStats = ReturnType<typeof skewStats>

/**
 * One run. `lead`: how far ahead of true time (the fan-outs' clocks) ingest stamps `ingestedAt` at
 * first (a `lead` step changes it); the rules are judged by true time, as instances up all along saw it.
 */
async function run(cmds: readonly Cmd[], history = 40, lead = 0, stats: SkewStats = skewStats()): Promise<void> {
  freshEventIds()
  stats.runs++
  let stampedPast = false
  let ahead = false
  let behind = false
  const near = (at: number | null, now: number, entry: boolean) => {
    const w = withinLead(at, now, lead)
    if (w) stats[w]++
    if (w === 'stampedPastEmbargo') stampedPast = true
    if (entry && w === 'stampedPastEmbargo') stats.entryStampedPastEmbargo++
    if (entry && w === 'replacedWithinLead') stats.entryReplacedWithinLead++
    if (lead > 0) ahead = true
    if (lead < 0) behind = true
  }
  let h = new Harness({ partitions: PARTITIONS, historySize: history })
  h.start()
  const model = new Map<string, Version[]>()
  const entryModel = new Map<string, Version<EntryEvent>[]>()
  let nextSeq = 1
  const readers: Reader[] = Array.from({ length: SLOTS }, (_, slot) => ({
    channel: slot < CATEGORIES.length ? `category:${CATEGORIES[slot]}` : `story:${IDS[0]}`,
    t: null,
    conn: null,
    read: 0,
    position: null,
    holds: new Set<string>(),
    ever: new Set<string>(),
  }))

  /** Reads what `r` got since last time: checks the content, keeps what it holds and its position. */
  const take = (r: Reader, slot: number) => {
    if (!r.t) return
    const why = (m: unknown) => `slot ${slot}: ${JSON.stringify(m).slice(0, 400)}`
    const content = (e: ArticleEvent, m: unknown) => {
      const v = model.get(e.article.id)?.find((x) => x.event.eventId === e.eventId)
      assert.ok(v, `unknown event ${why(m)}`)
      assert.ok(publicVersion(v), `1. the public got a version it could never see: ${why(m)}`)
      r.holds.add(e.article.id)
      r.ever.add(e.article.id)
    }
    const entryContent = (x: { id: string; version: number }, m: unknown) => {
      const key = `${IDS[0]}/${x.id}`
      const v = entryModel.get(key)?.find((y) => y.event.entry.version === x.version)
      assert.ok(v, `unknown entry ${why(m)}`)
      assert.ok(publicEntry(v), `1. the public got an entry version it could never see: ${why(m)}`)
      stats.entriesShown++
      r.holds.add(key)
      r.ever.add(key)
    }
    for (const m of r.t.messages.slice(r.read)) {
      if (typeof m.position === 'string') r.position = m.position
      if (m.type === 'reset') r.holds.clear()
      if (m.type === 'subscribed' || m.type === 'reset') {
        for (const e of (m.snapshot ?? []) as ArticleEvent[]) content(e, m)
        for (const e of (m.entries ?? []) as { id: string; version: number }[]) entryContent(e, m)
      } else if (m.type === 'event') content(m.event as ArticleEvent, m)
      else if (m.type === 'entry') entryContent(m.entry as { id: string; version: number }, m)
      else if (m.type === 'entryWithdrawn') {
        const key = `${IDS[0]}/${m.entryId as string}`
        if (m.reason === 'names a minor') stats.entryReasons++
        else stats.entryDefaultWords++
        if (m.reason === 'names a minor')
          assert.ok(
            r.ever.has(key) || (entryModel.get(key) ?? []).some(publicEntry),
            `3. the newsroom's reason for an entry never public, to a reader never shown it: ${why(m)}`,
          )
        r.holds.delete(key)
      } else if (m.type === 'withdrawn') {
        // the newsroom's words only to a reader that was shown the story, or of a story that was
        // public (a resume after it came and went); an estimate gives the default words
        const id = m.articleId as string
        if (m.reason === 'legal')
          assert.ok(
            r.ever.has(id) || (model.get(id) ?? []).some(publicVersion),
            `3. the newsroom's reason for a story never public, to a reader never shown it: ${why(m)}`,
          )
        r.holds.delete(id)
        // a story's entries go with it
        for (const k of [...r.holds]) if (k.startsWith(`${id}/`)) r.holds.delete(k)
      }
    }
    r.read = r.t.messages.length
  }
  const open = (slot: number, since: string | null) => {
    const r = readers[slot] as Reader
    const { conn, t } = h.connect('public')
    r.t = t
    r.conn = conn
    r.read = 0
    if (since === null) r.holds.clear()
    subscribe(h, conn, [r.channel], { ...(since === null ? {} : { since }), ...(r.channel.startsWith('story:') ? { entries: 10 } : {}) })
  }
  const away = (slot: number) => {
    const r = readers[slot] as Reader
    if (!r.t || !r.conn) return
    take(r, slot)
    h.hub.conns.remove(r.conn)
    r.t = null
    r.conn = null
  }

  for (const cmd of cmds) {
    const now = h.clock.now()
    switch (cmd.k) {
      case 'post':
      case 'kill': {
        const id = IDS[cmd.id] as string
        const vs = model.get(id) ?? []
        const last = vs.at(-1)
        if (last?.event.type === 'WITHDRAWN') break
        const version = vs.length + 1
        const e =
          cmd.k === 'kill'
            ? last === undefined
              ? null
              : event('WITHDRAWN', { ...last.event.article, version, pubStatus: 'canceled' }, now, { reason: 'legal' })
            : event(
                version === 1 ? 'CREATED' : 'UPDATED',
                {
                  id,
                  version,
                  category: CATEGORIES[cmd.category] as string,
                  pubStatus: cmd.withheld ? 'withheld' : 'usable',
                  embargoedUntil: cmd.embargo === null ? null : now + cmd.embargo,
                  live: true,
                },
                now,
              )
        if (e === null) break
        if (last) last.replacedAt = now
        near(last ? last.event.article.embargoedUntil : null, now, false)
        model.set(id, [...vs, { event: e, replacedAt: null }])
        // ingest stamps it by its own clock
        h.append(stamped(e, now, lead), h.partitionOf(id))
        await h.settle()
        break
      }
      case 'entry':
      case 'deleteEntry': {
        const story = model.get(IDS[0] as string)?.at(-1)
        if (!story || story.event.type === 'WITHDRAWN') break
        const key = `${IDS[0]}/${ENTRIES[cmd.id]}`
        const vs = entryModel.get(key) ?? []
        const last = vs.at(-1)
        if (last?.event.type === 'ENTRY_DELETED' || (cmd.k === 'deleteEntry' && !last)) break
        const base = { id: ENTRIES[cmd.id] as string, seq: last?.event.entry.seq ?? nextSeq++, version: vs.length + 1 }
        const e =
          cmd.k === 'deleteEntry'
            ? entryEvent(story.event.article, { ...base, pubStatus: 'canceled' }, now, { type: 'ENTRY_DELETED', reason: 'names a minor' })
            : entryEvent(
                story.event.article,
                {
                  ...base,
                  pubStatus: cmd.withheld ? 'withheld' : 'usable',
                  embargoedUntil: cmd.embargo === null ? null : now + cmd.embargo,
                },
                now,
              )
        if (last) last.replacedAt = now
        near(last ? last.event.entry.embargoedUntil : null, now, true)
        entryModel.set(key, [...vs, { event: e, replacedAt: null }])
        h.append(stamped(e, now, lead), h.partitionOf(IDS[0] as string))
        await h.settle()
        break
      }
      case 'tick':
        await h.tick(cmd.ms)
        break
      case 'connect':
        away(cmd.slot)
        open(cmd.slot, null)
        await h.settle()
        break
      case 'away':
        away(cmd.slot)
        break
      case 'resume': {
        const r = readers[cmd.slot] as Reader
        if (r.t || r.position === null) break
        open(cmd.slot, r.position)
        await h.settle()
        break
      }
      case 'restart':
        for (let slot = 0; slot < SLOTS; slot++) away(slot)
        h.hub.stop()
        h = restarted(h, cmd.picks, history)
        stats.restarts++
        if (stampedPast) stats.restartsOverStamped++
        await h.settle()
        break
      case 'lead':
        if (cmd.ms !== lead) stats.leadChanges++
        lead = cmd.ms
        break
    }
    for (const [slot, r] of readers.entries()) take(r, slot)
  }
  // everyone comes back and catches up; then nobody holds a killed story
  for (const [slot, r] of readers.entries()) if (!r.t && r.position !== null) open(slot, r.position)
  await h.tick(1000)
  for (const [slot, r] of readers.entries()) {
    take(r, slot)
    for (const id of r.holds) {
      if (id.includes('/')) {
        const entry = entryModel.get(id)?.at(-1)
        assert.notEqual(entry?.event.type, 'ENTRY_DELETED', `2. slot ${slot} still holds entry ${id}, deleted: it never heard`)
        continue
      }
      const latest = model.get(id)?.at(-1)
      assert.notEqual(latest?.event.type, 'WITHDRAWN', `2. slot ${slot} still holds ${id}, killed: it never heard of the kill`)
    }
  }
  h.hub.stop()
  if (ahead) stats.aheadRuns++
  if (behind) stats.behindRuns++
}

test('property: across restarts, no public reader gets a version the public could never see, and every reader hears of every kill', async () => {
  await fc.assert(
    // every reader connects first (the page was open before anything was written)
    fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 30 }), fc.constantFrom(...HISTORIES), (cmds, history) =>
      run([...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot })), ...cmds], history),
    ),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 200) },
  )
})

test('a run the property found against one catch-up clock for all partitions', async () => {
  // b's draft (embargo in 90 s) is replaced before it: never the public's. After the restart the
  // other partition's newer kill was read first, and its clock released the draft.
  await run([
    ...Array.from({ length: SLOTS }, (_, slot): Cmd => ({ k: 'connect', slot })),
    { k: 'post', id: 1, category: 0, withheld: false, embargo: 90_000 },
    { k: 'post', id: 2, category: 0, withheld: true, embargo: null },
    { k: 'post', id: 1, category: 2, withheld: false, embargo: null },
    { k: 'tick', ms: 700_000 },
    { k: 'kill', id: 2 },
    { k: 'restart', picks: [1312921515] },
  ])
})

/** Live coverage: story a, public from the start, held and released again, its entries written, held and deleted. */
const liveCmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant('post' as const),
      id: fc.constant(0),
      category: fc.constant(0),
      withheld: fc.boolean(),
      embargo: fc.option(fc.constantFrom(20_000, 90_000), { nil: null, freq: 3 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('entry' as const),
      id: fc.nat(ENTRIES.length - 1),
      withheld: fc.boolean(),
      embargo: fc.option(fc.constantFrom(20_000, 90_000), { nil: null, freq: 3 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ k: fc.constant('deleteEntry' as const), id: fc.nat(ENTRIES.length - 1) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(1_000, 70_000, 700_000) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('away' as const), slot: fc.constant(SLOTS - 1) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('resume' as const), slot: fc.constant(SLOTS - 1) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('restart' as const), picks: fc.array(fc.nat(), { maxLength: 6 }) }), weight: 1 },
)

test('property: the same across restarts for a live story followed by one reader, its entries held, released and deleted', async () => {
  const start: Cmd[] = [
    { k: 'connect', slot: SLOTS - 1 },
    { k: 'post', id: 0, category: 0, withheld: false, embargo: null },
  ]
  await fc.assert(
    fc.asyncProperty(fc.array(liveCmdArb, { minLength: 1, maxLength: 20 }), fc.constantFrom(4, 12), (cmds, history) =>
      run([...start, ...cmds], history),
    ),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 200) },
  )
})

const SKEW_RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 500)
/** A failure's seed and path (printed with it) replay it. */

// 6ab5e6b's entries (maybeMask, mayRelease, entryReleasedOnArrival) against random histories:
// ingest stamps every event `ingestedAt` = true time + its lead (0 to a minute ahead, or a few
// seconds behind; it may change), the instance up all along reads by its own clock, a restarted
// one catches up by ingest's. Rules 1-3 by true time: an entry draft replaced before its embargo
// never reaches the public, and whoever was shown an entry hears of its deletion.
// (Ledger.catchUp's `mayRelease` is not reached by any run, 2026-12-05: removed, 0 of 3,000 runs
// failed. Within this model it is redundant: see support/skew-live.ts, SKEW_KNOWN_RUNS.)
test("property: the live story across restarts with ingest's clock up to a minute ahead of the fan-outs' (or up to half a minute behind)", async () => {
  const stats = skewStats()
  const start: Cmd[] = [
    { k: 'connect', slot: SLOTS - 1 },
    { k: 'post', id: 0, category: 0, withheld: false, embargo: null },
  ]
  await fc.assert(
    fc.asyncProperty(skewLiveRunArb, fc.constantFrom(4, 4, 12), leadArb, (cmds, history, lead) =>
      run([...start, ...cmds], history, lead, stats),
    ),
    // the known runs count in numRuns (fast-check): all of them run however few runs are asked for
    { numRuns: Math.max(SKEW_RUNS, SKEW_KNOWN_RUNS.length), includeErrorInReport: true, examples: SKEW_KNOWN_RUNS, ...MODEL_REPLAY },
  )
  console.log(`restart-model, ingest skew: ${JSON.stringify(stats)}`)
  if (SKEW_RUNS >= 200 && !process.env.NEWSWIRE_MODEL_SEED) {
    // an entry's kill words come 27 times in 500 runs: a floor of 12 would fail about one run in 1,000
    const floor: Partial<Record<string, number>> = { entryReasons: SKEW_RUNS / 100 }
    for (const [k, v] of Object.entries(stats))
      if (k !== 'stampedBeforeRelease') assert.ok(v > (floor[k] ?? SKEW_RUNS / 40), `too few ${k}: ${v}`)
    assert.ok(stats.stampedBeforeRelease > 0, 'no version released by true time and stamped as replaced before its embargo')
  }
})
