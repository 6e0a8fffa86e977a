// red22b attack run (2026-12-07): a reader may lose its connection anywhere in what it was sent
// (a link dying mid-write, the heartbeat terminating a socket still behind, a 4008 close whose tail
// never arrives) and resumes from the last position it read. Property: public readers whose sockets
// stop and drain at random while stories are written, made breaking, updated, withheld, run again
// and killed, so their queues are conflated, shed and reordered by lane; as a socket drains, its
// link may die after a random number of the messages it had not read, and the reader resumes from
// the last position it read. Every story it was shown that is killed, it is told of, in what it read
// or after the resume, and in the end it shows no story withheld or killed. The gap's position taken
// as the last position written before the write was ordered (red22b) fails it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import type { FakeTransport, Message } from './support/harness.ts'
import { event, freshEventIds } from './support/events.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'

const STORIES = ['a', 'b', 'c', 'd', 'e', 'f']
const READERS = 2

/** What the runs reached: cuts that lost something, of a write with a gap (the red22b case), slow-consumer drops. */
const stats = { runs: 0, cuts: 0, gapCuts: 0, drops: 0 }

/** A story written (`held`: withheld, else running), or killed. */
type Write = { k: 'write'; story: number; breaking: boolean; held?: boolean } | { k: 'kill'; story: number }

/**
 * A write, or a burst: reader `reader`'s socket stops taking writes, the writes come, and it drains;
 * with `keep`, the link dies as it does, the reader having read only `keep` of the messages it had
 * not read, and it resumes from the last position it read.
 */
type Step = Write | { k: 'burst'; reader: number; writes: Write[]; keep: number | null }

const writeArb: fc.Arbitrary<Write> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('write' as const),
      story: fc.nat(STORIES.length - 1),
      breaking: fc.boolean(),
      held: fc.constantFrom(false, false, false, true),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('kill' as const), story: fc.nat(STORIES.length - 1) }) },
)

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: writeArb },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('burst' as const),
      reader: fc.nat(READERS - 1),
      writes: fc.array(writeArb, { minLength: 1, maxLength: 10 }),
      keep: fc.option(fc.nat(3), { nil: null, freq: 4 }),
    }),
  },
)

interface Reader {
  t: FakeTransport
  conn: ReturnType<Harness['connect']>['conn']
  read: number
  position: string | null
  shown: Set<string>
  told: Set<string>
  /** Per story, whether it shows it now (its last word an event, not a withdrawal). */
  shows: Map<string, boolean>
}

async function run(steps: Step[], maxPending: number): Promise<void> {
  freshEventIds()
  stats.runs++
  const h = new Harness({ partitions: 2, limits: { maxPending, slowClientMs: Number.MAX_SAFE_INTEGER } })
  h.start()
  await h.settle()
  const versions = new Map<string, number>()
  const killed = new Set<string>()
  const held = new Set<string>()
  const open = (since: string | null, was?: Reader): Reader => {
    const { conn, t } = h.connect('public')
    h.hub.handle(conn, {
      type: 'subscribe',
      id: 's',
      channels: parseChannels([], 's'),
      filter: parseFilter(null, 's'),
      since,
      catchUp: 'all',
    })
    return {
      t,
      conn,
      read: 0,
      position: since,
      shown: was?.shown ?? new Set(),
      told: was?.told ?? new Set(),
      shows: was?.shows ?? new Map(),
    }
  }
  /** Reads what arrived (up to `upTo` messages of it), as the SDK does: the last position read is its place. */
  const readOn = (r: Reader, upTo = Number.POSITIVE_INFINITY) => {
    const end = Math.min(r.t.messages.length, r.read + upTo)
    for (; r.read < end; r.read++) {
      const m = r.t.messages[r.read] as Message & { position?: string }
      if (typeof m.position === 'string') r.position = m.position
      if (m.type === 'reset' || (m.type === 'subscribed' && m.replay === 'none')) r.shows.clear()
      if (m.type === 'subscribed' || m.type === 'reset')
        for (const e of m.snapshot as { article: { id: string } }[]) {
          r.shown.add(e.article.id)
          r.shows.set(e.article.id, true)
        }
      if (m.type === 'event') {
        const id = (m.event as { article: { id: string } }).article.id
        r.shown.add(id)
        r.shows.set(id, true)
      }
      if (m.type === 'withdrawn') {
        r.told.add(m.articleId as string)
        r.shows.set(m.articleId as string, false)
      }
    }
  }
  const readers = Array.from({ length: READERS }, () => open(null))
  await h.settle()
  const write = (w: Write) => {
    const id = STORIES[w.story] as string
    const version = (versions.get(id) ?? 0) + 1
    if (killed.has(id) || (w.k === 'kill' && version === 1)) return
    versions.set(id, version)
    if (w.k === 'kill') {
      killed.add(id)
      h.append(event('WITHDRAWN', { id, version, pubStatus: 'canceled' }, h.clock.now(), { reason: 'legal' }))
    } else {
      const pubStatus = w.held === true ? 'withheld' : 'usable'
      if (pubStatus === 'withheld') held.add(id)
      else held.delete(id)
      h.append(event(version === 1 ? 'CREATED' : 'UPDATED', { id, version, urgency: w.breaking ? 1 : 5, pubStatus }, h.clock.now()))
    }
  }
  for (const step of steps) {
    if (step.k !== 'burst') write(step)
    else {
      const r = readers[step.reader] as Reader
      r.t.backlog = 10 * 1024 * 1024
      for (const w of step.writes) {
        write(w)
        h.clock.advance(1)
        await h.settle()
      }
      r.t.backlog = 0
      h.hub.drained(r.conn)
      await h.settle()
      if (step.keep !== null && !r.t.closed) {
        // the link dies as it drains: the rest of what was written never arrives
        const lost = r.t.messages.slice(r.read + step.keep)
        if (lost.length > 0) stats.cuts++
        if (lost.some((m) => m.type === 'gap')) stats.gapCuts++
        readOn(r, step.keep)
        h.hub.conns.remove(r.conn)
        readers[step.reader] = open(r.position, r)
      }
    }
    h.clock.advance(1)
    await h.settle()
    for (const [i, r] of readers.entries()) {
      if (r.t.backlog === 0 || r.t.closed) readOn(r)
      if (r.t.closed === null) continue
      // dropped as a slow consumer (4008): what was written arrived, and the SDK resumes from it
      assert.equal(r.t.closed.code, 4008, `reader ${i} was closed: ${JSON.stringify(r.t.closed)}`)
      stats.drops++
      readers[i] = open(r.position, r)
      await h.settle()
    }
  }
  for (const r of readers) {
    r.t.backlog = 0
    h.hub.drained(r.conn)
  }
  await h.settle()
  for (const [i, r] of readers.entries()) {
    readOn(r)
    assert.equal(r.t.closed, null, `reader ${i} was closed: ${JSON.stringify(r.t.closed)}`)
    const untold = [...r.shown].filter((id) => killed.has(id) && !r.told.has(id))
    assert.deepEqual(untold, [], `reader ${i} was shown these stories and never told of their kill`)
    const hidden = [...r.shows].filter(([id, shows]) => shows && (killed.has(id) || held.has(id))).map(([id]) => id)
    assert.deepEqual(hidden, [], `reader ${i} still shows these stories, withheld or killed`)
  }
  h.hub.stop()
}

/**
 * Runs that once failed, replayed first. The first fast-check found (shrunk): the reader fell behind
 * on a breaking story, a routine update and the kill of a story it was shown; the write after the
 * drain began with the breaking story, carrying the gap's position past the kill; cut after it.
 */
const KNOWN: [Step[], number][] = [
  [
    [
      { k: 'kill', story: 0 },
      { k: 'write', story: 0, breaking: false },
      { k: 'write', story: 3, breaking: false },
      { k: 'burst', reader: 0, writes: [{ k: 'write', story: 0, breaking: false }], keep: null },
      {
        k: 'burst',
        reader: 0,
        writes: [
          { k: 'write', story: 1, breaking: true },
          { k: 'write', story: 0, breaking: false },
          { k: 'write', story: 1, breaking: false },
          { k: 'kill', story: 3 },
        ],
        keep: 1,
      },
    ],
    4,
  ],
]

test('a reader cut off anywhere in what it was sent, on a link that fell behind, hears of every kill when it resumes', async () => {
  const numRuns = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 300)
  const details = await fc.check(
    fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 60 }), fc.constantFrom(4, 4, 8), (steps, maxPending) =>
      run(steps, maxPending),
    ),
    { numRuns, examples: KNOWN, ...MODEL_REPLAY },
  )
  console.log('cut-resume model', stats)
  if (details.failed)
    assert.fail(
      `${fc.defaultReportMessage(details)}\n${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
    )
  // the generator reaches the case it is there for (cuts of a write with a gap: about one a run)
  if (!process.env.NEWSWIRE_MODEL_SEED && numRuns >= 100)
    for (const [k, v] of Object.entries(stats)) assert.ok(v > numRuns / 60, `too few ${k}: ${v}`)
})
