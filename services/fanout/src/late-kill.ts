// A kill (WITHDRAWN, or pubStatus canceled) or an entry's deletion read with a number no higher
// than the live version it meets. By its number it is old news, which the ledger only notes
// (ledger.ts apply, entries.ts apply); but a kill is final whatever its number, and a writer may
// number it as the version it means to end (a tool that copies it, an ingest deciding on a stale
// state, as one once did: ingest README "instances of two releases"). Dropped, it left the story
// public and no reader was told (red12 attack run). It is taken as the next version instead, as
// the stand-in for an undecodable kill is (unreadable.ts), keeping its own event id and reason, so
// a replay of the record from the log meets it as the article's latest event. Pure.
import type { ArticleEvent, EntryEvent } from '@newswire/shared'
import { isEntryDeleted } from './entry-visibility.ts'
import { isKill } from './visibility.ts'

/** `e` numbered after `latest` when it kills a live `latest` numbered as high or higher; else `e` itself. */
export function killAsNext(e: ArticleEvent, latest: ArticleEvent | undefined): ArticleEvent {
  if (latest === undefined || !isKill(e) || isKill(latest) || e.article.version > latest.article.version) return e
  return { ...e, article: { ...e.article, version: latest.article.version + 1 } }
}

/** `e` numbered after `latest` when it deletes a live `latest` numbered as high or higher; else `e` itself. */
export function deletionAsNext(e: EntryEvent, latest: EntryEvent | undefined): EntryEvent {
  if (latest === undefined || !isEntryDeleted(e) || isEntryDeleted(latest) || e.entry.version > latest.entry.version) return e
  return { ...e, entry: { ...e.entry, version: latest.entry.version + 1 } }
}
