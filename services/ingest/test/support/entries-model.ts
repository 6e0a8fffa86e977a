// Reference model of the write rules for the entries of live stories (issue 17), for the property
// tests: which key may do what, how each field of an entry update is treated, which versions and
// seqs the events carry, what an Idempotency-Key retry answers. Written from
// services/ingest/README.md "Live stories", not from the implementation.
import fc from 'fast-check'
import { badRevision, embargoes, keyNames, keys, revisionOf } from './editorial-model.ts'
import type { KeyName, RevisionSpec, Status, Via } from './editorial-model.ts'

export { apiKeysEnv, keys } from './editorial-model.ts'

/** Story 0 starts live, story 1 starts as an ordinary article, story 2 never exists. */
export const STORIES = [0, 1, 2] as const
export type StoryNo = (typeof STORIES)[number]
export type EntryNo = 0 | 1 | 2

export type EntryOp =
  | {
      kind: 'put'
      key: KeyName
      story: StoryNo
      entry: EntryNo
      text: 0 | 1
      pinned: boolean
      keyEvent: boolean
      pubStatus: Status | 'canceled' | null | undefined
      embargoedUntil: string | null | undefined
      revision: RevisionSpec
      correction: 0 | 1 | undefined
      idem: boolean
      /** Alone, or as the one line of an NDJSON batch, which must decide it the same way (red12b). */
      via: Via
    }
  | {
      kind: 'patch'
      key: KeyName
      story: StoryNo
      entry: EntryNo
      text: 0 | 1 | undefined
      pinned: boolean | undefined
      pubStatus: Status | 'canceled' | null | undefined
      embargoedUntil: string | null | undefined
      correction: 0 | 1 | undefined
      idem: boolean
    }
  | { kind: 'delete'; key: KeyName; story: StoryNo; entry: EntryNo; idem: boolean }
  | { kind: 'live'; story: StoryNo; live: boolean }
  | { kind: 'kill'; story: StoryNo }
  /** Legal removal of the story: its kill, and every entry key tombstoned, readable here or not (red12b). */
  | { kind: 'erase'; story: StoryNo }
  /** The last request sent with an Idempotency-Key, sent again as it was. */
  | { kind: 'retry' }

export const headlineOf = (text: 0 | 1): string | null => (text === 0 ? null : 'Key moment')
export const bodyOf = (text: 0 | 1): string[] => (text === 0 ? ['Entry text zero.'] : ['Entry text one.', 'Second paragraph.'])
export const noteOf = (n: 0 | 1): string => (n === 0 ? 'Corrected the time.' : 'Corrected the name.')

const has = (k: KeyName, scope: string): boolean => (keys[k].scopes as readonly string[]).includes(scope)

function keyFor(scope: string): fc.Arbitrary<KeyName> {
  const allowed = keyNames.filter((k) => has(k, scope))
  return fc.oneof({ arbitrary: fc.constantFrom(...allowed), weight: 4 }, { arbitrary: fc.constantFrom(...keyNames), weight: 1 })
}

export const entryOpArb: fc.Arbitrary<EntryOp> = (() => {
  const story = fc.constantFrom<StoryNo>(0, 0, 0, 0, 0, 1, 1, 2)
  // Few entries and mostly omitted controls: updates that leave a hold or an embargo out are the point
  const entry = fc.constantFrom<EntryNo>(0, 0, 0, 0, 1, 1, 2)
  const status = fc.constantFrom<Status | 'canceled' | null | undefined>(
    undefined,
    undefined,
    undefined,
    undefined,
    null,
    'usable',
    'withheld',
    'withheld',
    'canceled',
  )
  const embargoOrNot = fc.constantFrom<string | null | undefined>(undefined, undefined, undefined, null, ...embargoes)
  const note = fc.constantFrom<0 | 1 | undefined>(undefined, undefined, undefined, undefined, 0, 1)
  const text = fc.constantFrom<0 | 1>(0, 1)
  const put = fc.record({
    kind: fc.constant('put' as const),
    key: keyFor('write'),
    story,
    entry,
    text,
    pinned: fc.boolean(),
    keyEvent: fc.boolean(),
    pubStatus: status,
    embargoedUntil: embargoOrNot,
    revision: fc.oneof(
      { arbitrary: fc.constant<RevisionSpec>('none'), weight: 12 },
      { arbitrary: fc.constantFrom<RevisionSpec>('stale', 'same', 'next', 'jump', 'max', 'absurd', 'spelled', 'rounded'), weight: 3 },
    ),
    correction: note,
    idem: fc.boolean(),
    via: fc.constantFrom<Via>('single', 'single', 'batch'),
  })
  const patch = fc.record({
    kind: fc.constant('patch' as const),
    key: keyFor('write'),
    story,
    entry,
    text: fc.option(text, { nil: undefined }),
    pinned: fc.option(fc.boolean(), { nil: undefined }),
    pubStatus: fc.option(status, { freq: 8, nil: null }),
    embargoedUntil: embargoOrNot,
    correction: note,
    idem: fc.boolean(),
  })
  const del = fc.record({ kind: fc.constant('delete' as const), key: keyFor('withdraw'), story, entry, idem: fc.boolean() })
  const live = fc.record({ kind: fc.constant('live' as const), story, live: fc.constantFrom(true, true, false) })
  const kill = fc.record({ kind: fc.constant('kill' as const), story })
  const erase = fc.record({ kind: fc.constant('erase' as const), story })
  return fc.oneof(
    { arbitrary: put, weight: 12 },
    { arbitrary: patch, weight: 8 },
    { arbitrary: del, weight: 3 },
    { arbitrary: live, weight: 2 },
    { arbitrary: fc.constant({ kind: 'retry' as const }), weight: 4 },
    { arbitrary: kill, weight: 1 },
    { arbitrary: erase, weight: 1 },
  )
})()

/** Sequences long enough for an entry to be created, held, corrected, retried and deleted in one run. */
export const entrySequenceArb = (maxLength: number): fc.Arbitrary<EntryOp[]> =>
  fc.array(entryOpArb, { minLength: 1, maxLength, size: 'max' })

export interface ModelEntry {
  version: number
  seq: number
  text: 0 | 1
  pinned: boolean
  keyEvent: boolean
  pubStatus: Status | 'canceled'
  embargoedUntil: string | null
  corrections: string[]
  /** Known to this instance only by its tombstone (no record of it read before): not listed, its seq counted. */
  erased?: true
  /** Killed by a tombstone over what was held: listed, deleted, without its content (README: an erasure). */
  wiped?: true
}

export interface ModelStory {
  live: boolean
  killed: boolean
  entries: Map<EntryNo, ModelEntry>
  /** Seqs given out so far. */
  seqs: number
  /**
   * Keys of the story in news.articles whose latest record this instance cannot decode ('story':
   * the story's own), each with the version of it the instance last read (null: none). Written by
   * the newer instance of entries-newer.ts; always empty on the Kafka path.
   */
  unreadable: Map<'story' | EntryNo, number | null>
  /** While the story's own record is unreadable: `live` as the instance last read it (a tombstone kills that). */
  heldLive?: boolean
}

/** An event the model expects in news.article-events for one entry. */
export interface ModelEntryEvent {
  type: 'ENTRY_CREATED' | 'ENTRY_UPDATED' | 'ENTRY_DELETED'
  version: number
  seq: number
  pubStatus: Status | 'canceled'
  embargoedUntil: string | null
  correction: string | null
}

export interface Expected {
  status: number
  code?: string
  /** The entry event the request publishes (entry ops only). */
  event?: ModelEntryEvent
  /** An answer that writes nothing: `unchanged: true` (entry ops) or any 200 (story ops). */
  unchanged?: boolean
}

export function newStories(): Map<StoryNo, ModelStory> {
  return new Map<StoryNo, ModelStory>([
    [0, { live: true, killed: false, entries: new Map(), seqs: 0, unreadable: new Map() }],
    [1, { live: false, killed: false, entries: new Map(), seqs: 0, unreadable: new Map() }],
  ])
}

function sameEntry(a: Omit<ModelEntry, 'version' | 'seq'>, b: Omit<ModelEntry, 'version' | 'seq'>): boolean {
  return (
    a.text === b.text &&
    a.pinned === b.pinned &&
    a.keyEvent === b.keyEvent &&
    a.pubStatus === b.pubStatus &&
    a.embargoedUntil === b.embargoedUntil &&
    a.corrections.join('\n') === b.corrections.join('\n')
  )
}

/**
 * What a tombstone of an entry's key leaves (README): what this instance held of it killed, its
 * next version over the one it last read, without its text; an entry it never read is erased
 * with nothing known of it (not listed, its seq counted). Its unreadability ends.
 */
export function tombstoneEntry(story: ModelStory, target: EntryNo): void {
  const current = story.entries.get(target)
  if (current === undefined) return
  const held = story.unreadable.has(target) ? story.unreadable.get(target) : current.version
  story.unreadable.delete(target)
  if (held === null || held === undefined) story.entries.set(target, { ...current, pubStatus: 'canceled', erased: true })
  // held and killed already: it stays as it is, without its text
  else if (held === current.version && current.pubStatus === 'canceled') story.entries.set(target, { ...current, wiped: true })
  else story.entries.set(target, { ...current, version: held + 1, pubStatus: 'canceled', wiped: true })
}

/**
 * The list after a correction note: a note equal to the latest adds nothing to an update that
 * changes nothing else (a retry); with another change it is a second correction (red12b).
 */
function corrected(list: string[], note: 0 | 1 | undefined, changesOtherwise: boolean): { list: string[]; added: string | null } {
  if (note === undefined || (!changesOtherwise && list.at(-1) === noteOf(note))) return { list, added: null }
  return { list: [...list, noteOf(note)], added: noteOf(note) }
}

/** The revision a put sends, as the driver computes it against the model's stored version. */
export function entryRevision(stories: Map<StoryNo, ModelStory>, op: EntryOp): number | undefined {
  if (op.kind !== 'put') return undefined
  return revisionOf(op.revision, stories.get(op.story)?.entries.get(op.entry)?.version ?? 0)
}

/**
 * Applies `op` (when accepted) and returns what ingest must answer. `revision` is what a put sends
 * (entryRevision when it was sent, the same number again for a retry). `retry` is the caller's.
 */
export function stepEntry(
  stories: Map<StoryNo, ModelStory>,
  op: Exclude<EntryOp, { kind: 'retry' }>,
  revision: number | undefined,
): Expected {
  const story = stories.get(op.story)
  const refuse = (status: number, code: string): Expected => ({ status, code })
  // README "What a 503 means": nothing is decided over a state this instance cannot read
  const notReady = refuse(503, 'not_ready')
  if (op.kind === 'live') {
    if (story === undefined) return refuse(404, 'not_found')
    if (story.unreadable.has('story')) return notReady
    if (story.killed) return refuse(409, 'conflict')
    const changed = story.live !== op.live
    story.live = op.live
    return { status: 200, unchanged: !changed }
  }
  if (op.kind === 'kill') {
    if (story === undefined) return refuse(404, 'not_found')
    if (story.unreadable.has('story')) return notReady
    story.killed = true
    return { status: 200 }
  }
  if (op.kind === 'erase') {
    if (story === undefined) return refuse(404, 'not_found')
    if (story.unreadable.has('story')) return notReady
    story.killed = true
    // every entry key tombstoned, one this instance cannot read too (README "What a 503 means")
    for (const n of story.entries.keys()) tombstoneEntry(story, n)
    return { status: 200 }
  }
  const scope = op.kind === 'delete' ? 'withdraw' : 'write'
  if (op.key === 'forged') return refuse(401, 'unauthorized')
  if (!has(op.key, scope)) return refuse(403, 'forbidden')
  if (op.kind === 'patch' && op.pubStatus === null) return refuse(422, 'validation_failed')
  if (op.kind === 'put' && (op.pubStatus === 'canceled' || badRevision(op.revision, revision))) {
    return refuse(422, 'validation_failed')
  }
  // the story, or this entry, unreadable: refused before anything is decided (a killed story too)
  if (story?.unreadable.has('story') || story?.unreadable.has(op.entry)) return notReady
  if (story === undefined || story.killed) return refuse(404, 'not_found')
  const current = story.entries.get(op.entry)
  const commit = (type: ModelEntryEvent['type'], next: ModelEntry, correction: string | null): Expected => {
    story.entries.set(op.entry, next)
    const { version, seq, pubStatus, embargoedUntil } = next
    return { status: type === 'ENTRY_CREATED' ? 201 : 200, event: { type, version, seq, pubStatus, embargoedUntil, correction } }
  }
  if (op.kind === 'delete') {
    if (current === undefined) return refuse(404, 'not_found')
    if (current.pubStatus === 'canceled') return { status: 200, unchanged: true }
    return commit('ENTRY_DELETED', { ...current, version: current.version + 1, pubStatus: 'canceled' }, null)
  }
  if (op.kind === 'patch') {
    if (current === undefined) return refuse(404, 'not_found')
    if (current.pubStatus === 'canceled') return refuse(409, 'conflict')
    if (op.pubStatus === 'canceled') return refuse(422, 'validation_failed')
    const base = {
      ...current,
      text: op.text ?? current.text,
      pinned: op.pinned ?? current.pinned,
      // Only the members the patch names change; null lifts an embargo
      pubStatus: op.pubStatus ?? current.pubStatus,
      embargoedUntil: op.embargoedUntil === undefined ? current.embargoedUntil : op.embargoedUntil,
    }
    const notes = corrected(current.corrections, op.correction, !sameEntry(current, base))
    const next = { ...base, corrections: notes.list }
    if (sameEntry(current, next)) return { status: 200, unchanged: true }
    return commit('ENTRY_UPDATED', { ...next, version: current.version + 1 }, notes.added)
  }
  if (current === undefined) {
    if (!story.live) return refuse(409, 'conflict')
    if (op.correction !== undefined) return refuse(422, 'validation_failed')
    // an entry of the story it cannot read may hold the next seq
    if (story.unreadable.size > 0) return notReady
    story.seqs++
    const created: ModelEntry = {
      version: revision ?? 1,
      seq: story.seqs,
      text: op.text,
      pinned: op.pinned,
      keyEvent: op.keyEvent,
      pubStatus: op.pubStatus ?? 'usable',
      embargoedUntil: op.embargoedUntil ?? null,
      corrections: [],
    }
    return commit('ENTRY_CREATED', created, null)
  }
  if (current.pubStatus === 'canceled') return refuse(409, 'conflict')
  const base = {
    ...current,
    text: op.text,
    pinned: op.pinned,
    keyEvent: op.keyEvent,
    // Editorial controls: omitted (or a null status) keeps; explicit values replace
    pubStatus: op.pubStatus ?? current.pubStatus,
    embargoedUntil: op.embargoedUntil === undefined ? current.embargoedUntil : op.embargoedUntil,
  }
  const notes = corrected(current.corrections, op.correction, !sameEntry(current, base))
  const next = { ...base, corrections: notes.list }
  const same = sameEntry(current, next)
  if (revision !== undefined && (revision < current.version || (revision === current.version && !same))) return refuse(409, 'conflict')
  if (same) return { status: 200, unchanged: true }
  return commit('ENTRY_UPDATED', { ...next, version: revision ?? current.version + 1 }, notes.added)
}
