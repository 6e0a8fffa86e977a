// What ingest carries with a latest state in news.articles (the earlier-views and earlier-statuses
// headers), worked out from every version as ingest works it out: each version before the last,
// replaced when the next one was written. Through the header's bytes, as the fan-out reads them.
import assert from 'node:assert/strict'
import {
  bothShown,
  decodeEarlierViews,
  earlierStatusesOf,
  earlierViewOf,
  encodeEarlierStatuses,
  encodeEarlierViews,
  shownOf,
  withEarlierView,
} from '@newswire/shared'
import type { ArticleEvent, EarlierStatuses, EarlierView, EarlierViews, EntryEvent, Shown } from '@newswire/shared'

/** The views of an article's `versions` (oldest first) before the last. */
export function carriedViews(versions: readonly ArticleEvent[]): EarlierViews {
  let views: readonly EarlierView[] = []
  for (let i = 0; i + 1 < versions.length; i++)
    views = withEarlierView(views, earlierViewOf((versions[i] as ArticleEvent).article, (versions[i + 1] as ArticleEvent).ingestedAt))
  return decodeEarlierViews(encodeEarlierViews({ views, complete: true })) ?? assert.fail('ingest wrote a header the fan-out cannot read')
}

/** What an entry's `versions` (oldest first) before the last showed. */
export function carriedStatuses(versions: readonly EntryEvent[]): EarlierStatuses {
  let shown: Shown = { usableLeftMs: null, withheldLeftMs: null }
  for (let i = 0; i + 1 < versions.length; i++)
    shown = bothShown(shown, shownOf((versions[i] as EntryEvent).entry, (versions[i + 1] as EntryEvent).ingestedAt))
  return (
    earlierStatusesOf(encodeEarlierStatuses({ ...shown, complete: true })) ?? assert.fail('ingest wrote a header the fan-out cannot read')
  )
}
