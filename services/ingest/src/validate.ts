// The JSON article a source sends (field names of the Avro Article record), validated with zod
// and normalized (controls removed, NFC, whitespace) into an ArticleInput. Every failing field is
// reported. Lengths are checked on the normalized text, the text that is stored.
import { hasInvisibleControl, showsSomething } from '@newswire/shared'
import type { FieldError, RelatedLink } from '@newswire/shared'
import { z } from 'zod'
import {
  correctionSchema,
  embargo,
  idSchema,
  instant,
  limits,
  memo,
  nonEmpty,
  paragraphErrors,
  paragraphs,
  parseObject,
  pubStatusSchema,
  revisionSchema,
  text,
} from './fields.ts'
import type { CorrectionInput, SettablePubStatus } from './fields.ts'

export { invalid, limits, settablePubStatuses } from './fields.ts'
export type { SettablePubStatus } from './fields.ts'

/** A validated, normalized article as sent by a source (no version bookkeeping yet). */
export interface ArticleInput {
  id: string
  /** The CMS's own revision number, when it sends one. */
  revision: number | null
  url: string | null
  language: string
  headline: string
  summary: string | null
  body: string[]
  category: string | null
  categoryLabel: string | null
  subjects: string[]
  authors: string[]
  publishedAt: number | null
  updatedAt: number | null
  urgency: number
  /** Editorial control; undefined when not sent (or null): an update keeps the current status. */
  pubStatus: SettablePubStatus | undefined
  /** Editorial control; undefined when not sent: an update keeps the current embargo. null lifts it. */
  embargoedUntil: number | null | undefined
  breaking: boolean
  dateline: string | null
  timeZone: string | null
  related: RelatedLink[]
  /** Live coverage running; undefined when not sent (or null): an update keeps the current value. */
  live: boolean | undefined
  /** What this update corrects, or null. Only an update can carry one. */
  correction: CorrectionInput | null
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' })

// Memoized: Intl lookups took a fifth of ingest CPU in the profile
/** Canonical BCP 47 tag whose language ICU knows, or null. */
export const canonicalLanguage: (tag: string) => string | null = memo((tag) => {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag)
    if (canonical === undefined) return null
    const primary = new Intl.Locale(canonical).language
    return languageNames.of(primary) === undefined ? null : canonical
  } catch {
    return null
  }
})

const validTimeZone = memo((tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
})

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be a lowercase slug such as international or sports' })
  .max(64)

const httpUrl = z.string().refine(
  (s) => {
    // Spaces and invisible controls would be silently dropped or re-encoded by URL parsers
    if (s.length > limits.url || /\s/u.test(s) || hasInvisibleControl(s)) return false
    try {
      const u = new URL(s)
      return u.protocol === 'http:' || u.protocol === 'https:'
    } catch {
      return false
    }
  },
  { message: `must be an absolute http(s) URL of at most ${limits.url} characters, without spaces or control characters` },
)

const articleSchema = z
  .object({
    id: idSchema,
    version: revisionSchema.nullish(),
    url: httpUrl.nullish(),
    language: z.string().refine((s) => canonicalLanguage(s) !== null, {
      message: 'must be a known BCP 47 language tag such as bn, bn-BD or en',
    }),
    headline: nonEmpty(limits.headline),
    summary: text(limits.summary).nullish(),
    body: z.union([z.string(), z.array(z.string())]).nullish(),
    category: slug.nullish(),
    categoryLabel: nonEmpty(limits.shortText).nullish(),
    subjects: z.array(nonEmpty(limits.shortText)).max(limits.listItems).nullish(),
    authors: z.array(nonEmpty(limits.shortText)).max(limits.listItems).nullish(),
    publishedAt: instant('publishedAt').nullish(),
    updatedAt: instant('updatedAt').nullish(),
    urgency: z
      .number()
      .int()
      .min(1, { message: 'must be from 1 (flash) to 9' })
      .max(9, { message: 'must be from 1 (flash) to 9' })
      .nullish(),
    pubStatus: pubStatusSchema(
      'an article is killed with POST /v1/articles/{id}/withdraw (withdraw scope, with a reason), not by pubStatus',
    ).nullish(),
    embargoedUntil: embargo().nullish(),
    breaking: z.boolean().nullish(),
    dateline: nonEmpty(limits.shortText).nullish(),
    timeZone: z.string().refine(validTimeZone, { message: 'must be an IANA time zone such as Asia/Dhaka' }).nullish(),
    related: z
      .array(z.object({ headline: nonEmpty(limits.headline), url: httpUrl.nullish() }).strict())
      .max(limits.listItems)
      .nullish(),
    live: z.boolean().nullish(),
    correction: correctionSchema.nullish(),
  })
  .strict()

export type ValidationResult = { ok: true; article: ArticleInput } | { ok: false; errors: FieldError[] }

export function validateArticle(value: unknown): ValidationResult {
  const parsed = parseObject(articleSchema, value, 'the article')
  if (!parsed.ok) return parsed
  const a = parsed.data
  const body = paragraphs(a.body)
  const errors = paragraphErrors(body)
  const summary = a.summary && showsSomething(a.summary) ? a.summary : null
  if (body.length === 0 && summary === null) {
    errors.push({ field: 'body', code: 'required', message: 'body or summary is required' })
  }
  if (errors.length > 0) return { ok: false, errors }
  return {
    ok: true,
    article: {
      id: a.id,
      revision: a.version ?? null,
      url: a.url ?? null,
      language: canonicalLanguage(a.language) ?? a.language,
      headline: a.headline,
      summary,
      body,
      category: a.category ?? null,
      categoryLabel: a.categoryLabel ?? null,
      subjects: a.subjects ?? [],
      authors: a.authors ?? [],
      publishedAt: a.publishedAt ?? null,
      updatedAt: a.updatedAt ?? null,
      urgency: a.urgency ?? 5,
      // Absent (or a null status, which the schema has no room for) keeps the current value
      pubStatus: a.pubStatus ?? undefined,
      embargoedUntil: a.embargoedUntil,
      breaking: a.breaking ?? false,
      dateline: a.dateline ?? null,
      timeZone: a.timeZone ?? null,
      related: (a.related ?? []).map((r) => ({ headline: r.headline, url: r.url ?? null })),
      live: a.live ?? undefined,
      correction: a.correction ?? null,
    },
  }
}
