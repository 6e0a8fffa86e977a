// Model-based test of followStory (fast-check): random live blogs — entries created, edited,
// deleted, held and released, the connection dropped (with a sloppy server replaying what it
// sent), older pages asked for at any moment, racing the stream — against the fake fan-out, whose
// visible entries are the reference. Once the stream is caught up and paged to the end, the
// follower holds exactly the visible entries at their newest version, in seq order; on the way it
// never announced an entry at a version it already held or older, nor a deleted one. Some runs
// kill the story midway while the fake goes on sending its entries (the SDK's second wall): from
// the kill on, the follower announces none and ends holding none. Stand-in holds too (the fan-out's
// for a record it could not decode, or for a hold numbered as the live version it changes:
// services/fanout unreadable.ts, late-hold.ts), withdrawn with `guess: true` at the next number,
// then the writer's next record at the same number, a lower one (a late hold's writer numbers as
// it likes) or a higher one: the follower takes it, whatever its number, and holds what the fake
// shows (before the fix, the SDK dropped it at the same number or lower and kept the entry off).
// A late stand-in may be under embargo and released to the public (an entry, its number still a
// guess), and the writer's next record may hold the entry back, whatever its number (red18).
// A reconnect may land on a process behind, which resets the reader to its own older head and then
// reads on (red14): a deletion or the kill the reader heard of is final, never announced undone,
// by the follower nor by the client's own entry messages (red18). Some runs give the client a
// duplicate filter of a few entries (`dedupeCapacity`), so that they reach its bound: a deletion
// heard of before more entries than it holds stays final (red24b). The story itself may be held or
// embargoed and run again (red25c): the fan-out then sends none of its entries (the model writes
// them off the story's channel) and its snapshots and pages have none; running again, the follower
// ends holding what the fake shows (it asks for the newest page), while held it holds nothing.
// NEWSWIRE_MODEL_RUNS raises the number of runs (default 20).
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import fc from 'fast-check'
import { WebSocket } from 'ws'
import { connect, followStory, type StoryEntry } from '../src/index.ts'
import { FakeNewsServer, waitFor } from './fake-server.ts'
import { storyEntry } from './story-fakes.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'
import { killArb, opArb, storyHoldArb, withKill, withStoryHold } from './follow-story-ops.ts'
import type { Held, Kill, Op, StandIn } from './follow-story-ops.ts'

/** The story as its newsroom has it: every entry's newest version and whether it is shown now. */
class Blog {
  readonly entries: {
    entry: StoryEntry
    shown: boolean
    deleted: boolean
    held: 'withheld' | 'embargoed' | null
    /** Standing in (a stand-in hold): its number, and of which kind; null when not. */
    standIn: { version: number; kind: StandIn; cause: Held } | null
  }[] = []
  readonly server: FakeNewsServer
  killed: Kill | null = null
  /** `id@version` of stand-ins released to the public: the writer's next record replaces one. */
  readonly guesses = new Set<string>()
  /** The story held (red25c): the fan-out sends none of its entries then, and its pages have none. */
  storyHeld: Held | null = null
  storyVersion = 1
  constructor(server: FakeNewsServer) {
    this.server = server
  }

  /**
   * Where the story's entry frames go: while the story is held, off its channel (no reader gets
   * them; the fake's pages count them once it runs again).
   */
  #frame(frame: Record<string, unknown>): void {
    this.server.publishFrame(this.storyHeld ? 'held:Bd-1' : 'story:Bd-1', { storyId: 'Bd-1', ...frame })
  }

  #publish(entry: StoryEntry, extra: Record<string, unknown> = {}): void {
    this.#frame({ type: 'entry', change: entry.version === 1 ? 'created' : 'updated', entry, ...extra })
  }

  #withdraw(entryId: string, version: number, cause: string): void {
    this.#frame({ type: 'entryWithdrawn', entryId, version, cause, reason: cause })
  }

  create(): void {
    const seq = this.entries.length + 1
    const entry = storyEntry(`e${seq}`, seq)
    this.entries.push({ entry, shown: true, deleted: false, held: null, standIn: null })
    this.#publish(entry)
  }

  /** Entries the newsroom writes to as it likes (a stand-in waits for its `decide`). */
  #live(pick: number) {
    const live = this.entries.filter((e) => !e.deleted && !e.standIn)
    return live.length === 0 ? null : live[pick % live.length]
  }

  edit(pick: number, pin: boolean): void {
    const e = this.#live(pick)
    if (!e) return
    e.entry = { ...e.entry, version: e.entry.version + 1, pinned: pin, body: [`edit ${e.entry.version + 1}`] }
    // a held entry's edit stays held: the public hears nothing of it
    if (e.shown) this.#publish(e.entry, { changedFields: ['body'] })
  }

  delete(pick: number): void {
    const e = this.#live(pick)
    if (!e) return
    e.deleted = true
    e.entry = { ...e.entry, version: e.entry.version + 1 }
    if (e.shown) this.#withdraw(e.entry.id, e.entry.version, 'deleted')
    e.shown = false
  }

  hold(pick: number, cause: 'withheld' | 'embargoed'): void {
    const e = this.#live(pick)
    if (!e?.shown) return
    e.shown = false
    e.held = cause
    e.entry = { ...e.entry, version: e.entry.version + 1 }
    this.#withdraw(e.entry.id, e.entry.version, cause)
  }

  release(pick: number): void {
    const held = this.entries.filter((e) => !e.deleted && !e.shown && !e.standIn)
    const e = held.length === 0 ? null : held[pick % held.length]
    if (!e) return
    e.shown = true
    // An embargo ends by the clock: the same version comes back; a hold ends with a new one
    if (e.held !== 'embargoed') e.entry = { ...e.entry, version: e.entry.version + 1 }
    e.held = null
    this.#publish(e.entry, { released: true })
  }

  /**
   * A fan-out stands in for a hold of a shown entry (or of one standing in already): the next
   * number, withheld, its number a guess. The public is told once (what it had is gone).
   */
  standIn(pick: number, kind: StandIn, cause: Held): void {
    const live = this.entries.filter((e) => !e.deleted && (e.shown || e.standIn))
    const e = live.length === 0 ? null : live[pick % live.length]
    if (!e) return
    const version = (e.standIn?.version ?? e.entry.version) + 1
    const told = e.shown
    e.shown = false
    e.standIn = { version, kind, cause }
    if (told)
      this.#frame({
        type: 'entryWithdrawn',
        entryId: e.entry.id,
        version,
        cause,
        reason: cause,
        guess: true,
      })
  }

  /**
   * A stand-in under embargo (a late one: an embargo numbered as the live version) reaches its
   * time: the fan-out releases it, with the content known, its number still a guess (red18).
   */
  releaseStandIn(pick: number): void {
    const due = this.entries.filter((e) => !e.shown && e.standIn?.kind === 'late' && e.standIn.cause === 'embargoed')
    const e = due.length === 0 ? null : due[pick % due.length]
    if (!e?.standIn) return
    e.entry = { ...e.entry, version: e.standIn.version }
    e.shown = true
    this.guesses.add(`${e.entry.id}@${e.entry.version}`)
    this.#publish(e.entry, { released: true, guess: true })
  }

  /**
   * The writer's next record of an entry standing in: numbered as the stand-in, lower (from its
   * live version down; an undecodable record was ingest's, numbered after the live version, so
   * never lower) or higher. It decides again whatever its number: the entry is shown.
   */
  decide(pick: number, at: 'same' | 'lower' | 'higher', lower: number, hold: boolean): void {
    const standing = this.entries.filter((e) => e.standIn)
    const e = standing.length === 0 ? null : standing[pick % standing.length]
    if (!e?.standIn) return
    const { version: guess, kind } = e.standIn
    const live = e.entry.version
    const version = at === 'higher' ? guess + 1 : at === 'lower' && kind === 'late' ? Math.max(1, live - (lower % live)) : guess
    e.entry = { ...e.entry, version, body: [`next ${version}`] }
    e.standIn = null
    if (hold) {
      // it holds the entry back: a reader shown the stand-in (released) is told, at this number
      if (e.shown) this.#withdraw(e.entry.id, version, 'withheld')
      e.shown = false
      e.held = 'withheld'
      return
    }
    e.shown = true
    e.held = null
    this.#publish(e.entry, { changedFields: ['body'] })
  }

  /** The story is killed; the fake knows nothing of it and keeps sending entries and pages. */
  kill(cause: Kill): void {
    this.killed = cause
    this.storyVersion++
    // what the fake goes on sending goes to the reader again (the SDK's wall)
    this.storyHeld = null
    this.server.publishFrame('story:Bd-1', { type: 'withdrawn', articleId: 'Bd-1', version: this.storyVersion, cause, reason: 'legal' })
  }

  /** The story itself held or embargoed (red25c): readers are told it is gone for now. */
  holdStory(cause: Held): void {
    if (this.killed || this.storyHeld) return
    this.storyVersion++
    // the filter forgets the story's entries here: a replay from before it would bring a stand-in back (Known limits)
    this.server.replayFloor = this.server.log.length
    this.server.publishFrame('story:Bd-1', { type: 'withdrawn', articleId: 'Bd-1', version: this.storyVersion, cause, reason: cause })
    this.storyHeld = cause
  }

  /** The story runs again: a new version of it (a release, or its embargo's time). */
  releaseStory(): void {
    if (this.killed || !this.storyHeld) return
    this.storyHeld = null
    this.storyVersion++
    const v = this.storyVersion
    this.server.publish('story:Bd-1', {
      eventId: `s${v}`,
      type: 'UPDATED',
      article: { id: 'Bd-1', version: v, headline: 'Live', live: true },
    } as never)
  }
}

/** How often the runs reached the story's own hold and its running again (red25c). */
const stats = { storyHeld: 0, storyReleased: 0 }

async function run(ops: Op[], transport: 'websocket' | 'sse', snapshotSize: number, dedupeCapacity = 50_000): Promise<void> {
  const cleanups: (() => unknown)[] = []
  const ctx = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext
  try {
    const server = await FakeNewsServer.start(ctx)
    const blog = new Blog(server)
    server.publish('story:Bd-1', {
      eventId: 's1',
      type: 'CREATED',
      article: { id: 'Bd-1', version: 1, headline: 'Live', live: true },
    })
    for (let i = 0; i < 3; i++) blog.create()
    const client = connect(server.url, {
      channels: ['story:Bd-1'],
      entries: snapshotSize,
      WebSocket,
      transport,
      backoff: { minMs: 5, maxMs: 20 },
      dedupeCapacity,
    })
    cleanups.push(() => client.close())
    /** What the follower's events say it shows, and what they got wrong. */
    const shows = new Map<string, number>()
    const wrong: string[] = []
    /** The kill reached the follower: nothing may be announced after it. */
    let killHeard = false
    /** Deletions that reached the follower: final, whatever comes after (a reset from a process behind). */
    const deletedHeard = new Set<string>()
    const story = followStory(client, 'Bd-1', {
      story: ({ version }) => {
        if (killHeard) wrong.push(`the story (v${version}) shown again after its kill`)
      },
      entry: ({ entry }) => {
        const key = `${entry.id}@${entry.version}`
        if (killHeard) wrong.push(`${key} announced after the story's kill`)
        if (deletedHeard.has(entry.id)) wrong.push(`${key} announced after its deletion reached the reader`)
        // a released stand-in's number is a guess: the writer's next record replaces it, whatever its number
        const guessed = blog.guesses.has(`${entry.id}@${shows.get(entry.id)}`)
        // a filter at its bound forgets what it delivered: the fake's replays (overlap) may come again (Known limits)
        const bounded = dedupeCapacity < 50_000
        if ((shows.get(entry.id) ?? 0) >= entry.version && !guessed && !bounded)
          wrong.push(`${key} announced while ${shows.get(entry.id)} was shown`)
        shows.set(entry.id, entry.version)
        // shown before its deletion reached the reader is right; at the deletion's version, never
        const b = blog.entries.find((e) => e.entry.id === entry.id)
        if (b?.deleted && entry.version >= b.entry.version) wrong.push(`${key}: a deleted entry was shown`)
      },
      entryRemoved: ({ entryId, cause }) => {
        shows.delete(entryId)
        if (cause === 'deleted') deletedHeard.add(entryId)
      },
      gone: ({ cause }) => {
        // every entry went with the story
        shows.clear()
        if (cause === 'withdrawn' || cause === 'canceled') killHeard = true
      },
      error: (err) => wrong.push(err.message),
    })
    // the client read alone (its own entry messages): none of the story's once its kill reached it (red18)
    let clientKill = false
    client.on('withdrawn', ({ cause }) => {
      if (cause === 'withdrawn' || cause === 'canceled') clientKill = true
    })
    client.on('entry', ({ entry }) => {
      if (clientKill) wrong.push(`client: ${entry.id}@${entry.version} delivered after the story's kill`)
    })
    client.on('reset', (r) => {
      if (clientKill && (r.entries?.length ?? 0) > 0) wrong.push(`client: a reset with ${r.entries?.length} entries after the story's kill`)
    })
    await waitFor(() => client.position !== null, 'the snapshot')
    /** The position of the last frame a reader of the story gets (frames held back off its channel are not sent). */
    const head = () => `pos:${server.log.findLastIndex((item) => item.channel === 'story:Bd-1') + 1}`
    const pages: Promise<unknown>[] = []
    for (const op of ops) {
      switch (op.op) {
        case 'create':
          blog.create()
          break
        case 'edit':
          blog.edit(op.pick, op.pin)
          break
        case 'delete':
          blog.delete(op.pick)
          break
        case 'hold':
          blog.hold(op.pick, op.cause)
          break
        case 'release':
          blog.release(op.pick)
          break
        case 'drop':
          server.overlap = op.overlap
          server.dropAll()
          break
        case 'lagDrop':
          // the reader heard everything (on the process ahead); its reconnect lands on one behind
          await waitFor(() => client.position === head(), 'the stream caught up')
          server.lagReset = op.behind
          server.dropAll()
          break
        case 'older':
          // not awaited: the page races the stream
          pages.push(story.older(op.limit))
          break
        case 'kill':
          blog.kill(op.cause)
          break
        case 'standIn':
          blog.standIn(op.pick, op.kind, op.cause)
          break
        case 'releaseStandIn':
          blog.releaseStandIn(op.pick)
          break
        case 'decide':
          blog.decide(op.pick, op.at, op.lower, op.hold)
          break
        case 'holdStory':
          if (!blog.storyHeld && !blog.killed) stats.storyHeld++
          blog.holdStory(op.cause)
          break
        case 'releaseStory':
          if (blog.storyHeld && !blog.killed) stats.storyReleased++
          blog.releaseStory()
          break
      }
      // let some frames through between operations, as a real reader would
      await new Promise((resolve) => setImmediate(resolve))
    }
    await Promise.all(pages)
    await waitFor(() => client.position === head(), 'the stream caught up', 10_000)
    // a killed or held story holds nothing, whatever the fake still has
    const shown = blog.killed || blog.storyHeld ? [] : blog.entries.filter((e) => e.shown)
    const want = shown.map((e) => `${e.entry.id}@${e.entry.version}`)
    // running again, the story's newest page is asked for: let it land (the assertion below says what is missing)
    await waitFor(() => story.entries.length >= Math.min(want.length, 100), 'the newest page', 2_000).catch(() => {})
    while (story.hasOlder) await story.older(5)
    assert.deepEqual(wrong, [])
    assert.equal(story.gone?.cause ?? null, blog.killed ?? blog.storyHeld)
    assert.deepEqual(
      story.entries.map((e) => `${e.id}@${e.version}`),
      want,
    )
    assert.deepEqual(
      story.pinned.map((e) => e.id),
      shown.filter((e) => e.entry.pinned).map((e) => e.entry.id),
    )
  } finally {
    for (const fn of cleanups.reverse()) await fn()
  }
}

test('followStory holds exactly the visible entries, each announced once, whatever the drops and pages', {
  timeout: 300_000,
}, async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(opArb, { minLength: 1, maxLength: 40 }),
      fc.constantFrom('websocket' as const, 'sse' as const),
      fc.integer({ min: 1, max: 6 }),
      killArb,
      // a filter of a few entries: runs reach its bound
      fc.constantFrom(50_000, 2, 4),
      storyHoldArb,
      (ops, transport, size, kill, capacity, hold) => run(withKill(withStoryHold(ops, hold), kill), transport, size, capacity),
    ),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 20), includeErrorInReport: true, ...MODEL_REPLAY },
  )
  t.diagnostic(`the story held ${stats.storyHeld} times, running again ${stats.storyReleased}`)
  if (!process.env.NEWSWIRE_MODEL_SEED) assert.ok(stats.storyReleased > 0, 'no run held the story and ran it again')
})

// red18's run, as the property shrank it with the fix undone: a late embargo stands in, is
// released to the public as an entry (a guess), and the writer's next record, numbered below it,
// holds the entry back; its withdrawal was dropped as stale and the entry stayed on the page
test('a known run (red18): a released stand-in, then a hold numbered below it', async () => {
  await run(
    [
      { op: 'standIn', pick: 0, kind: 'late', cause: 'embargoed' },
      { op: 'releaseStandIn', pick: 0 },
      { op: 'decide', pick: 0, at: 'lower', lower: 145738905, hold: true },
    ],
    'websocket',
    1,
  )
})

// red24b's run, as the property shrank it with the fix undone: a filter of two marks, an entry
// deleted, then the reconnect lands on a process behind the deletion: the story's other entries
// had pushed the deletion out of the filter, and the reset brought the deleted entry back
test('a known run (red24b): a filter of two, a deletion, a reset from a process behind it', async () => {
  await run(
    [
      { op: 'delete', pick: 864189659 },
      { op: 'lagDrop', behind: 4 },
      { op: 'edit', pick: 0, pin: false },
      { op: 'decide', pick: 0, at: 'same', lower: 0, hold: true },
    ],
    'websocket',
    1,
    2,
  )
})

// A run that once failed (CI, stop 56): an entry's stand-in, the story held, a replay of the stand-in
// after the hold (the filter had forgotten the story's entries, and the hold again was a duplicate),
// then the writer's record at the guess number while held: the newest page on running again did not
// bring the entry back. A server's replay reaches no further back than the story's hold (replayFloor;
// the client README's Known limits): the entry must be shown once the story runs again.
test('a known run: a stand-in, the story held, a drop, the writer’s record while held', async () => {
  await run(
    [
      { op: 'standIn', pick: 0, kind: 'unreadable', cause: 'withheld' },
      { op: 'holdStory', cause: 'withheld' },
      { op: 'drop', overlap: 2 },
      { op: 'decide', pick: 0, at: 'same', lower: 0, hold: false },
      { op: 'releaseStory' },
    ],
    'websocket',
    1,
  )
})
