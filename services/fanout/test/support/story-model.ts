// The live-story part of the model-based test (confidentiality.test.ts): entry commands (create,
// edit, correct, pin, delete, withhold, embargo) and what a client of a `story:<id>` channel holds
// of the entries, as the SDK keeps it (newest version per entry, dropped with the story), checked
// against the reference model (model.ts) after every step:
//   E1. nothing of an entry reaches a client that its clearance could not see at some moment,
//       through a story it shows; `embargoed` only to the newsroom;
//   E2. deletions, holds and kills reach everyone who saw the entry: what a client holds of the
//       entries is always the model's visible version of each; once it has paged to the end,
//       exactly the model's visible entries, flagged embargoed exactly where the model says;
//   E3. paging + live never duplicate or skip: a page holds only unpinned entries below where it
//       was asked to start, never a version the snapshot held, and no live `entry` repeats a
//       version a snapshot or page gave (pages carry the stream's position, `at`, as the SDK's do);
//       with E2 after paging to the end, nothing is skipped.
import assert from 'node:assert/strict'
import type { Article, EntryEvent, StoryEntry } from '@newswire/shared'
import fc from 'fast-check'
import type { Admission } from '../../src/http/access.ts'
import { answerEntries } from '../../src/http/entries.ts'
import type { EntriesRouteDeps } from '../../src/http/entries.ts'
import { RequestError } from '../../src/http/snapshot.ts'
import { UNTIL_READABLE } from '../../src/unreadable.ts'
import type { Unreadable } from '../../src/unreadable.ts'
import { entryEvent } from './events.ts'
import type { Message } from './harness.ts'
import type { Clearance, Model, ModelScope } from './model.ts'

export type EntryOp =
  | 'create'
  | 'edit'
  | 'correct'
  | 'pin'
  | 'delete'
  /** A deletion numbered as the version it ends (a writer that is not ingest: red12). */
  | 'delete-repeat'
  | 'withhold'
  /** A hold numbered as the entry's live version (a writer that is not ingest: red12, late-hold.ts). */
  | 'withhold-repeat'
  | 'usable'
  | 'embargo'
  | 'unreadable'
  | 'unreadable-delete'

export interface EntryCmd {
  k: 'entry'
  story: number
  op: EntryOp
  which: number
  embargo: 'none' | 'soon' | 'later'
  withheld: boolean
  pinned: boolean
}

export const entryCmdArb = (stories: number): fc.Arbitrary<EntryCmd> =>
  fc.record({
    k: fc.constant('entry' as const),
    // mostly the first story, which the story clients mostly follow
    story: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(stories - 1) }),
    op: fc.constantFrom<EntryOp>(
      'create',
      'create',
      'create',
      'create',
      'edit',
      'correct',
      'pin',
      'delete',
      'delete-repeat',
      'withhold',
      'withhold-repeat',
      'usable',
      'embargo',
      'unreadable',
      'unreadable-delete',
    ),
    which: fc.nat(20),
    embargo: fc.constantFrom<'none' | 'soon' | 'later'>('none', 'none', 'soon', 'later'),
    withheld: fc.boolean(),
    pinned: fc.boolean(),
  })

/** The entries each story has, as ingest keeps them (the next seq, the latest version of each). */
export class Newsroom {
  readonly #entries = new Map<string, StoryEntry[]>()
  stats = { entryEvents: 0 }

  /** The entry events a command makes (a creation makes one to four), none when ingest would refuse it (a deleted entry). */
  eventsFor(cmd: EntryCmd, story: Article, now: number): EntryEvent[] {
    if (cmd.op !== 'create') {
      const e = this.#eventFor(cmd, story, now)
      return e ? [e] : []
    }
    const out: EntryEvent[] = []
    for (let n = 0; n <= cmd.which % 4; n++) out.push(this.#eventFor({ ...cmd, pinned: cmd.pinned && n === 0 }, story, now) as EntryEvent)
    return out
  }

  /** The entry's latest version is `entry` after all (the fan-out took the record as old news, or stood in for it). */
  set(storyId: string, entry: StoryEntry): void {
    const list = this.#entries.get(storyId) ?? []
    const i = list.findIndex((x) => x.id === entry.id)
    if (i >= 0) list[i] = entry
  }

  #eventFor(cmd: EntryCmd, story: Article, now: number): EntryEvent | null {
    const list = this.#entries.get(story.id) ?? []
    this.#entries.set(story.id, list)
    const embargoedUntil = cmd.embargo === 'none' ? null : now + (cmd.embargo === 'soon' ? 300 : 5000)
    if (cmd.op === 'create' || list.length === 0) {
      const id = `${story.id}-e${list.length + 1}`
      const e = entryEvent(
        story,
        { id, seq: list.length + 1, version: 1, pinned: cmd.pinned, pubStatus: cmd.withheld ? 'withheld' : 'usable', embargoedUntil },
        now,
      )
      list.push(e.entry)
      this.stats.entryEvents++
      return e
    }
    const prev = list[cmd.which % Math.max(1, list.length)]
    if (!prev || prev.pubStatus === 'canceled') return null
    const next: StoryEntry = { ...prev, version: prev.version + 1, updatedAt: now }
    let extra: Partial<Omit<EntryEvent, 'entry' | 'article'>> = {}
    switch (cmd.op) {
      case 'edit':
        next.body = [`${prev.id} v${next.version}`]
        extra = { changedFields: ['body'] }
        break
      case 'correct': {
        const correction = { note: `correction of ${prev.id}`, at: now }
        next.body = [`${prev.id} v${next.version}`]
        next.corrections = [...prev.corrections, correction]
        extra = { changedFields: ['body', 'corrections'], correction }
        break
      }
      case 'pin':
        next.pinned = !prev.pinned
        extra = { changedFields: ['pinned'] }
        break
      case 'delete':
      case 'delete-repeat':
        next.pubStatus = 'canceled'
        extra = { type: 'ENTRY_DELETED', reason: 'deleted by the desk' }
        break
      case 'withhold':
      case 'withhold-repeat':
        next.pubStatus = 'withheld'
        extra = { changedFields: ['pubStatus'], reason: 'held back' }
        break
      case 'usable':
        next.pubStatus = 'usable'
        next.embargoedUntil = null
        extra = { changedFields: ['pubStatus', 'embargoedUntil'] }
        break
      case 'embargo':
        next.embargoedUntil = embargoedUntil ?? now + 1000
        extra = { changedFields: ['embargoedUntil'] }
        break
      // records nobody will decode (entryStandIn): an edit, or a deletion
      case 'unreadable':
        next.body = [`${prev.id} v${next.version}`]
        extra = { changedFields: ['body'] }
        break
      case 'unreadable-delete':
        next.pubStatus = 'canceled'
        extra = { type: 'ENTRY_DELETED', reason: 'deleted by the desk' }
        break
    }
    list[list.indexOf(prev)] = next
    this.stats.entryEvents++
    return entryEvent(story, next, now, extra)
  }
}

/**
 * The model's rule for an entry record nobody can decode (`e`, as the newsroom wrote it): it fails
 * closed by its headers (unreadable.ts), as the entry's deletion or its hold, the next version of
 * what was known of it, canceled or withheld; no stand-in for an entry the model does not know.
 */
export function entryStandIn(model: Model, e: EntryEvent): { what: Unreadable; stand: EntryEvent | null } {
  const deleted = e.type === 'ENTRY_DELETED'
  const what: Unreadable = { kind: deleted ? 'entryDeleted' : 'entryHold', entryId: e.entry.id }
  const known = model.entries.get(e.article.id)?.get(e.entry.id)?.latest
  if (!known) return { what, stand: null }
  // a hold of an entry under an embargo not passed by the record's time keeps it embargoed until readable (rev36 review)
  const until = known.entry.embargoedUntil
  const embargoedUntil = !deleted && until !== null && until > e.ingestedAt ? UNTIL_READABLE : until
  const entry = {
    ...known.entry,
    version: e.entry.version,
    pubStatus: deleted ? ('canceled' as const) : ('withheld' as const),
    embargoedUntil,
  }
  return { what, stand: { ...e, type: deleted ? 'ENTRY_DELETED' : 'ENTRY_UPDATED', entry } }
}

/** What a story client holds of the entries, carried across reconnects like the SDK does. */
export class StoryClient {
  readonly story: string
  /** entry id → version it shows. */
  entries = new Map<string, number>()
  /** Entries it shows flagged embargoed. */
  flagged = new Set<string>()
  /** Where older entries page from (its last fresh start), null: none left. */
  more: number | null = null
  /** It paged to the end since its last fresh start. */
  complete = false
  /** Versions (`id@version`) the last snapshot held, and those snapshot and pages gave since. */
  snapshot = new Set<string>()
  given = new Set<string>()
  /** Where its first page was asked from (pages hold nothing at or above). */
  firstMore: number | null = null
  /** Its socket was behind: a message may be read after what it was made of changed (red13). */
  late = false
  /** It got a `gap` since its last fresh start: routine entry versions may have been shed. */
  gapped = false

  constructor(story: string) {
    this.story = story
  }

  /** A fresh snapshot (`subscribed` without replay, `reset`). */
  fresh(m: Message, model: Model, c: Clearance, why: string): void {
    const items = (m.entries ?? []) as (StoryEntry & { embargoed?: boolean })[]
    this.entries = new Map()
    this.flagged = new Set()
    this.snapshot = new Set()
    this.given = new Set()
    this.gapped = false
    for (const e of items) {
      // read late (its socket was behind), the snapshot was the state when it was made
      if (this.late) assert.ok(model.entryWasVisible(this.story, e.id, e.version, c), `E1. snapshot entry never visible: ${why}`)
      else assert.equal(model.visibleEntry(this.story, e.id, c)?.version, e.version, `E1. snapshot entry not visible now: ${why}`)
      if (e.embargoed === true) assert.equal(c, 'all', `E1. embargoed flag to ${c}: ${why}`)
      assert.ok(!this.entries.has(e.id), `E3. an entry twice in a snapshot: ${why}`)
      this.#show(e, e.embargoed === true)
      this.snapshot.add(`${e.id}@${e.version}`)
      this.given.add(`${e.id}@${e.version}`)
    }
    assert.ok((m.snapshot as unknown[]).length > 0 || items.length === 0, `E1. entries without their story: ${why}`)
    this.more = (m.entriesMore ?? null) as number | null
    this.firstMore = this.more
    this.complete = this.more === null
  }

  /**
   * A live or replayed `entry`; `shows`: the client shows the story now. `resumed`: since its last
   * fresh start, the subscription resumed from a position: a snapshot is the server's state now and
   * its position the stream's, so a resume from it may replay a version the snapshot held (the
   * client keeps the newest version of each entry, as for articles).
   */
  entry(m: Message, model: Model, c: Clearance, scope: ModelScope, shows: boolean, resumed: boolean, why: string): void {
    const e = m.entry as StoryEntry
    assert.ok(shows, `E1. an entry of a story the client does not show: ${why}`)
    assert.ok(model.entryWasVisible(this.story, e.id, e.version, c, scope), `E1. entry never visible to ${c} in its token scope: ${why}`)
    if (m.embargoed === true) assert.equal(c, 'all', `E1. embargoed flag to ${c}: ${why}`)
    if (!resumed && m.released !== true)
      assert.ok(!this.given.has(`${e.id}@${e.version}`), `E3. a live entry repeats a version given before: ${why}`)
    const had = this.entries.get(e.id)
    if (had === undefined || had <= e.version) this.#show(e, m.embargoed === true)
  }

  withdrawn(m: Message, model: Model, c: Clearance, scope: ModelScope, inherited: boolean, why: string): void {
    const id = m.entryId as string
    const ok = model.entryEverVisible(this.story, id, c, scope) || (inherited && model.entryMaybe(this.story, id))
    assert.ok(ok, `E1. entryWithdrawn of an entry never visible to ${c} in its token scope: ${why}`)
    this.entries.delete(id)
    this.flagged.delete(id)
  }

  /** The story left the client (withdrawn, killed): every entry goes with it. */
  drop(): void {
    this.entries.clear()
    this.flagged.clear()
  }

  /**
   * Older pages as GET /v1/stories/<id>/entries answers them; `filter`: the subscription's, as query
   * parameters; `behind`: the live loop has not matched every record the store read (an ingest step
   * not settled), so a story the store took back may still show until its `withdrawn` comes.
   */
  page(
    deps: EntriesRouteDeps,
    model: Model,
    c: Clearance,
    admission: Admission,
    o: { pages: number; limit: number; filter: URLSearchParams; behind: boolean },
    why: string,
  ): number {
    let n = 0
    const { pages, limit } = o
    for (let p = 0; p < pages && this.more !== null; p++) {
      const before = this.more
      const url = new URL(`http://fanout/v1/stories/${this.story}/entries?before=${before}&limit=${limit}&${o.filter}`)
      let body: { items: (StoryEntry & { embargoed?: boolean })[]; next: number | null }
      try {
        body = JSON.parse(answerEntries(url, admission, deps))
      } catch (err) {
        // the story left the client's view since: its `withdrawn` dropped the entries, or, the live
        // loop behind, will (E2 after the next settle). One process, its stream's: never not_ready
        assert.ok(err instanceof RequestError && err.code === 'not_found', `a page refused: ${String(err)}: ${why}`)
        if (!o.behind) assert.equal(this.entries.size, 0, `E2. a page refused while entries are shown: ${why}`)
        this.more = null
        return n
      }
      assert.ok(body.items.length <= limit, `E3. a page longer than asked: ${why}`)
      for (const e of body.items) {
        assert.equal(model.visibleEntry(this.story, e.id, c)?.version, e.version, `E1. page entry not visible now: ${why}`)
        assert.ok(e.seq < before && !e.pinned, `E3. a page entry at or above before, or pinned: ${why}`)
        // a pinned entry unpinned since may come again in a page, at the version that came live
        assert.ok(!this.snapshot.has(`${e.id}@${e.version}`), `E3. a page repeats a snapshot entry: ${why}`)
        if (e.embargoed === true) assert.equal(c, 'all', `E1. embargoed flag to ${c}: ${why}`)
        const had = this.entries.get(e.id)
        if (had === undefined || had <= e.version) this.#show(e, e.embargoed === true)
        this.given.add(`${e.id}@${e.version}`)
        n++
      }
      this.more = body.next
      if (this.more === null) this.complete = true
    }
    return n
  }

  /** E2, after every step while the client is live and idle; `inView`: the model shows it the story. */
  check(model: Model, c: Clearance, inView: boolean, why: string): void {
    const want = inView ? model.visibleEntries(this.story, c) : new Map<string, number>()
    if (this.gapped) {
      // after a gap, an entry may show an older version, never one it may not see, and an entry the
      // model holds back from running (withheld, under embargo) shows as that very version (red13)
      for (const [id, v] of this.entries) assert.ok(want.has(id), `E2. ${id}@${v} shown, the model hides it (after a gap): ${why}`)
      for (const [id, v] of want) {
        const held = model.entries.get(this.story)?.get(id)?.latest.entry.pubStatus !== 'usable' || !model.entryReleased(this.story, id)
        if (held && this.entries.has(id))
          assert.equal(this.entries.get(id), v, `E2. ${id} shown running, the model holds it (after a gap): ${why}`)
      }
      return
    }
    for (const [id, v] of this.entries) assert.equal(want.get(id), v, `E2. ${id}@${v} shown, the model says ${want.get(id)}: ${why}`)
    if (!this.complete) return
    assert.deepEqual([...this.entries].sort(), [...want].sort(), `E2. entries shown after paging to the end: ${why}`)
    if (c === 'all') {
      const held = [...want.keys()].filter((id) => !model.entryReleased(this.story, id)).sort()
      assert.deepEqual([...this.flagged].sort(), held, `E2. the newsroom's entry embargo flags: ${why}`)
    }
  }

  #show(e: StoryEntry, embargoed: boolean): void {
    this.entries.set(e.id, e.version)
    if (embargoed) this.flagged.add(e.id)
    else this.flagged.delete(e.id)
  }
}
