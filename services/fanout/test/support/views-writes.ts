// What the views-shed model's newsroom writes (red25b-views-shed-model.test.ts): a step's write or
// kill as the article event ingest would make of it. Pure.
import type { ArticleEvent } from '@newswire/shared'
import { event } from './events.ts'
import { CATEGORIES, LANGUAGES, STORIES, type Write } from './views-commands.ts'
import { changedFieldsOf } from './views-pages.ts'

/** The story a write's slot names now: a killed story's slot takes a new story (`a`, then `a1`...), so kills stay frequent, stories too. */
export function storyId(written: ReadonlyMap<string, ArticleEvent[]>, story: number): string {
  let id = STORIES[story] as string
  while (written.get(id)?.at(-1)?.type === 'WITHDRAWN') id = `${STORIES[story]}${Number(id.slice(1) || 0) + 1}`
  return id
}

/** The next version of story `id` (written so far: `vs`) that `w` makes at `now`; null for a kill of nothing. */
export function versionOf(w: Write, id: string, vs: readonly ArticleEvent[], now: number): ArticleEvent | null {
  const last = vs.at(-1)
  if (w.k === 'kill' && !last) return null
  const version = vs.length + 1
  if (w.k === 'kill')
    return event(
      'WITHDRAWN',
      {
        ...(last as ArticleEvent).article,
        version,
        pubStatus: 'canceled',
        ...(w.erase ? { headline: '', summary: null, body: [] } : {}),
      },
      now,
      { reason: 'legal' },
    )
  // the headline changes only with `retitle` (a ticker shows it), the body with every version
  const headline = !w.retitle && last ? last.article.headline : `${id} v${version}`
  const kept = w.keep && last ? last.article : null
  const e = event(
    version === 1 ? 'CREATED' : 'UPDATED',
    {
      id,
      version,
      category: kept ? kept.category : (CATEGORIES[w.category] as string),
      language: kept ? kept.language : (LANGUAGES[w.language] as string),
      urgency: kept ? kept.urgency : w.urgency,
      breaking: kept ? kept.breaking : w.breaking,
      pubStatus: w.held ? 'withheld' : 'usable',
      embargoedUntil: w.embargo === null ? null : now + w.embargo,
      headline,
      body: [`${id} body ${version}`],
    },
    now,
  )
  // what changed, as ingest says it (decide.ts changedFields): what a ticker's filter reads
  if (e.type === 'UPDATED' && last) e.changedFields = changedFieldsOf(last.article, e.article)
  return e
}
