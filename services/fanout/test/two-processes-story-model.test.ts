// The promise across processes for live stories, against a reference model: two fan-out processes
// (the workers of FANOUT_WORKERS, or instances behind one balancer) read one log at their own pace,
// and public readers of `story:<id>` open, drop, resume and page older entries on either (red9
// attack run, 2026-12-04: a story reader resuming on the process behind from the position of the
// one ahead never heard of an entry's deletion; an older-entries page from the process behind held
// an entry the reader's stream had passed the deletion of). Random sequences of ingest writes to
// two live stories (created public, held or under embargo; embargo set, moved or lifted; held,
// lifted, killed) and to their entries (created, edited, corrected, pinned, deleted, withheld,
// lifted, under their own embargo; written whatever the story's state, so on held and embargoed
// stories too), reads by each process of a few records at a time (never more than 50 s of server
// time behind: the race allowance assumes under a minute; a reader may connect there before the
// live loop gets to them, red17), process 1's host clock 8 s ahead of or behind process 0's (and
// ingest's) in a quarter of the runs each (red17, as two-processes-model), server time moving in
// small and large steps and onto embargo instants (by either clock), and reader actions: open a story on either process, drop,
// resume at once or some steps later on either, page older entries with the stream's position
// (`at`, as the SDK does). The hubs run in-process (support/harness.ts), sharing the log and the
// position key; a reader keeps what the SDK keeps (support/story-reader.ts). A process holds a
// prefix of each story's records: at server time t anything written by then, and at least every
// record ingested 50 s before (support/story-log.ts: what the public may see by such a prefix);
// with skew, server time is the later of the two clocks (what the one ahead may release), and the
// clock behind is stepped forward before the end.
// Checked:
//   S. after every step, everything a public reader was sent, at the server time it was sent: a
//      story or entry version sent live or replayed was public at some moment by a prefix a process
//      could hold then, and the story (entry) is public by a prefix its sender may hold at or past
//      the message's position and the last snapshot it sent on that connection (so nothing
//      deleted, killed, held or under embargo by what the reader was already told); a snapshot
//      (`subscribed`, `reset`) or a page is public as a whole by one such prefix (a page's at or
//      past its `at`), and a page holds only unpinned entries below where it was asked from;
//   L. at the end, once both processes have read everything: each connected reader, paged to the
//      end, shows exactly the story's public version and entries at their latest versions (every
//      deletion, hold and kill heard of, without reconnecting; nothing missing or extra); and so
//      does every reader once it has resumed on either process.
// Half the runs keep 4 events of history, so resumes replay from the log (the Kafka path) too.
// With each red9 fix undone in turn (four seeds each), the property found it after: resumes not
// waiting for the process to read as far, 7 to 28 runs; pages ignoring `at`, 1 to 17; replays
// offering records the live loop had not read, 30 to 145. Soaking it found, on one process, entry
// events the live loop reached after the story's embargo passed, or after the reader's snapshot
// took them in, judged by the story as it stood (story-judged-now.test.ts). Short runs that fail
// on the code before each fix are replayed first. Hubs wait on real timers while a replay waits
// for its live loop, so a seed replays the same run but not always the same interleaving.
// NEWSWIRE_MODEL_RUNS sets the number of runs (default 120; soak with more); a failure prints its
// seed and path (NEWSWIRE_MODEL_SEED, NEWSWIRE_MODEL_PATH replay it).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { NewswireEvent } from '@newswire/shared'
import fc from 'fast-check'
import { answerEntries } from '../src/http/entries.ts'
import { RequestError } from '../src/http/snapshot.ts'
import { peekPosition } from '../src/position.ts'
import { event, freshEventIds, Harness, POSITION_KEY } from './support/harness.ts'
import { subscribe } from './support/live-story.ts'
import { isKilled } from './support/model.ts'
import { StoryLog } from './support/story-log.ts'
import { Newsroom } from './support/story-model.ts'
import type { EntryCmd, EntryOp } from './support/story-model.ts'
import { StoryReader } from './support/story-reader.ts'
import type { SentEntry } from './support/story-reader.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'

const START = 1_800_000_000_000
/** A key rotation rolling out: the new key, which only process 0 has (run's `rotating`). */
const NEW_KEY = 'the-new-position-key-32-characters!'
/** The two stories' ids (L0 in partition 0, L1 in 1); a killed one's slot takes a new id on its next create. */
const SLOTS = ['L0', 'L1']
const READERS = 3
/** Entries in a snapshot: few, so readers page. */
const ENTRIES = 1
/** How far a process lags the other at most, in server time (under the race allowance's minute). */
const MAX_LAG_MS = 50_000
const RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 120)

type StoryOp = 'create' | 'embargo' | 'hold' | 'lift' | 'kill'
type Cmd =
  /** `held`, `embargoIn`: how a story is created; `embargoIn` also where `embargo` moves it (null: lifted). */
  | { kind: 'story'; slot: number; op: StoryOp; embargoIn: number | null; held: boolean }
  | { kind: 'entry'; entry: EntryCmd }
  | { kind: 'read'; proc: number; partition: number; n: number }
  /**
   * Reads as `read` does, and the reader connects (resumes, or opens) there before the live loop
   * gets to what was read: its snapshot is the ledger's, ahead of its position (red17).
   */
  | { kind: 'readConnect'; proc: number; partition: number; n: number; reader: number }
  | { kind: 'tick'; ms: number }
  /** Server time onto the next embargo instant written, give or take a millisecond. */
  | { kind: 'toEmbargo'; delta: number; proc?: number }
  | { kind: 'open'; reader: number; slot: number; proc: number }
  /** `other`: to the process the reader is not on (its first connection: `proc`). */
  | { kind: 'resume'; reader: number; proc: number; other: boolean }
  | { kind: 'drop'; reader: number }
  /** Drops, and resumes `steps` commands later (long enough that memory may no longer cover it: a replay from the log). */
  | { kind: 'away'; reader: number; steps: number; proc: number; other: boolean }
  /** `other`: on the process the reader's stream is not on (as a balancer may send it). */
  | { kind: 'page'; reader: number; proc: number; other: boolean; limit: number }
  /**
   * The process's freshness check stalls or goes on again; a check begun `ago` ms before completes
   * (red16, as two-processes-model).
   */
  | { kind: 'stall'; proc: number }
  | { kind: 'check'; proc: number; ago: number }

const proc = fc.integer({ min: 0, max: 1 })
const reader = fc.integer({ min: 0, max: READERS - 1 })
const partition = fc.integer({ min: 0, max: 1 })
const slot = fc.integer({ min: 0, max: SLOTS.length - 1 })
const entryOp = fc.constantFrom<EntryOp>(
  'create',
  'create',
  'create',
  'create',
  'edit',
  'correct',
  'pin',
  'delete',
  'delete',
  'withhold',
  'usable',
  'embargo',
)
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('story' as const),
      slot,
      op: fc.constantFrom<StoryOp>('create', 'create', 'embargo', 'hold', 'lift', 'lift', 'kill'),
      embargoIn: fc.constantFrom(null, null, null, null, null, 1, 400, 3_000, 9_000, 65_000),
      held: fc.constantFrom(false, false, false, true),
    }),
  },
  {
    weight: 7,
    arbitrary: fc.record({
      kind: fc.constant('entry' as const),
      entry: fc.record({
        k: fc.constant('entry' as const),
        story: slot,
        op: entryOp,
        which: fc.nat(20),
        embargo: fc.constantFrom<'none' | 'soon' | 'later'>('none', 'none', 'none', 'none', 'soon', 'later'),
        withheld: fc.constantFrom(false, false, false, false, false, true),
        pinned: fc.constantFrom(false, false, false, false, true),
      }),
    }),
  },
  // process 1 reads less often: it lags, as a busy worker does
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('read' as const), proc: fc.constant(0), partition, n: fc.constantFrom(2, 5) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), proc: fc.constant(1), partition, n: fc.constant(1) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('readConnect' as const), proc, partition, n: fc.constantFrom(1, 5), reader }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(1, 299, 1_000, 4_999, 10_000, 70_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('toEmbargo' as const), delta: fc.constantFrom(-1, 0, 1), proc }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('open' as const), reader, slot, proc }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('resume' as const), reader, proc, other: fc.constantFrom(true, true, true, false) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), reader }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('away' as const), reader, steps: fc.integer({ min: 2, max: 8 }), proc, other: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stall' as const), proc }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('check' as const), proc, ago: fc.constantFrom(0, 2_000, 15_000) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('page' as const),
      reader,
      proc,
      other: fc.constantFrom(true, true, false),
      limit: fc.constantFrom(1, 3),
    }),
  },
)

/** What the runs reached, so a generator that stops reaching a case shows. */
const stats = {
  runs: 0,
  pages: 0,
  paged: 0,
  notReady: 0,
  resumedAhead: 0,
  kills: 0,
  holds: 0,
  deletions: 0,
  hiddenEntries: 0,
  resets: 0,
  kafkaReplays: 0,
  kafkaAhead: 0,
  refills: 0,
}

async function run(cmds: Cmd[], historySize: number, rotating = false, skew = 0): Promise<void> {
  freshEventIds()
  // a resume or replay waiting for its process to read on keeps a hub busy until a later step: settle briefly
  // `rotating`: a key rotation rolling out: process 0 signs with the new key, process 1 refuses its positions (red14)
  const keys = (p: number) => (rotating && p === 0 ? { positionKeys: [NEW_KEY, POSITION_KEY] } : {})
  // `skew`: process 1's host clock ahead of (or behind) process 0's, which ingest's time is (red17)
  const procs = [0, 1].map(
    (p) => new Harness({ partitions: 2, start: START + (p === 1 ? skew : 0), historySize, settleRounds: 8, fresh: true, ...keys(p) }),
  )
  const a = procs[0] as Harness
  const log = new StoryLog(MAX_LAG_MS)
  const newsroom = new Newsroom()
  /** The story each slot writes to now. */
  const current = [...SLOTS]
  /** Embargo instants written, for toEmbargo. */
  const instants: number[] = []
  const readers: (StoryReader | null)[] = new Array<StoryReader | null>(READERS).fill(null)
  const now = () => a.clock.now()
  /** The latest of the processes' clocks: what is sent is judged by what the one ahead may release (within the minute). */
  const latest = () => Math.max(...procs.map((h) => h.clock.now()))
  /** What to add to process p's clock to get the latest. */
  const lead = (p: number) => latest() - (procs[p] as Harness).clock.now()
  let ids = 0

  const write = (e: NewswireEvent) => {
    // in Kafka: neither process has read it yet
    const p = a.partitionOf(e.article.id)
    log.write(e, (a.log[p] as NewswireEvent[]).length)
    for (const h of procs) h.inKafka(e, p)
  }

  /** GET /v1/stories/<id>/entries on process `p`, with the reader's position as `at`: whether it was answered. */
  const page = (r: StoryReader, p: number, before: number | null, limit: number, why: string): boolean => {
    const h = procs[p] as Harness
    const at = r.position === null ? '' : `&at=${encodeURIComponent(r.position)}`
    const url = new URL(`http://f/v1/stories/${r.story}/entries?limit=${limit}${before === null ? '' : `&before=${before}`}${at}`)
    let body: { items: SentEntry[]; next: number | null }
    try {
      body = JSON.parse(answerEntries(url, { audience: 'public' }, h.entriesDeps)) as typeof body
    } catch (err) {
      // behind the reader's stream: the SDK asks again; a story this process does not show: the SDK's page rejects
      if (!(err instanceof RequestError) || (err.code !== 'not_ready' && err.code !== 'not_found')) throw err
      if (err.code === 'not_ready') stats.notReady++
      r.got.push(`${p}:page:${err.code}`)
      return err.code !== 'not_ready'
    }
    stats.pages++
    stats.paged += body.items.length
    r.got.push(`${p}:page<${before}:[${body.items.map((e) => `${e.id}@${e.version}`)}]`)
    const w = `${why}: a page from process ${p} (${r.got.join(' ')})`
    for (const e of body.items) assert.ok(!e.pinned && (before === null || e.seq < before), `S. a page holds ${e.id} (seq ${e.seq}): ${w}`)
    // the page is this process's state now, which is at or past the reader's `at`
    const read = (o: readonly number[]) => log.prefixAt(r.story, o[a.partitionOf(r.story)] ?? 0)
    const minK = Math.max(read(h.store.readTo()), r.position === null ? 0 : read(peekPosition(r.position).o))
    StoryReader.checkState(log, r.story, minK, { story: null, entries: body.items }, latest(), w)
    r.takePage(body.items, body.next, true)
    return true
  }

  const settle = async () => {
    await Promise.all(procs.map((h) => h.settle()))
    for (const [i, r] of readers.entries()) {
      r?.consume(`reader ${i} at ${now()}`)
      // the story came back on a bare event: followStory asks for the newest page
      if (r?.refill && r.on) {
        stats.refills++
        if (page(r, r.on.proc, null, 100, `reader ${i}'s refill`)) r.refill = false
      }
    }
  }
  /** Until both hubs are idle (replays from the log included): nothing waits on a later step any more. */
  const settleFully = async () => {
    for (let i = 0; i < 50 && (i === 0 || procs.some((h) => h.hub.busy)); i++) await settle()
    assert.ok(!procs.some((h) => h.hub.busy), `the hubs are idle at the end: read ${JSON.stringify(procs.map((h) => h.store.readTo()))}`)
  }
  /** The reader (re)connects to process `p`: resumes from its position, or starts. */
  const connect = (r: StoryReader, p: number) => {
    if (r.on) (procs[r.on.proc] as Harness).hub.conns.remove(r.on.conn)
    const h = procs[p] as Harness
    const readTo = h.store.readTo()
    if (r.position !== null && peekPosition(r.position).o.some((o, i) => o > (readTo[i] ?? 0))) stats.resumedAhead++
    // from the log, with records there the live loop has not read yet
    else if (
      r.position !== null &&
      !h.store.history.covers(peekPosition(r.position).o) &&
      h.log.some((l, i) => l.length > (readTo[i] ?? 0))
    )
      stats.kafkaAhead++
    const { conn, t } = h.connect('public')
    r.on = { proc: p, conn, t, read: 0, floor: 0, lead: () => lead(p) }
    subscribe(h, conn, [`story:${r.story}`], { entries: ENTRIES, ...(r.position === null ? {} : { since: r.position }) })
  }
  const open = (i: number, s: number, p: number) => {
    const old = readers[i]
    if (old?.on) (procs[old.on.proc] as Harness).hub.conns.remove(old.on.conn)
    const id = current[s] as string
    const r = new StoryReader(id, log, a.partitionOf(id))
    readers[i] = r
    connect(r, p)
  }
  /** Server time moves on; before the latest clock passes a record's ingest time by the lag allowance, each process has read it. */
  const advance = async (ms: number) => {
    const due = latest() + ms - MAX_LAG_MS
    for (const h of procs)
      for (const p of [0, 1]) {
        const l = h.log[p] as NewswireEvent[]
        const from = h.store.readTo()[p] ?? 0
        let n = 0
        while (from + n < l.length && (l[from + n] as NewswireEvent).ingestedAt <= due) n++
        h.readOn(p, n)
      }
    await settle()
    for (const h of procs) h.clock.advance(ms)
  }

  for (const h of procs) h.start()
  stats.runs++
  /** Resumes due after a number of commands (`away`). */
  const due: { at: number; c: Extract<Cmd, { kind: 'away' }>; was: number | null }[] = []
  try {
    for (const [step, c] of cmds.entries()) {
      for (const d of due.filter((x) => x.at === step)) {
        const r = readers[d.c.reader]
        if (r && !r.on) connect(r, d.c.other && d.was !== null ? 1 - d.was : d.c.proc)
      }
      const t = now()
      if (c.kind === 'story') {
        let id = current[c.slot] as string
        let last = log.latest(id)
        if (c.op === 'create' && last && isKilled(last)) {
          id = `${SLOTS[c.slot]}-${++ids}`
          current[c.slot] = id
          last = undefined
        }
        if ((last && isKilled(last)) || (!last && c.op !== 'create') || (last && c.op === 'create')) continue
        const embargoedUntil = c.embargoIn === null ? null : t + c.embargoIn
        if (embargoedUntil !== null && (c.op === 'create' || c.op === 'embargo')) instants.push(embargoedUntil)
        const base = last?.article ?? {
          id,
          version: 0,
          live: true,
          embargoedUntil,
          pubStatus: c.held ? ('withheld' as const) : ('usable' as const),
        }
        const change =
          c.op === 'embargo'
            ? { embargoedUntil }
            : c.op === 'hold'
              ? { pubStatus: 'withheld' as const }
              : c.op === 'lift'
                ? { pubStatus: 'usable' as const }
                : c.op === 'kill'
                  ? { pubStatus: 'canceled' as const }
                  : {}
        const type = c.op === 'create' ? 'CREATED' : c.op === 'kill' ? 'WITHDRAWN' : 'UPDATED'
        write(event(type, { ...base, ...change, id, version: base.version + 1, updatedAt: t }, t))
        if (c.op === 'kill') stats.kills++
        if (c.op === 'hold') stats.holds++
      } else if (c.kind === 'entry') {
        const id = current[c.entry.story] as string
        // a live story starts (public) with its first entry
        if (!log.latest(id)) write(event('CREATED', { id, version: 1, live: true, updatedAt: t }, t))
        const story = log.latest(id)
        if (!story || isKilled(story)) continue
        const events = newsroom.eventsFor(c.entry, story.article, t)
        if (log.now(id, t).story === null && events.length > 0) stats.hiddenEntries++
        if (c.entry.op === 'delete') stats.deletions += events.length
        for (const e of events) {
          if (e.entry.embargoedUntil !== null) instants.push(e.entry.embargoedUntil)
          write(e)
        }
      } else if (c.kind === 'read') (procs[c.proc] as Harness).readOn(c.partition, c.n)
      else if (c.kind === 'readConnect') {
        ;(procs[c.proc] as Harness).readOn(c.partition, c.n)
        const r = readers[c.reader]
        if (!r) open(c.reader, c.reader % SLOTS.length, c.proc)
        else connect(r, c.proc)
      } else if (c.kind === 'tick') await advance(c.ms)
      else if (c.kind === 'toEmbargo') {
        // onto the instant by either process's clock
        const here = (procs[c.proc ?? 0] as Harness).clock.now()
        const next = instants.filter((at) => at + c.delta > here).sort((x, y) => x - y)[0]
        if (next !== undefined) await advance(next + c.delta - here)
      } else if (c.kind === 'open') open(c.reader, c.slot, c.proc)
      else if (c.kind === 'resume') {
        const r = readers[c.reader]
        if (!r) open(c.reader, c.reader % SLOTS.length, c.proc)
        else connect(r, c.other && r.on ? 1 - r.on.proc : c.proc)
      } else if (c.kind === 'stall') {
        const h = procs[c.proc] as Harness
        h.stalled = !h.stalled
      } else if (c.kind === 'check') {
        // it read the log to its ends as they stood when the check began: every record written by then
        const h = procs[c.proc] as Harness
        const at = now() - c.ago
        if (h.log.every((l, p) => l.slice(h.store.readTo()[p] ?? 0).every((e) => e.ingestedAt > at))) h.store.fresh(h.clock.now() - c.ago)
      } else if (c.kind === 'drop' || c.kind === 'away') {
        const r = readers[c.reader]
        if (c.kind === 'away') due.push({ at: step + c.steps, c, was: r?.on?.proc ?? null })
        if (r?.on) (procs[r.on.proc] as Harness).hub.conns.remove(r.on.conn)
        if (r) r.on = null
      } else {
        // "Show older entries" beside the stream (followStory older(), the SDK's page with `at`)
        // a reader with nothing to page opens the story afresh (a reload of the page) on process 0, which reads more
        if (!readers[c.reader]?.older()) {
          open(
            c.reader,
            readers[c.reader] ? SLOTS.indexOf((readers[c.reader] as StoryReader).story.split('-')[0] as string) : c.reader % 2,
            0,
          )
          await settle()
        }
        const r = readers[c.reader] as StoryReader
        const q = r.older()
        if (!q) continue
        page(r, c.other && r.on ? 1 - r.on.proc : c.proc, q.before, c.limit, `reader ${c.reader} at ${now()}`)
      }
      await settle()
    }
    /** L: each connected reader, paged to the end, shows exactly what the public may see now. */
    const converged = (when: string) => {
      for (const [i, r] of readers.entries()) {
        // closed by its process (1013, come back: a resume it could not serve in 10 s), it resumes below, as the SDK does
        if (!r?.on || r.on.t.closed) continue
        for (let n = 0, q = r.older(); q && n < 50; n++, q = r.older()) page(r, r.on.proc, q.before, 3, `reader ${i} paging to the end`)
        const want = log.now(r.story, now())
        const shows = { story: r.shows, entries: [...r.entries].map(([id, e]) => `${id}@${e.version}`).sort() }
        const expected = { story: want.story, entries: [...want.entries].map(([id, e]) => `${id}@${e.version}`).sort() }
        assert.deepEqual(shows, expected, `L. reader ${i} of ${r.story} on process ${r.on.proc} ${when} (it was sent: ${r.got.join(' ')})`)
      }
    }
    // Both read everything, and know it: a reader still connected has heard of every change, without reconnecting
    for (const h of procs) h.stalled = false
    // the clock behind is set right (a step forward), so both judge embargoes at one time
    const end = latest()
    for (const h of procs) h.clock.advance(end - h.clock.now())
    for (const h of procs) for (const p of [0, 1]) h.readOn(p)
    for (const h of procs) h.clock.advance(1)
    await settleFully()
    converged('shows what the public may see now, once both processes read everything')
    // every reader resumes (or starts) on either process
    for (const [i, r] of readers.entries()) {
      if (r) connect(r, i % 2)
      else open(i, i % SLOTS.length, i % 2)
    }
    await settleFully()
    for (const h of procs) h.clock.advance(1)
    await settleFully()
    converged('shows what the public may see now, after resuming')
    for (const r of readers) {
      stats.resets += r?.got.filter((g) => g.includes(':reset:')).length ?? 0
      stats.kafkaReplays += r?.got.filter((g) => g.endsWith(':subscribed:kafka')).length ?? 0
    }
  } finally {
    for (const h of procs) h.hub.stop()
  }
}

const entry = (slot: number, op: EntryOp, which = 0): Cmd => ({
  kind: 'entry',
  entry: { k: 'entry', story: slot, op, which, embargo: 'none', withheld: false, pinned: false },
})
const read = (p: number, partition: number, n: number): Cmd => ({ kind: 'read', proc: p, partition, n })

/** Runs that fail on the code before a fix, replayed first every time (both history sizes). */
const KNOWN: Cmd[][] = [
  // the story's new embargo passed between the process reading it (with e1's deletion) and its live
  // loop getting there: the reader, shown the story again, never heard of the deletion (story-judged-now.test.ts)
  [
    entry(1, 'create', 0),
    read(0, 1, 2),
    { kind: 'open', reader: 0, slot: 1, proc: 0 },
    { kind: 'story', slot: 1, op: 'embargo', embargoIn: 1, held: false },
    entry(1, 'delete', 0),
  ],
  // the story came into view at its first record: the reset, made from the ledger, left out e1,
  // withheld since, and the live loop then sent e1's first version (story-judged-now.test.ts)
  [entry(1, 'create', 0), entry(1, 'withhold', 0), { kind: 'open', reader: 0, slot: 1, proc: 0 }],
  // with pages ignoring `at`: a page from the process behind holds an entry the reader's stream
  // passed the deletion of (red9-entries-page-lagging.test.ts)
  [
    entry(0, 'create', 2),
    read(0, 0, 5),
    read(1, 0, 5),
    entry(0, 'delete', 0),
    read(0, 0, 2),
    { kind: 'open', reader: 0, slot: 0, proc: 0 },
    { kind: 'page', reader: 0, proc: 1, other: true, limit: 3 },
  ],
  // with resumes not waiting to read as far: on the process behind, before it read the hold's
  // lifting, the reader is taken for one without the story and never hears of e2's deletion
  // (red9-story-ahead-position.test.ts)
  [
    { kind: 'story', slot: 0, op: 'create', embargoIn: null, held: true },
    entry(0, 'create', 1),
    read(0, 0, 5),
    read(1, 0, 5),
    { kind: 'story', slot: 0, op: 'lift', embargoIn: null, held: false },
    read(0, 0, 2),
    { kind: 'open', reader: 0, slot: 0, proc: 0 },
    { kind: 'resume', reader: 0, proc: 1, other: true },
    read(1, 0, 1),
    entry(0, 'delete', 1),
    read(0, 0, 2),
    read(1, 0, 2),
  ],
  // with replays offering what the live loop has not read: a replay from the log (history 4) of
  // the process that read partition 1 on but not e2 passes e2, which the reader never gets
  [
    entry(0, 'create', 0),
    read(0, 0, 2),
    { kind: 'open', reader: 0, slot: 0, proc: 0 },
    { kind: 'drop', reader: 0 },
    entry(1, 'create', 3),
    read(0, 1, 5),
    entry(0, 'create', 0),
    { kind: 'resume', reader: 0, proc: 0, other: false },
    { kind: 'drop', reader: 1 },
    { kind: 'drop', reader: 1 },
    read(0, 0, 2),
  ],
  // red16 (2026-12-06), found once a process's freshness check could stall: process 1, its release
  // clock stopped before the entry's embargo, answered a page beside a stream on process 0, which had
  // released it before the reader came, without it and with nothing more to page: the reader never
  // saw it (red16-page-release-clock-behind.test.ts)
  [
    { kind: 'stall', proc: 1 },
    { kind: 'check', proc: 1, ago: 0 },
    { kind: 'resume', reader: 0, proc: 0, other: true },
    entry(0, 'create', 0),
    read(1, 0, 1),
    { kind: 'story', slot: 0, op: 'create', embargoIn: null, held: false },
    { kind: 'drop', reader: 0 },
    { kind: 'resume', reader: 0, proc: 0, other: true },
    { kind: 'entry', entry: { k: 'entry', story: 1, op: 'create', which: 5, embargo: 'soon', withheld: false, pinned: false } },
    entry(0, 'create', 0),
    { kind: 'page', reader: 0, proc: 0, other: true, limit: 1 },
    { kind: 'tick', ms: 70_000 },
    read(0, 0, 2),
    read(0, 0, 2),
    { kind: 'story', slot: 0, op: 'create', embargoIn: null, held: false },
    { kind: 'resume', reader: 0, proc: 0, other: true },
    { kind: 'resume', reader: 0, proc: 0, other: true },
    { kind: 'page', reader: 1, proc: 0, other: true, limit: 1 },
    entry(0, 'create', 0),
    { kind: 'open', reader: 0, slot: 0, proc: 0 },
    entry(0, 'create', 0),
    read(1, 0, 1),
  ],
  // stop 48 CI: process 0's release clock stalled before the story's embargo, process 1 released it
  // and its reader moved to process 0, which took it for one without the story (released there
  // only behind the position's watermark) and never sent it the story's later entries
  [
    entry(0, 'create', 0),
    { kind: 'story', slot: 0, op: 'embargo', embargoIn: 9_000, held: false },
    { kind: 'stall', proc: 0 },
    { kind: 'tick', ms: 70_000 },
    { kind: 'open', reader: 0, slot: 0, proc: 1 },
    { kind: 'resume', reader: 0, proc: 0, other: true },
    entry(0, 'create', 0),
  ],
  // red17: process 0 read the story after its embargo, which it released on arrival: the reset,
  // made at the story's record from a ledger that had read e1 too, showed the reader e1; process 1
  // had read e1 under the story still embargoed, took it for an entry the reader was never sent,
  // and held its deletion back from the reader resumed there (red17-reset-ahead-unsent.test.ts)
  [
    { kind: 'story', slot: 0, op: 'create', embargoIn: 3_000, held: false },
    entry(0, 'create', 0),
    { kind: 'open', reader: 0, slot: 0, proc: 0 },
    read(1, 0, 1),
    read(1, 0, 1),
    { kind: 'tick', ms: 4_999 },
    read(0, 0, 5),
    entry(0, 'delete', 0),
    read(1, 0, 1),
    { kind: 'resume', reader: 0, proc: 1, other: true },
  ],
]

/** Runs with process 1's clock ahead (or behind) that fail on the code before a fix: [skew, commands]. */
const KNOWN_SKEWED: [number, Cmd[]][] = [
  // red17: process 1, its clock 8 s ahead, released e2 on arrival; the reader opened there, its
  // snapshot stopping above e2, and paged on process 0, which had not released it by its own clock
  // and answered without it, with nothing more to page (red17-page-skew.test.ts)
  [
    8_000,
    [
      entry(0, 'create', 0),
      { kind: 'entry', entry: { k: 'entry', story: 0, op: 'create', which: 0, embargo: 'later', withheld: false, pinned: false } },
      entry(0, 'create', 0),
      read(0, 0, 5),
      read(1, 0, 1),
      read(1, 0, 1),
      read(1, 0, 1),
      read(1, 0, 1),
      { kind: 'open', reader: 0, slot: 0, proc: 1 },
      { kind: 'page', reader: 0, proc: 0, other: true, limit: 3 },
    ],
  ],
  // red17: process 1, its clock 8 s ahead, read the story's new embargo after it had passed by its
  // clock (released on arrival) and a reader subscribed there before the live loop got to it: the
  // snapshot showed the story and e2, the position was the head position signed before that
  // embargo (nothing read since), and a page of older entries beside it answered not_found
  // (red17-story-head-position.test.ts)
  [
    8_000,
    [
      entry(0, 'create', 0),
      read(1, 0, 1),
      read(1, 0, 1),
      { kind: 'open', reader: 1, slot: 0, proc: 1 },
      { kind: 'tick', ms: 10_000 },
      { kind: 'story', slot: 0, op: 'embargo', embargoIn: 3_000, held: false },
      entry(0, 'create', 0),
      { kind: 'open', reader: 2, slot: 0, proc: 1 },
      { kind: 'readConnect', proc: 1, partition: 0, n: 5, reader: 0 },
      { kind: 'page', reader: 0, proc: 1, other: false, limit: 3 },
    ],
  ],
]

test('two processes, the story runs that once failed', async () => {
  for (const cmds of KNOWN) for (const history of [4, 1000]) await run(cmds, history)
  for (const [skew, cmds] of KNOWN_SKEWED) for (const history of [4, 1000]) await run(cmds, history, false, skew)
})

test('two processes at different lag: a public story reader moving between them is sent nothing unpublished, and ends with exactly the public entries', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(cmdArb, { minLength: 20, maxLength: 80, size: 'max' }),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom(0, 0, -8_000, 8_000),
      async (cmds, shortHistory, rotating, skew) => {
        await run(cmds, shortHistory ? 4 : 1000, rotating, skew)
      },
    ),
    { numRuns: RUNS, includeErrorInReport: true, ...MODEL_REPLAY },
  )
  t.diagnostic(JSON.stringify(stats))
  if (process.env.NEWSWIRE_MODEL_SEED) return
  for (const k of ['pages', 'notReady', 'resumedAhead', 'kills', 'holds', 'deletions', 'hiddenEntries', 'resets'] as const)
    assert.ok(stats[k] > stats.runs / 10, `${k}: ${JSON.stringify(stats)}`)
  // rarer since the freshness commands (stall, check) share the runs: 7.6 % of 132 runs once (CI)
  assert.ok(stats.kafkaAhead > stats.runs / 25, `kafkaAhead: ${JSON.stringify(stats)}`)
})
