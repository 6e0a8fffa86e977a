// Pure rules for the entries of a live story, the twin of decide.ts: (the story, the entry's latest
// version, what the source sends) → created, updated with the changed fields, unchanged, a
// conflict, not found, or invalid. services/ingest/README.md "Live stories" is the contract.
import { entryContentFields } from '@newswire/shared'
import type { Article, Correction, EntryContentField, FieldError, StoryEntry } from '@newswire/shared'
import { addCorrection, nothingToCorrect } from './corrections.ts'
import type { ConflictCode } from './decide.ts'
import type { EntryInput } from './entry-validate.ts'

export type EntryDecision =
  | { kind: 'created'; story: Article; entry: StoryEntry }
  | { kind: 'updated'; story: Article; entry: StoryEntry; changedFields: EntryContentField[]; correction: Correction | null }
  | { kind: 'deleted'; story: Article; entry: StoryEntry }
  | { kind: 'unchanged'; current: StoryEntry }
  | { kind: 'conflict'; code: ConflictCode; message: string; currentVersion: number }
  | { kind: 'not_found'; message: string }
  | { kind: 'invalid'; errors: FieldError[] }

/** What an entry write is decided against: its story, the entry's latest version, the story's next seq. */
export interface EntryContext {
  storyId: string
  story: Article | undefined
  entryId: string
  prev: StoryEntry | undefined
  nextSeq: number
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

export function entryChangedFields(prev: StoryEntry, next: StoryEntry): EntryContentField[] {
  return entryContentFields.filter((f) => !same(prev[f], next[f]))
}

/** An entry lives in a story that exists and was not killed; a kill takes every entry with it. */
function storyOf(c: EntryContext): { ok: true; story: Article } | { ok: false; refused: EntryDecision } {
  if (c.story === undefined) return { ok: false, refused: { kind: 'not_found', message: `no article with id '${c.storyId}'` } }
  if (c.story.pubStatus === 'canceled') {
    const message = `article ${c.storyId} was withdrawn at version ${c.story.version}: its entries went with it and cannot change`
    return { ok: false, refused: { kind: 'not_found', message } }
  }
  return { ok: true, story: c.story }
}

function deletedConflict(prev: StoryEntry, storyId: string): EntryDecision {
  return {
    kind: 'conflict',
    code: 'entry_deleted',
    message: `entry ${prev.id} of ${storyId} was deleted at version ${prev.version}; a deleted entry is not revived, post a new one`,
    currentVersion: prev.version,
  }
}

function toEntry(
  input: EntryInput,
  version: number,
  seq: number,
  now: number,
  prev: StoryEntry | undefined,
  corrections: Correction[],
): StoryEntry {
  const updatedAt = input.updatedAt ?? now
  return {
    id: input.id,
    seq,
    version,
    headline: input.headline,
    body: input.body,
    authors: input.authors,
    pinned: input.pinned,
    keyEvent: input.keyEvent,
    // The entry's time sticks unless the source corrects it
    publishedAt: input.publishedAt ?? prev?.publishedAt ?? updatedAt,
    updatedAt,
    // Editorial controls never change by omission
    pubStatus: input.pubStatus ?? prev?.pubStatus ?? 'usable',
    embargoedUntil: input.embargoedUntil === undefined ? (prev?.embargoedUntil ?? null) : input.embargoedUntil,
    corrections,
  }
}

export function decideEntry(c: EntryContext, input: EntryInput, now: number): EntryDecision {
  const found = storyOf(c)
  if (!found.ok) return found.refused
  const { story } = found
  const { prev } = c
  if (prev === undefined) {
    if (story.live !== true) {
      return {
        kind: 'conflict',
        code: 'story_not_live',
        message: `article ${c.storyId} is not a live story: set "live": true on it before posting entries`,
        currentVersion: 0,
      }
    }
    if (input.correction !== null) return { kind: 'invalid', errors: [nothingToCorrect(`entry ${input.id}`)] }
    return { kind: 'created', story, entry: toEntry(input, input.revision ?? 1, c.nextSeq, now, undefined, []) }
  }
  if (prev.pubStatus === 'canceled') return deletedConflict(prev, c.storyId)
  // what the update changes but for its correction note: a repeated note on no other change is a retry
  const uncorrected = toEntry(input, prev.version + 1, prev.seq, now, prev, prev.corrections)
  const changesOtherwise = entryChangedFields(prev, uncorrected).length > 0
  const corrected = addCorrection(prev.corrections, input.correction, input.updatedAt ?? now, changesOtherwise)
  if (!corrected.ok) return { kind: 'invalid', errors: [corrected.error] }
  const candidate = { ...uncorrected, corrections: corrected.corrections }
  const changed = entryChangedFields(prev, candidate)
  if (input.revision !== null) {
    if (input.revision < prev.version) {
      const message = `revision ${input.revision} is older than the stored version ${prev.version} of entry ${prev.id}`
      return { kind: 'conflict', code: 'stale_revision', message, currentVersion: prev.version }
    }
    if (input.revision === prev.version && changed.length > 0) {
      const message = `revision ${input.revision} of entry ${prev.id} is already stored with different content`
      return { kind: 'conflict', code: 'revision_conflict', message, currentVersion: prev.version }
    }
  }
  if (changed.length === 0) return { kind: 'unchanged', current: prev }
  const version = input.revision ?? prev.version + 1
  return { kind: 'updated', story, entry: { ...candidate, version }, changedFields: changed, correction: corrected.added }
}

/** The entry a PATCH applies to, or why it cannot apply (a PATCH never creates). */
export function patchTarget(c: EntryContext): { ok: true; prev: StoryEntry } | { ok: false; refused: EntryDecision } {
  const found = storyOf(c)
  if (!found.ok) return found
  if (c.prev === undefined) {
    return { ok: false, refused: { kind: 'not_found', message: `article ${c.storyId} has no entry '${c.entryId}'; create it with PUT` } }
  }
  return c.prev.pubStatus === 'canceled' ? { ok: false, refused: deletedConflict(c.prev, c.storyId) } : { ok: true, prev: c.prev }
}

/** Kills an entry: its last content with pubStatus canceled. Twice is unchanged. */
export function decideEntryDelete(c: EntryContext, now: number): EntryDecision {
  const found = storyOf(c)
  if (!found.ok) return found.refused
  const { prev } = c
  if (prev === undefined) return { kind: 'not_found', message: `article ${c.storyId} has no entry '${c.entryId}'` }
  if (prev.pubStatus === 'canceled') return { kind: 'unchanged', current: prev }
  return { kind: 'deleted', story: found.story, entry: { ...prev, version: prev.version + 1, pubStatus: 'canceled', updatedAt: now } }
}
