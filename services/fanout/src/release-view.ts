// Whether an embargo release shows a reader something: the article's latest version, or the entry,
// to a clearance in a token scope's desks and languages. The head position (hub.ts) is signed again
// only for such releases, and a replay's watermark moves only past them (cursor.ts), so a position
// says nothing of a release its reader may not see (red15). Pure: no I/O.
import { type AudienceScope, scopeAllows, unrestricted } from './audience.ts'
import type { Release } from './embargo-schedule.ts'
import type { EntryState } from './entries.ts'
import { visibleEntry } from './entry-visibility.ts'
import type { Clearance, Latest } from './visibility.ts'
import { isKill, sees, visibleVersion } from './visibility.ts'

/** What the queries read of the ledger: latest states of articles and of their entries. */
export interface ReleaseSource {
  latest(id: string): Latest | undefined
  entries: { get(storyId: string, entryId: string): EntryState | undefined }
}

/** A release `r` shows clearance `c` with token scope `scope` something now. */
export function releaseShows(
  src: ReleaseSource,
  r: Pick<Release, 'id' | 'entry'>,
  c: Clearance,
  scope: AudienceScope = unrestricted,
): boolean {
  const story = src.latest(r.id)
  if (story !== undefined && !scopeAllows(scope, story.event.article)) return false
  if (c === 'all') return true
  return r.entry === null ? visibleVersion(story, c) !== null : visibleEntry(story, src.entries.get(r.id, r.entry), c) !== null
}

/**
 * The release still to come of article `id` (or of its entry `entry`) would show clearance `c`
 * with token scope `scope` something: its latest version (the entry) as if released (cursor.ts #owed).
 */
export function releaseWouldShow(src: ReleaseSource, id: string, entry: string | null, c: Clearance, scope: AudienceScope): boolean {
  const story = src.latest(id)
  if (story === undefined || !scopeAllows(scope, story.event.article)) return false
  const a = story.event.article
  const storyShows = sees(c, isKill(story.event), a.pubStatus, true)
  if (entry === null) return storyShows
  const s = src.entries.get(id, entry)
  return storyShows && s !== undefined && visibleEntry({ ...story, released: true }, { ...s, released: true }, c) !== null
}
