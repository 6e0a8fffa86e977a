// Pure rules that turn (latest stored version, incoming article, who sends it) into what to
// publish: created, updated with the changed fields, unchanged (no event), a conflict, or a
// refusal. The update semantics of every field (services/ingest/README.md) live here.
import { contentFields, MAX_EARLIER_VIEWS, passesViewBound } from '@newswire/shared'
import type { Article, ContentField, Correction, EarlierViews, FieldError } from '@newswire/shared'
import { addCorrection, nothingToCorrect } from './corrections.ts'
import { isErased, withoutContent } from './erasure.ts'
import type { ArticleInput } from './validate.ts'

/** Who sends a write. */
export interface Actor {
  /** Recorded as the event's `source`: the key's name, or `import:<key name>` for imports. */
  source: string
  /**
   * An importer creates articles, updates only those whose latest version came from the same
   * importer (so never one a newsroom has touched), and never sets editorial controls.
   */
  importer: boolean
}

/** The latest stored version of an article and who wrote it. */
export interface Current {
  article: Article
  source: string
}

export const conflictCodes = [
  'stale_revision',
  'revision_conflict',
  'article_withdrawn',
  'story_not_live',
  'entry_deleted',
  'too_many_views',
] as const
export type ConflictCode = (typeof conflictCodes)[number]

export type Decision =
  | { kind: 'created'; article: Article }
  | { kind: 'updated'; article: Article; changedFields: ContentField[]; correction: Correction | null }
  | { kind: 'unchanged'; current: Article }
  | { kind: 'conflict'; code: ConflictCode; message: string; current: Article }
  | { kind: 'forbidden'; message: string; current: Article }
  | { kind: 'invalid'; errors: FieldError[] }

/** The editorial controls: they decide whether the public may see an article. */
export const editorialFields = ['pubStatus', 'embargoedUntil'] as const satisfies readonly ContentField[]

const newsroom: Actor = { source: 'newsroom', importer: false }

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** The v3 fields with their schema defaults, for an article built without them. */
function complete(a: Article): Article {
  return { ...a, live: a.live ?? false, corrections: a.corrections ?? [] }
}

export function changedFields(prev: Article, next: Article): ContentField[] {
  const [p, n] = [complete(prev), complete(next)]
  return contentFields.filter((f) => !same(p[f], n[f]))
}

function toArticle(
  input: ArticleInput,
  version: number,
  now: number,
  prev: Article | undefined,
  actor: Actor,
  corrections: Correction[],
): Article {
  // Editorial controls never change by omission; imports never change them at all
  const pubStatus = (actor.importer ? undefined : input.pubStatus) ?? prev?.pubStatus ?? 'usable'
  const embargo = actor.importer ? undefined : input.embargoedUntil
  return {
    id: input.id,
    version,
    url: input.url,
    language: input.language,
    headline: input.headline,
    summary: input.summary,
    body: input.body,
    category: input.category,
    categoryLabel: input.categoryLabel,
    subjects: input.subjects,
    authors: input.authors,
    // The first publication instant sticks unless the source corrects it
    publishedAt: input.publishedAt ?? prev?.publishedAt ?? null,
    updatedAt: input.updatedAt ?? now,
    urgency: input.urgency,
    pubStatus,
    embargoedUntil: embargo === undefined ? (prev?.embargoedUntil ?? null) : embargo,
    breaking: input.breaking,
    dateline: input.dateline,
    timeZone: input.timeZone,
    related: input.related,
    // Kept by omission, like the editorial controls: a CMS that does not know the flag must not
    // end a live story by leaving it out
    live: (actor.importer ? undefined : input.live) ?? prev?.live ?? false,
    corrections,
  }
}

/** A killed article stays killed: nothing may be written to it again. */
export function withdrawnConflict(current: Article): Decision | null {
  if (current.pubStatus !== 'canceled') return null
  return {
    kind: 'conflict',
    code: 'article_withdrawn',
    message: `article ${current.id} was withdrawn at version ${current.version}; a killed article is not revived, publish it under a new id`,
    current,
  }
}

export function decide(prev: Current | undefined, input: ArticleInput, now: number, actor: Actor = newsroom): Decision {
  if (prev === undefined) {
    if (input.correction !== null) return { kind: 'invalid', errors: [nothingToCorrect(`article ${input.id}`)] }
    return { kind: 'created', article: toArticle(input, input.revision ?? 1, now, undefined, actor, []) }
  }
  const current = prev.article
  const withdrawn = withdrawnConflict(current)
  if (withdrawn) return withdrawn
  if (actor.importer && prev.source !== actor.source) {
    return {
      kind: 'forbidden',
      message: `article ${current.id} was last written by '${prev.source}', not by this importer; imports only update their own articles (updating it needs the write scope)`,
      current,
    }
  }
  // what the update changes but for its correction note: a repeated note on no other change is a retry
  const uncorrected = toArticle(input, current.version + 1, now, current, actor, current.corrections ?? [])
  const changesOtherwise = changedFields(current, uncorrected).length > 0
  const note = actor.importer ? null : input.correction
  const corrected = addCorrection(current.corrections ?? [], note, input.updatedAt ?? now, changesOtherwise)
  if (!corrected.ok) return { kind: 'invalid', errors: [corrected.error] }
  const candidate = { ...uncorrected, corrections: corrected.corrections }
  const changed = changedFields(current, candidate)
  if (input.revision !== null) {
    if (input.revision < current.version) {
      return {
        kind: 'conflict',
        code: 'stale_revision',
        message: `revision ${input.revision} is older than the stored version ${current.version}`,
        current,
      }
    }
    if (input.revision === current.version && changed.length > 0) {
      return {
        kind: 'conflict',
        code: 'revision_conflict',
        message: `revision ${input.revision} is already stored with different content`,
        current,
      }
    }
  }
  if (changed.length === 0) return { kind: 'unchanged', current }
  const version = input.revision ?? current.version + 1
  return { kind: 'updated', article: { ...candidate, version }, changedFields: changed, correction: corrected.added }
}

/**
 * An update that takes the article into a view (category, language, urgency, breaking) past the
 * MAX_EARLIER_VIEWS it may have been in: refused, since the fan-out keeps where a story was seen
 * in as many, and a reader who saw it in a view replaced past them never heard of its kill (red24b).
 */
export function boundViews(d: Decision, prev: { article: Article; earlier: EarlierViews } | undefined): Decision {
  if (d.kind !== 'updated' || prev === undefined || !passesViewBound(prev.earlier, prev.article, d.article)) return d
  const why = prev.earlier.complete
    ? `has been in ${MAX_EARLIER_VIEWS} views (category, language, urgency, breaking)`
    : 'has been in views (category, language, urgency, breaking) not all known here (a state too big to carry them, or older than them)'
  return {
    kind: 'conflict',
    code: 'too_many_views',
    message: `article ${d.article.id} ${why}; it cannot move to another`,
    current: prev.article,
  }
}

export type WithdrawDecision = { kind: 'withdrawn'; article: Article } | { kind: 'unchanged'; current: Article }

export function decideWithdraw(prev: Article, now: number): WithdrawDecision {
  if (prev.pubStatus === 'canceled') return { kind: 'unchanged', current: prev }
  return { kind: 'withdrawn', article: { ...prev, version: prev.version + 1, pubStatus: 'canceled', updatedAt: now } }
}

export type EraseDecision = { kind: 'erased'; article: Article; changedFields: ContentField[] } | { kind: 'killed'; current: Article }

/**
 * An erasure (POST /v1/articles/{id}/erase) kills the article as a withdrawal does (the next
 * version, canceled), unless it is erased already. Its WITHDRAWN event keeps what routes a kill to
 * readers and nothing of the content (erasure.ts withoutContent): an erasure must not publish the
 * content it removes again, for the events' retention, nor leave it in this version's state. A
 * story withdrawn with its content gets that kill again without it, the next version: tombstones
 * alone reach no fan-out that is running (it reads news.articles only at start), which kept the
 * withdrawn text for the newsroom, in its snapshots and in every replay (red26a attack run).
 */
export function decideErase(prev: Article, now: number): EraseDecision {
  if (isErased(prev)) return { kind: 'killed', current: prev }
  const article = withoutContent({ ...prev, version: prev.version + 1, pubStatus: 'canceled', updatedAt: now })
  return { kind: 'erased', article, changedFields: changedFields(prev, article) }
}
