// The snapshot a new subscription starts from: the articles it may see now, most recently changed
// first. A correction replaces what it corrects; killed articles leave public snapshots and stay in
// the newsroom's, as killed (their last event: a withdrawal or a canceled version). Pure: no I/O.
import type { Article, ArticleEvent } from '@newswire/shared'
import type { Entry, History } from './history.ts'
import type { ArticleState, Ledger } from './ledger.ts'
import type { SnapshotItem } from './messages.ts'
import type { Clearance } from './visibility.ts'
import { visibleVersion } from './visibility.ts'

export interface SnapshotQuery {
  clearance: Clearance
  /** The version is in the subscription's channels, filter and token scope. */
  inView: (a: Article) => boolean
  limit: number
}

function item(s: ArticleState, q: SnapshotQuery, text: (e: ArticleEvent) => string): SnapshotItem | null {
  const a = visibleVersion(s, q.clearance)
  if (a === null || !q.inView(a)) return null
  s.text ??= text(s.event)
  return { embargoed: q.clearance === 'all' && !s.released, text: s.text }
}

/**
 * Walks history back from `end` (the entries the ledger has applied), then, if that is not
 * enough, the states only known from before history, most recently ingested first.
 */
export function snapshot(
  history: History,
  ledger: Ledger,
  end: number,
  q: SnapshotQuery,
  text: (e: ArticleEvent) => string,
): SnapshotItem[] {
  const out: SnapshotItem[] = []
  if (q.limit === 0) return out
  const seen = new Set<string>()
  for (let seq = end - 1; seq >= history.firstSeq && out.length < q.limit; seq--) {
    const id = (history.get(seq) as Entry).event.article.id
    if (seen.has(id)) continue
    seen.add(id)
    const s = ledger.latest(id)
    const i = s ? item(s, q, text) : null
    if (i) out.push(i)
  }
  if (out.length < q.limit) {
    const older: ArticleState[] = []
    for (const s of ledger.states()) if (!seen.has(s.event.article.id)) older.push(s)
    older.sort((x, y) => y.event.ingestedAt - x.event.ingestedAt)
    for (const s of older) {
      if (out.length >= q.limit) break
      const i = item(s, q, text)
      if (i) out.push(i)
    }
  }
  return out
}
