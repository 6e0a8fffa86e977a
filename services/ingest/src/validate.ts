// The JSON article a source sends (field names of the Avro Article record), validated with zod
// and normalized (controls removed, NFC, whitespace) into an ArticleInput. Every failing field is
// reported. Lengths are checked on the normalized text, the text that is stored.
import { cleanText, hasInvisibleControl, MAX_REVISION, ProblemError } from '@newswire/shared'
import type { FieldError, RelatedLink } from '@newswire/shared'
import { z } from 'zod'
import { parseInstant } from './instant.ts'
import { pathOf, shapeErrors } from './json-shape.ts'

/** Editorial controls a write may set; `canceled` (a kill) only comes from the withdraw endpoint. */
export const settablePubStatuses = ['usable', 'withheld'] as const
export type SettablePubStatus = (typeof settablePubStatuses)[number]

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
}

export const limits = {
  id: 200,
  headline: 1000,
  summary: 10_000,
  paragraph: 50_000,
  paragraphs: 1000,
  listItems: 100,
  shortText: 300,
  url: 2000,
  revision: MAX_REVISION,
} as const

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' })

/** Canonical BCP 47 tag whose language ICU knows, or null. */
/**
 * Remembers the answers of an expensive pure function (Intl lookups took a fifth of ingest CPU in
 * the profile). Bounded: hostile input with ever new tags cannot grow it past `max`.
 */
function memo<T>(fn: (key: string) => T, max = 1000): (key: string) => T {
  const cache = new Map<string, T>()
  return (key) => {
    if (cache.has(key)) return cache.get(key) as T
    const value = fn(key)
    if (cache.size >= max) cache.clear()
    cache.set(key, value)
    return value
  }
}

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

function instant(field: string) {
  return z
    .string({ error: `${field} must be an ISO 8601 date-time string` })
    .refine((s) => parseInstant(s) !== null, {
      message: `${field} must be a real ISO 8601 date-time with a time zone, e.g. 2024-08-17T05:46:00Z`,
    })
    .transform((s) => parseInstant(s) ?? Number.NaN)
}

/** Cleaned text, its length checked after cleaning (NFC can make a string longer). */
const text = (max: number) =>
  z
    .string()
    .transform(cleanText)
    .pipe(z.string().max(max, { message: `longer than ${max} characters` }))

const nonEmpty = (max: number) => text(max).refine((s) => s.length > 0, { message: 'must not be empty or only whitespace' })

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
    id: z
      .string()
      .min(1)
      .max(limits.id)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, {
        message: 'must start with a letter or digit and use only letters, digits and . _ : -',
      }),
    version: z
      .number()
      .int()
      .min(1, { message: `must be a whole number from 1 to ${MAX_REVISION}` })
      .max(MAX_REVISION, { message: `must be a whole number from 1 to ${MAX_REVISION}` })
      .nullish(),
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
    pubStatus: z
      .string()
      .refine((s) => s !== 'canceled', {
        message: 'an article is killed with POST /v1/articles/{id}/withdraw (withdraw scope, with a reason), not by pubStatus',
        params: { code: 'use_withdraw' },
      })
      .pipe(z.enum(settablePubStatuses, { message: 'must be usable or withheld' }))
      .nullish(),
    embargoedUntil: instant('embargoedUntil').nullish(),
    breaking: z.boolean().nullish(),
    dateline: nonEmpty(limits.shortText).nullish(),
    timeZone: z.string().refine(validTimeZone, { message: 'must be an IANA time zone such as Asia/Dhaka' }).nullish(),
    related: z
      .array(z.object({ headline: nonEmpty(limits.headline), url: httpUrl.nullish() }).strict())
      .max(limits.listItems)
      .nullish(),
  })
  .strict()

function paragraphs(body: string | string[] | null | undefined): string[] {
  const list = typeof body === 'string' ? body.split(/\n\s*\n/) : (body ?? [])
  return list.map(cleanText).filter((p) => p.length > 0)
}

/** The 422 for these field errors, naming every failing field in `detail` too. */
export function invalid(errors: FieldError[]): ProblemError {
  const fields = [...new Set(errors.map((e) => e.field))].join(', ')
  return new ProblemError('validation_failed', `${errors.length} field(s) failed validation: ${fields}`, { errors })
}

export type ValidationResult = { ok: true; article: ArticleInput } | { ok: false; errors: FieldError[] }

/** The value at `path` in what was sent (zod's issues do not carry it). */
function sentAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined
    v = (v as Record<PropertyKey, unknown>)[key]
  }
  return v
}

function issueErrors(sent: unknown, issue: z.core.$ZodIssue): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      field: pathOf([...issue.path, key]),
      code: 'unknown_field',
      message: 'is not a field of the article',
    }))
  }
  const missing = issue.code === 'invalid_type' && sentAt(sent, issue.path) === undefined
  const custom = issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : null
  return [
    { field: pathOf(issue.path), code: missing ? 'required' : (custom ?? issue.code), message: missing ? 'is required' : issue.message },
  ]
}

export function validateArticle(value: unknown): ValidationResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, errors: [{ field: '(body)', code: 'invalid_type', message: 'the article must be a JSON object' }] }
  }
  const shape = shapeErrors(value)
  if (shape.length > 0) return { ok: false, errors: shape }
  const parsed = articleSchema.safeParse(value)
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.flatMap((issue) => issueErrors(value, issue)) }
  const a = parsed.data
  const errors: FieldError[] = []
  const body = paragraphs(a.body)
  for (const [i, p] of body.entries()) {
    if (p.length > limits.paragraph)
      errors.push({ field: `body[${i}]`, code: 'too_big', message: `longer than ${limits.paragraph} characters` })
  }
  const summary = a.summary && a.summary.length > 0 ? a.summary : null
  if (body.length === 0 && summary === null) {
    errors.push({ field: 'body', code: 'required', message: 'body or summary is required' })
  }
  if (body.length > limits.paragraphs) {
    errors.push({ field: 'body', code: 'too_big', message: `more than ${limits.paragraphs} paragraphs` })
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
    },
  }
}
