// Live-story fixtures for the SDK's tests: entries, entry frames, and a fetch that answers pages.
import type { StoryEntry } from '../src/index.ts'

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString()

export function storyEntry(id: string, seq: number, version = 1, extra: Partial<StoryEntry> = {}): StoryEntry {
  return {
    id,
    seq,
    version,
    headline: `${id} v${version}`,
    body: [`Paragraph of ${id}.`],
    authors: ['Desk'],
    pinned: false,
    keyEvent: false,
    publishedAt: at(seq % 60),
    updatedAt: at(seq % 60),
    pubStatus: 'usable',
    embargoedUntil: null,
    corrections: [],
    ...extra,
  }
}

export function entryFrame(storyId: string, entry: StoryEntry, position: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'entry',
    id: 's1',
    channel: `story:${storyId}`,
    position,
    storyId,
    change: entry.version === 1 ? 'created' : 'updated',
    changedFields: entry.version === 1 ? [] : ['body'],
    entry,
    ...extra,
  }
}

export function entryWithdrawnFrame(storyId: string, entryId: string, version: number, position: string, cause = 'deleted') {
  return {
    type: 'entryWithdrawn',
    id: 's1',
    channel: `story:${storyId}`,
    position,
    storyId,
    entryId,
    version,
    cause,
    reason: `${cause} by the desk`,
  }
}

/** The `subscribed` of a reader of story:Bd-1 (one subscription, `s1`): its story's events and entries. */
export function storySubscribed(snapshot: unknown[], entries: StoryEntry[], entriesMore: number | null = null) {
  return {
    type: 'subscribed',
    id: 's1',
    channels: ['story:Bd-1'],
    position: 'p1',
    more: null,
    snapshot,
    story: 'Bd-1',
    entries,
    entriesMore,
  }
}
