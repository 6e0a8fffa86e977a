// The JSON article a source sends (field names of the Avro Article record), validated with zod
// and normalized (NFC, whitespace) into an ArticleInput. Every failing field is reported.
import { cleanText, hasLoneSurrogate, pubStatuses } from '@newswire/shared'
import type { FieldError, PubStatus, RelatedLink } from '@newswire/shared'
import { z } from 'zod'

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
  pubStatus: PubStatus
  embargoedUntil: number | null
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

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

function instant(field: string) {
  return z
    .string({ error: `${field} must be an ISO 8601 date-time string` })
    .refine((s) => isoInstant.test(s) && Number.isFinite(Date.parse(s)), {
      message: `${field} must be an ISO 8601 date-time with a time zone, e.g. 2024-08-17T05:46:00Z`,
    })
    .transform((s) => Date.parse(s))
}

const text = (max: number) =>
  z
    .string()
    .max(max, { message: `longer than ${max} characters` })
    .transform(cleanText)

const nonEmpty = (max: number) => text(max).refine((s) => s.length > 0, { message: 'must not be empty or only whitespace' })

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be a lowercase slug such as international or sports' })
  .max(64)

const httpUrl = z.string().refine(
  (s) => {
    try {
      const u = new URL(s)
      return (u.protocol === 'http:' || u.protocol === 'https:') && s.length <= 2000
    } catch {
      return false
    }
  },
  { message: 'must be an absolute http(s) URL' },
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
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullish(),
    url: httpUrl.nullish(),
    language: z.string().refine((s) => canonicalLanguage(s) !== null, {
      message: 'must be a known BCP 47 language tag such as bn, bn-BD or en',
    }),
    headline: nonEmpty(limits.headline),
    summary: text(limits.summary).nullish(),
    body: z
      .union([z.string(), z.array(z.string().max(limits.paragraph, { message: `longer than ${limits.paragraph} characters` }))])
      .nullish(),
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
    pubStatus: z.enum(pubStatuses).nullish(),
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

function pathOf(path: readonly PropertyKey[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`
  return out === '' ? '(body)' : out
}

/** Finds strings with lone surrogates anywhere in a parsed JSON value (they cannot be stored). */
/** Nesting deeper than this is refused before anything walks the value. */
export const MAX_DEPTH = 64

interface Frame {
  value: unknown
  key: PropertyKey | null
  parent: Frame | null
  depth: number
}

function framePath(frame: Frame, last?: PropertyKey): string {
  const path: PropertyKey[] = last === undefined ? [] : [last]
  for (let f: Frame | null = frame; f?.key != null; f = f.parent) path.unshift(f.key)
  return pathOf(path)
}

// Iterative, with the path built only on a hit: a recursive walk of hostile input
// (100k nested arrays) overflowed the stack and copied the path at every level.
function inspect(root: unknown): { tooDeep: string | null; surrogates: string[] } {
  const surrogates: string[] = []
  const stack: Frame[] = [{ value: root, key: null, parent: null, depth: 0 }]
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { value, depth } = frame
    if (typeof value === 'string') {
      if (hasLoneSurrogate(value)) surrogates.push(framePath(frame))
      continue
    }
    if (value === null || typeof value !== 'object') continue
    if (depth >= MAX_DEPTH) return { tooDeep: framePath(frame), surrogates }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key: i, parent: frame, depth: depth + 1 })
    } else {
      const entries = Object.entries(value)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i] as [string, unknown]
        if (hasLoneSurrogate(k)) surrogates.push(framePath(frame, k))
        stack.push({ value: v, key: k, parent: frame, depth: depth + 1 })
      }
    }
  }
  return { tooDeep: null, surrogates }
}

export type ValidationResult = { ok: true; article: ArticleInput } | { ok: false; errors: FieldError[] }

export function validateArticle(value: unknown): ValidationResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, errors: [{ field: '(body)', code: 'invalid_type', message: 'the article must be a JSON object' }] }
  }
  const { tooDeep, surrogates } = inspect(value)
  if (tooDeep !== null) {
    return { ok: false, errors: [{ field: tooDeep, code: 'too_deep', message: `nested deeper than ${MAX_DEPTH} levels` }] }
  }
  if (surrogates.length > 0) {
    return {
      ok: false,
      errors: surrogates.map((field) => ({
        field,
        code: 'invalid_unicode',
        message: 'contains an unpaired UTF-16 surrogate',
      })),
    }
  }
  const parsed = articleSchema.safeParse(value)
  const errors: FieldError[] = []
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          errors.push({ field: pathOf([...issue.path, key]), code: 'unknown_field', message: 'is not a field of the article' })
        }
        continue
      }
      const missing = issue.code === 'invalid_type' && issue.input === undefined
      errors.push({ field: pathOf(issue.path), code: missing ? 'required' : issue.code, message: missing ? 'is required' : issue.message })
    }
    return { ok: false, errors }
  }
  const a = parsed.data
  const body = paragraphs(a.body)
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
      pubStatus: a.pubStatus ?? 'usable',
      embargoedUntil: a.embargoedUntil ?? null,
      breaking: a.breaking ?? false,
      dateline: a.dateline ?? null,
      timeZone: a.timeZone ?? null,
      related: (a.related ?? []).map((r) => ({ headline: r.headline, url: r.url ?? null })),
    },
  }
}
