// A newer ingest instance beside the one under test (a deploy under way), for the entries model
// on the unit path: it writes the stories and entries of a run to news.articles in a schema this
// instance can decode or not, deletes entries, kills stories, and an operator erases keys
// (tombstones). The model of what it writes (newerWrite), the log of news.articles as this
// instance's tail reads it, and what must hold of everything written there (checkLog). Written from
// services/ingest/README.md "What a 503 means", not from the implementation.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { entryStateKey, isEntryEvent } from '@newswire/shared'
import type { Article, NewswireEvent, StoryEntry } from '@newswire/shared'
import type { ArticleState } from '../../src/state.ts'
import { requestOf } from './entries-driver.ts'
import type { Sent } from './entries-driver.ts'
import type { EntryNo, EntryOp, ModelEntry, ModelStory, StoryNo } from './entries-model.ts'
import { bodyOf, entryOpArb, headlineOf, tombstoneEntry } from './entries-model.ts'
import type { InProcessApp } from './in-process-app.ts'

/**
 * One record of the newer instance, or an operator's tombstone. `write`: the next version (of an
 * entry not there yet: its creation, with the story's next seq); `delete`: an entry's deletion or
 * the story's kill; `tombstone`: a null value for the key. `live`: the story's after a write of it.
 * `idem`: an undecodable entry write answered a client's keyed PUT, which the client retries here.
 */
export interface NewerEntryOp {
  kind: 'newer'
  story: StoryNo
  target: 'story' | EntryNo
  action: 'write' | 'delete' | 'tombstone'
  decodable: boolean
  live: boolean
  idem: boolean
}

export const newerEntryOpArb: fc.Arbitrary<NewerEntryOp> = (() => {
  // Few keys, so that an undecodable record is often followed by another of the same key
  const story = fc.constantFrom<StoryNo>(0, 0, 0, 1)
  const ofStory = fc.record({
    kind: fc.constant('newer' as const),
    story,
    target: fc.constant('story' as const),
    action: fc.constantFrom<NewerEntryOp['action']>('write', 'write', 'write', 'write', 'write', 'delete', 'tombstone'),
    decodable: fc.boolean(),
    live: fc.constantFrom(true, true, false),
    idem: fc.constant(false),
  })
  const ofEntry = fc.record({
    kind: fc.constant('newer' as const),
    story,
    target: fc.constantFrom<EntryNo>(0, 0, 0, 1, 2),
    action: fc.constantFrom<NewerEntryOp['action']>('write', 'write', 'write', 'delete', 'tombstone'),
    decodable: fc.boolean(),
    live: fc.constant(true),
    idem: fc.boolean(),
  })
  return fc.oneof({ arbitrary: ofStory, weight: 1 }, { arbitrary: ofEntry, weight: 2 })
})()

/** The entries model's sequences with the newer instance's records among them. */
export const entrySequenceWithNewerArb = (maxLength: number): fc.Arbitrary<(EntryOp | NewerEntryOp)[]> =>
  fc.array(fc.oneof({ arbitrary: entryOpArb, weight: 5 }, { arbitrary: newerEntryOpArb, weight: 2 }), {
    minLength: 1,
    maxLength,
    size: 'max',
  })

/** What the newer instance wrote: the entry's version and seq, or the story's (version from the log). */
export type NewerRecord =
  | { kind: 'tombstone' }
  | { kind: 'story'; deleted: boolean }
  | { kind: 'entry'; entry: ModelEntry; created: boolean; deleted: boolean }

/**
 * Applies the newer instance's `op` to the model; null when it writes nothing. It keeps the rules:
 * nothing over a kill or a deletion, entries only in a live story. Its writes change no content.
 * What this instance reads of it: a decodable record ends the key's unreadability, an undecodable
 * one starts it (remembering the version read last); a tombstone kills what is held (its next
 * version), and ends the unreadability: where nothing was held, the key is erased, nothing known
 * of it but that (not listed; its seq counted, seqs being gapless).
 */
export function newerWrite(stories: Map<StoryNo, ModelStory>, op: NewerEntryOp): NewerRecord | null {
  const story = stories.get(op.story)
  if (story === undefined) return null
  const readable = (before: number | null) => {
    if (op.decodable) story.unreadable.delete(op.target)
    else if (!story.unreadable.has(op.target)) story.unreadable.set(op.target, before)
  }
  if (op.target === 'story') {
    if (op.action === 'tombstone') {
      story.killed = true
      if (story.heldLive !== undefined) story.live = story.heldLive
      story.unreadable.delete('story')
      story.heldLive = undefined
      return { kind: 'tombstone' }
    }
    if (story.killed) return null
    if (!op.decodable && !story.unreadable.has('story')) story.heldLive = story.live
    if (op.decodable) story.heldLive = undefined
    if (op.action === 'delete') story.killed = true
    else story.live = op.live
    readable(null)
    return { kind: 'story', deleted: op.action === 'delete' }
  }
  const current = story.entries.get(op.target)
  if (op.action === 'tombstone') {
    if (current === undefined) return null
    tombstoneEntry(story, op.target)
    return { kind: 'tombstone' }
  }
  if (story.killed || current?.pubStatus === 'canceled') return null
  if (current === undefined) {
    if (op.action === 'delete' || !story.live) return null
    story.seqs++
    const created: ModelEntry = {
      version: 1,
      seq: story.seqs,
      text: 0,
      pinned: false,
      keyEvent: false,
      pubStatus: 'usable',
      embargoedUntil: null,
      corrections: [],
    }
    story.entries.set(op.target, created)
    readable(null)
    return { kind: 'entry', entry: created, created: true, deleted: false }
  }
  const next: ModelEntry = { ...current, version: current.version + 1 }
  if (op.action === 'delete') next.pubStatus = 'canceled'
  story.entries.set(op.target, next)
  readable(current.version)
  return { kind: 'entry', entry: next, created: false, deleted: op.action === 'delete' }
}

/** news.articles as the tail reads it: events (ours and the newer instance's), undecodable records, tombstones. */
export type LogRecord =
  | { kind: 'event'; event: NewswireEvent }
  | { kind: 'unreadable'; key: string; version: number; seq: number | null; deleted: boolean }
  | { kind: 'tombstone'; key: string }

const keyOf = (e: NewswireEvent): string => (isEntryEvent(e) ? entryStateKey(e.article.id, e.entry.id) : e.article.id)

/** How often the cases the newer instance is there for came up (over all runs). */
export const newReached = () => ({ undecodable: 0, readableAfter: 0, tombstoneOverUnreadable: 0, keyedUndecodable: 0 })
export type Reached = ReturnType<typeof newReached>

/** The newer instance of one run, writing into `state` (this instance's) and the run's log. */
export class NewerInstance {
  readonly log: LogRecord[] = []
  /** The clients' keyed requests it committed in records this instance cannot decode. */
  readonly committed: Sent[] = []
  readonly #app: InProcessApp
  readonly #state: ArticleState
  readonly #prefix: string
  readonly #reached: Reached
  #seen: number

  /** `from`: where the run's own writes start in the app's publisher (`written`). */
  constructor(app: InProcessApp, state: ArticleState, prefix: string, from: number, reached: Reached) {
    this.#app = app
    this.#state = state
    this.#prefix = prefix
    this.#seen = from
    this.#reached = reached
  }

  /** Takes this instance's commits since the last call into the log: events, and an erasure's tombstones. */
  sync(): void {
    const written = this.#app.publisher.written
    for (const w of written.slice(this.#seen))
      this.log.push('event' in w ? { kind: 'event', event: w.event } : { kind: 'tombstone', key: w.tombstone })
    this.#seen = written.length
  }

  /** Writes `op` (the model first); returns the client's keyed request to retry here, if it has one. */
  write(stories: Map<StoryNo, ModelStory>, op: NewerEntryOp): Sent | null {
    this.sync()
    const unreadable = stories.get(op.story)?.unreadable.has(op.target) === true
    const written = newerWrite(stories, op)
    if (written === null) return null
    if (unreadable && (written.kind === 'tombstone' || op.decodable))
      this.#reached[written.kind === 'tombstone' ? 'tombstoneOverUnreadable' : 'readableAfter']++
    else if (!op.decodable && written.kind !== 'tombstone') this.#reached.undecodable++
    const storyId = `${this.#prefix}-s${op.story}`
    const key = op.target === 'story' ? storyId : entryStateKey(storyId, `e${op.target}`)
    const eventId = `newer-${this.#prefix}-${this.log.length}`
    if (written.kind === 'tombstone') {
      this.#state.erase(key, eventId, 0)
      this.log.push({ kind: 'tombstone', key })
      return null
    }
    const story = this.#latest(storyId)?.article
    assert.ok(story, `the newer instance writes in a story that exists: ${storyId}`)
    const now = Date.now()
    const envelope = { eventId, occurredAt: now, ingestedAt: now, source: 'newer', traceId: 'newer', changedFields: [], correction: null }
    let event: NewswireEvent
    if (written.kind === 'story') {
      const version = this.#lastVersion(key) + 1
      const live = stories.get(op.story)?.live
      const article: Article = { ...story, version, live, pubStatus: written.deleted ? 'canceled' : story.pubStatus }
      event = {
        ...envelope,
        type: written.deleted ? 'WITHDRAWN' : 'UPDATED',
        reason: written.deleted ? 'newer' : null,
        article,
        entry: null,
      }
    } else {
      const m = written.entry
      const held = this.#latest(key)?.entry
      const entry: StoryEntry = {
        ...(held ?? { id: `e${op.target}`, authors: [], publishedAt: now, corrections: [] }),
        seq: m.seq,
        version: m.version,
        headline: headlineOf(m.text),
        body: bodyOf(m.text),
        pinned: m.pinned,
        keyEvent: m.keyEvent,
        updatedAt: now,
        pubStatus: m.pubStatus,
        embargoedUntil: m.embargoedUntil === null ? null : Date.parse(m.embargoedUntil),
      }
      const type = written.created ? 'ENTRY_CREATED' : written.deleted ? 'ENTRY_DELETED' : 'ENTRY_UPDATED'
      event = { ...envelope, type, reason: written.deleted ? 'newer' : null, article: story, entry }
    }
    if (op.decodable) {
      this.#state.recordOn(key, 0)
      this.#state.apply(event)
      this.#state.readable(key, true)
      this.log.push({ kind: 'event', event })
      return null
    }
    this.#state.recordOn(key, 0)
    this.#state.readable(key, false)
    const [version, seq] = isEntryEvent(event) ? [event.entry.version, event.entry.seq] : [event.article.version, null]
    this.log.push({ kind: 'unreadable', key, version, seq, deleted: written.deleted })
    return op.idem && written.kind === 'entry' ? this.#committedHere(op, written.entry) : null
  }

  /** The client's PUT the undecodable record answered, remembered as the tail remembers it (answers.ts). */
  #committedHere(op: NewerEntryOp, m: ModelEntry): Sent | null {
    if (op.target === 'story' || m.pubStatus === 'canceled') return null
    const put = {
      kind: 'put' as const,
      key: 'cms' as const,
      story: op.story,
      entry: op.target,
      text: m.text,
      pinned: m.pinned,
      keyEvent: m.keyEvent,
      pubStatus: undefined,
      embargoedUntil: undefined,
      revision: 'none' as const,
      correction: undefined,
      idem: true,
      via: 'single' as const,
    }
    const idemKey = `${this.#prefix}-newer${this.log.length}`
    const sent = requestOf(this.#app.url, this.#prefix, put, undefined, idemKey)
    const hash = createHash('sha256')
      .update(`${sent.init.method} ${new URL(sent.url).pathname}\n`)
      .update(sent.init.body)
      .digest('hex')
    this.#app.idempotency.set(`cms:${idemKey}`, { outcome: null, requestHash: hash })
    this.#reached.keyedUndecodable++
    this.committed.push(sent)
    return sent
  }

  /** The latest readable event of `key` in the log (the story's own for a story id). */
  #latest(key: string): NewswireEvent | undefined {
    return this.log.findLast((r): r is { kind: 'event'; event: NewswireEvent } => r.kind === 'event' && keyOf(r.event) === key)?.event
  }

  #lastVersion(key: string): number {
    let v = 0
    for (const r of this.log) {
      if (r.kind === 'event' && keyOf(r.event) === key) v = Math.max(v, r.event.article.version)
      if (r.kind === 'unreadable' && r.key === key) v = Math.max(v, r.version)
    }
    return v
  }
}

/** The state an instance rebuilds from `log`, as its tail reads it. */
export function rebuild(log: readonly LogRecord[], state: ArticleState): ArticleState {
  for (const [i, r] of log.entries()) {
    if (r.kind === 'event') {
      state.recordOn(keyOf(r.event), 0)
      state.apply(r.event)
      state.readable(keyOf(r.event), true)
    } else if (r.kind === 'unreadable') {
      state.recordOn(r.key, 0)
      state.readable(r.key, false)
    } else state.erase(r.key, `tombstone-${i}`, 0)
  }
  return state
}

/**
 * What holds of everything written to news.articles, by both instances: per key, versions strictly
 * grow (no write repeats a version already written, readable or not); nothing follows a deletion
 * or a kill but a tombstone, or an erasure's kill after a kill that kept the content (no entry
 * revived, nothing in a killed story); each entry keeps one
 * seq, and a story's seqs are 1, 2, 3... without a gap or a repeat.
 */
export function checkLog(log: readonly LogRecord[]): void {
  const versions = new Map<string, number>()
  const dead = new Set<string>()
  /** Stories killed with their content, nothing written over them since. */
  const withContent = new Set<string>()
  const seqs = new Map<string, Map<number, string>>()
  for (const r of log) {
    if (r.kind === 'tombstone') {
      dead.add(r.key)
      withContent.delete(r.key)
      continue
    }
    const key = r.kind === 'event' ? keyOf(r.event) : r.key
    const storyId = key.split('/')[0] as string
    const entry = r.kind === 'event' ? (r.event.entry ?? null) : null
    const version = r.kind === 'event' ? (entry?.version ?? r.event.article.version) : r.version
    const seq = entry?.seq ?? (r.kind === 'unreadable' ? r.seq : null)
    const deleted = r.kind === 'event' ? r.event.type === 'WITHDRAWN' || r.event.type === 'ENTRY_DELETED' : r.deleted
    // an erasure's kill (no headline) follows a story's kill that kept the content, once (decideErase, red26a)
    const erasure = r.kind === 'event' && r.event.type === 'WITHDRAWN' && r.event.article.headline === ''
    const again = erasure && withContent.delete(key)
    assert.ok(again || (!dead.has(key) && !dead.has(storyId)), `${key} v${version} written after its deletion or its story's kill`)
    if (r.kind === 'event' && r.event.type === 'WITHDRAWN' && !erasure) withContent.add(key)
    assert.ok(version > (versions.get(key) ?? 0), `${key}: version ${version} written after ${versions.get(key)}`)
    versions.set(key, version)
    if (deleted) dead.add(key)
    if (seq !== null) {
      const inStory = seqs.get(storyId) ?? new Map<number, string>()
      assert.equal(inStory.get(seq) ?? key, key, `${key} took seq ${seq} of ${inStory.get(seq)}`)
      for (const [s, k] of inStory) if (k === key) assert.equal(s, seq, `${key}: seq ${seq} after ${s}`)
      inStory.set(seq, key)
      seqs.set(storyId, inStory)
    }
  }
  for (const [storyId, inStory] of seqs) {
    assert.deepEqual(
      [...inStory.keys()].sort((a, b) => a - b),
      [...inStory.keys()].map((_, i) => i + 1),
      `${storyId}: seqs without gaps`,
    )
  }
}
