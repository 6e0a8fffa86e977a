// A public reader of `story:<id>` as the SDK keeps it (services/client followStory over its
// duplicate filters, dedupe.ts and entry-dedupe.ts): the story's newest version, its entries at
// their newest version, where older entries page from, a kill final; its position carries over
// connections. Every message and page item it takes is checked first (S) against what the public
// may see by what a process could hold then (story-log.ts): two-processes-story-model.test.ts.
import assert from 'node:assert/strict'
import type { Conn } from '../../src/model.ts'
import { peekPosition } from '../../src/position.ts'
import type { FakeTransport, Message } from './harness.ts'
import { everyVersion } from './story-log.ts'
import type { PublicView, StoryLog, Viewer } from './story-log.ts'

type Msg = Message & Record<string, unknown>
/** A story version as a message or snapshot item carries it. */
type Sent = { eventId: string; type: string; article: { id: string; version: number; pubStatus: string } }
/** An entry as a message, snapshot or page carries it. */
export type SentEntry = { id: string; seq: number; version: number; pinned: boolean }

const isKill = (cause: unknown) => cause === 'withdrawn' || cause === 'canceled'
/** An `entryWithdrawn`'s words when they are not the newsroom's (story-messages.ts). */
const DEFAULT_REASON: Record<string, string> = { deleted: 'deleted', withheld: 'withheld', embargoed: 'under embargo again' }

export class StoryReader {
  readonly story: string
  /** The story's version it shows; null: none (not yet, or gone). */
  shows: number | null = null
  /** entry id → what it shows. */
  readonly entries = new Map<string, SentEntry>()
  /** Where older entries page from (a seq); null: none left; undefined: below the lowest held (followStory `before`). */
  before: number | null | undefined = null
  killed = false
  /** The story came back on a bare `event`: followStory asks for the newest page (refill). */
  refill = false
  position: string | null = null
  /** How its SDK catches up on a resume (`catchUp`): every version, or only the latest of each. */
  catchUp: 'all' | 'latest' = 'all'
  /** It reads /v1/sse as a browser's EventSource does, and resumes with Last-Event-ID: the last `id:` line it read (red26a). */
  sse = false
  lastEventId: string | null = null
  /** Who reads (story-commands.ts READER_KINDS: its token and filter); `inView`: what it may see through them. */
  who = 0
  inView: Viewer = everyVersion
  /**
   * Its connection; `floor`: the story's records the process had read when it sent its last
   * snapshot there (the snapshot is its state then, and a process only reads on: nothing it sends
   * afterwards is judged by less, not even a record of the log its live loop had not got to). Its
   * transport stamps each message with the server time it was framed at (`serverTime`: the latest
   * clock of any process then, skew included), which what it is sent is judged by.
   */
  on: { proc: number; conn: Conn; t: FakeTransport; read: number; floor: number } | null = null
  /**
   * Checks each message against what its sender knew was erased (support/story-erasure.ts), given
   * what the process had read when it framed it; set on each connection.
   */
  onMessage: ((m: Message, readTo: readonly number[] | undefined, why: string) => void) | null = null
  /** What it was sent, in short, for a failure's message. */
  readonly got: string[] = []
  /** Its subscription on this connection resumed from a position and was not reset since (the server's `inherited`). */
  #inherited = false
  #eventIds = new Set<string>()
  #storyMark: { version: number; withdrawn: string | null; withdrawnAt: number; key?: string } | null = null
  readonly #marks = new Map<string, { version: number; withdrawn: string | null }>()
  readonly #log: StoryLog
  readonly #partition: number

  constructor(story: string, log: StoryLog, partition: number) {
    this.story = story
    this.#log = log
    this.#partition = partition
  }

  /** The story's records a process that answered at `position` holds at least. */
  #minK(position: string): number {
    return this.#log.prefixAt(this.story, peekPosition(position).o[this.#partition] ?? 0)
  }

  /**
   * S for a version sent live or replayed at time t: public once, and the story or entry public by
   * what its sender held (at or past the message's position and its last snapshot).
   */
  #checkVersion(entryId: string | null, version: number, t: number, minK: number, why: string): void {
    const what = `${this.story}${entryId === null ? '' : `/${entryId}`} v${version}`
    assert.ok(
      this.#log.wasPublic(this.story, entryId, version, t, this.inView),
      `S. ${what} was never public, and reached a public reader at ${t}: ${why} (${this.got.join(' ')})`,
    )
    const now = ([, v]: [number, PublicView]) => (entryId === null ? v.story !== null : v.entries.has(entryId))
    assert.ok(
      [...this.#log.views(this.story, t, minK, this.inView)].some(now),
      `S. ${what} reached a public reader at ${t}, not public then by anything its sender held (${minK} records or more): ${why} (${this.got.join(' ')})`,
    )
  }

  /**
   * S for a state (a snapshot, a page): all of it public together by one prefix its sender may hold
   * at time t (`minK` records or more).
   */
  static checkState(
    log: StoryLog,
    story: string,
    minK: number,
    items: { story: number | null; entries: SentEntry[] },
    t: number,
    why: string,
    inView = everyVersion,
  ) {
    const fits = ([, v]: [number, PublicView]) =>
      (items.story === null || v.story === items.story) && items.entries.every((e) => v.entries.get(e.id)?.version === e.version)
    const what = `${items.story === null ? '' : `v${items.story} `}[${items.entries.map((e) => `${e.id}@${e.version}`)}]`
    assert.ok(
      [...log.views(story, t, minK, inView)].some(fits),
      `S. ${what} of ${story} reached a public reader at ${t}, not public together by anything its sender held: ${why}`,
    )
  }

  /** The messages it was sent since the last call, in order, each checked (S) then taken. */
  consume(why: string): void {
    if (!this.on) return
    const ms = this.on.t.messages as Msg[]
    for (; this.on.read < ms.length; this.on.read++) {
      const m = ms[this.on.read] as Msg
      // when the message was framed, which is when what it says was decided (a slow socket writes it later)
      const t = this.on.t.framedAt[this.on.read] as number
      const position = typeof m.position === 'string' ? m.position : null
      if (position !== null) this.position = position
      if (this.on.t.kind === 'sse') {
        // an EventSource resumes from the last `id:` it read: each message's is the position it carries (README /v1/sse)
        const id: string | null = this.on.t.ids[this.on.read] ?? null
        assert.equal(id, position, `SSE: the id line of a ${m.type} is not its position: ${why} (${this.got.join(' ')})`)
        if (id !== null) this.lastEventId = id
      }
      const w = `${why}, message ${this.on.read} on process ${this.on.proc}`
      this.onMessage?.(m, this.on.t.readTo[this.on.read], `${w} (${this.got.join(' ')})`)
      if (m.type === 'subscribed') this.#inherited = (m.replay ?? 'none') !== 'none'
      if (m.type === 'reset') this.#inherited = false
      if (m.type === 'reset' || (m.type === 'subscribed' && (m.replay ?? 'none') === 'none')) {
        const item = ((m.snapshot ?? []) as Sent[]).find((s) => s.article.id === this.story)
        const entries = (m.entries ?? []) as SentEntry[]
        this.got.push(`${this.on.proc}:${m.type}:${item ? `v${item.article.version}` : '-'}[${entries.map((e) => `${e.id}@${e.version}`)}]`)
        const minK = Math.max(this.on.floor, this.#minK(position as string))
        const items = { story: item?.article.version ?? null, entries }
        StoryReader.checkState(this.#log, this.story, minK, items, t, `${w} (${this.got.join(' ')})`, this.inView)
        const read = this.on.t.readTo[this.on.read]?.[this.#partition]
        if (read !== undefined) this.on.floor = Math.max(this.on.floor, this.#log.prefixAt(this.story, read))
        this.#fresh(m.type === 'reset', item, entries, (m.entriesMore ?? null) as number | null)
      } else if (m.type === 'event') {
        const e = m.event as Sent
        this.got.push(`${this.on.proc}:event:v${e.article.version}${m.released ? 'r' : ''}`)
        this.#checkVersion(null, e.article.version, t, Math.max(this.on.floor, this.#minK(position as string)), w)
        this.#event(e, m.released === true, true)
      } else if (m.type === 'withdrawn') {
        this.got.push(`${this.on.proc}:withdrawn:v${String(m.version)}:${String(m.cause)}`)
        this.#withdrawn(m.version as number, m.cause as string)
      } else if (m.type === 'entry') {
        const e = m.entry as SentEntry
        this.got.push(`${this.on.proc}:entry:${e.id}@${e.version}${m.released ? 'r' : ''}`)
        this.#checkVersion(e.id, e.version, t, Math.max(this.on.floor, this.#minK(position as string)), w)
        this.#entry(e)
      } else if (m.type === 'entryWithdrawn') {
        this.got.push(`${this.on.proc}:entryWithdrawn:${String(m.entryId)}@${String(m.version)}:${String(m.cause)}`)
        // its id and the newsroom's reason: only to a reader who may have been shown the entry; an
        // estimate (a resumed subscription: some instance, its clock within the race allowance
        // ahead, may have shown it) in default words, an id and never content (README, red16) (red25a)
        const guessed = this.#inherited && m.reason === DEFAULT_REASON[m.cause as string]
        assert.ok(
          guessed || this.#log.everPublic(this.story, m.entryId as string, t, this.inView),
          `S. entryWithdrawn of ${String(m.entryId)} (${String(m.reason)}), never public in the reader's view by ${t}: ${w} (${this.got.join(' ')})`,
        )
        this.#entryWithdrawn(m.entryId as string, m.version as number, m.cause as string)
      } else this.got.push(`${this.on.proc}:${m.type}:${String(m.replay ?? m.code ?? m.reason ?? '')}`)
    }
  }

  /** A page's entries (GET /v1/stories/<id>/entries), taken as followStory takes them; `cursor`: `next` becomes `before`. */
  takePage(items: SentEntry[], next: number | null, cursor: boolean): void {
    for (const e of items) this.#entry(e)
    if (cursor) this.before = next
  }

  /** followStory `hasOlder`, and where `older()` asks from (null: the newest page). */
  older(): { before: number | null } | null {
    if (this.before === null || this.killed || this.shows === null) return null
    if (this.before !== undefined) return { before: this.before }
    const seqs = [...this.entries.values()].map((e) => e.seq)
    return { before: seqs.length === 0 ? null : Math.min(...seqs) }
  }

  /** A fresh snapshot (a `reset` first forgets every mark but a kill and deletions: final, red14). */
  #fresh(reset: boolean, item: Sent | undefined, entries: SentEntry[], more: number | null): void {
    if (reset) {
      this.#eventIds.clear()
      if (!isKill(this.#storyMark?.withdrawn)) this.#storyMark = null
      this.#forgetEntries()
    }
    this.entries.clear()
    this.refill = false
    if (item) this.#event(item, false, false)
    if (!item) {
      this.shows = null
      this.before = null
      return
    }
    for (const e of entries) this.#entry(e)
    this.before = more
  }

  /** dedupe.ts acceptEvent, then followArticle/followStory `update`; `live`: not a snapshot's. */
  #event(e: Sent, released: boolean, live: boolean): void {
    const key = released ? `${e.eventId}\u0000released` : e.eventId
    const mark = this.#storyMark
    const v = e.article.version
    if (this.#eventIds.has(key)) return
    if (mark && (isKill(mark.withdrawn) || v < mark.version || v < mark.withdrawnAt || v === mark.version)) return
    this.#eventIds.add(key)
    this.#storyMark = { version: Math.max(v, mark?.version ?? 0), withdrawn: null, withdrawnAt: mark?.withdrawnAt ?? 0, key }
    // the newsroom gets a killed story as a version of it: its entries go with it, for good
    if (e.article.pubStatus === 'canceled' || e.type === 'WITHDRAWN') {
      this.killed = true
      this.entries.clear()
      this.before = null
      this.refill = false
      this.shows = v
      return
    }
    // back after a hold on a bare event (no reset): the newest page, its `next` the cursor
    if (live && this.shows === null && !this.killed) this.refill = true
    this.shows = v
  }

  /** dedupe.ts acceptWithdrawn, then followStory `gone`: the story and every entry go. */
  #withdrawn(version: number, cause: string): void {
    const mark = this.#storyMark
    if (mark?.withdrawn && (isKill(mark.withdrawn) || (cause === mark.withdrawn && version <= mark.withdrawnAt))) return
    // decided on a version older than one delivered (a page ahead; a stand-in's guess too, stop 56):
    // that one may come again (red18)
    const older = mark !== null && version < mark.version
    if (older && mark.key !== undefined) this.#eventIds.delete(mark.key)
    this.#storyMark = {
      version: older ? version : (mark?.version ?? 0),
      withdrawn: cause,
      withdrawnAt: Math.max(version, mark?.withdrawnAt ?? 0),
    }
    this.#forgetEntries()
    if (isKill(cause)) this.killed = true
    this.shows = null
    this.entries.clear()
    this.before = null
    this.refill = false
  }

  /** entry-dedupe.ts acceptEntry, then followStory `take` (nothing after a kill) and StoryEntries `upsert`. */
  #entry(e: SentEntry): void {
    const mark = this.#marks.get(e.id)
    if (mark && (e.version < mark.version || mark.withdrawn === 'deleted')) return
    if (mark && e.version === mark.version && mark.withdrawn !== 'embargoed') return
    this.#marks.set(e.id, { version: e.version, withdrawn: null })
    if (this.killed) return
    const had = this.entries.get(e.id)
    if (!had || had.version < e.version) this.entries.set(e.id, { id: e.id, seq: e.seq, version: e.version, pinned: e.pinned })
  }

  /** entry-dedupe.ts clear(): every entry's mark but deletions. */
  #forgetEntries(): void {
    for (const [id, m] of this.#marks) if (m.withdrawn !== 'deleted') this.#marks.delete(id)
  }

  /** entry-dedupe.ts acceptWithdrawn, then followStory `entryRemoved`. */
  #entryWithdrawn(id: string, version: number, cause: string): void {
    const mark = this.#marks.get(id)
    if (mark?.withdrawn === 'deleted') return
    if (cause !== 'deleted' && mark && (mark.withdrawn ? mark.version >= version : mark.version > version)) return
    this.#marks.set(id, { version: Math.max(version, mark?.version ?? 0), withdrawn: cause })
    this.entries.delete(id)
  }
}
