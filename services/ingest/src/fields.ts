// The zod field rules articles and live-story entries share (validate.ts, entry-validate.ts):
// ids, revisions, text cleaned before its length is checked, instants, editorial controls,
// correction notes, and how zod's issues become field errors.
import { cleanText, MAX_REVISION, ProblemError, showsSomething } from '@newswire/shared'
import type { FieldError } from '@newswire/shared'
import { z } from 'zod'
import { parseEmbargo, parseInstant } from './instant.ts'
import { pathOf, shapeErrors } from './json-shape.ts'

/** Editorial controls a write may set; `canceled` (a kill) only comes from the withdraw endpoints. */
export const settablePubStatuses = ['usable', 'withheld'] as const
export type SettablePubStatus = (typeof settablePubStatuses)[number]

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
  /** A correction note, like a withdrawal's reason. */
  note: 1000,
  /** Corrections one article or entry can gather. */
  corrections: 100,
} as const

/** A correction note as sent with an update: what was corrected, and when (else the update's time). */
export interface CorrectionInput {
  note: string
  at: number | null
}

/** Remembers the answers of an expensive pure function. Bounded: hostile input cannot grow it past `max`. */
export function memo<T>(fn: (key: string) => T, max = 1000): (key: string) => T {
  const cache = new Map<string, T>()
  return (key) => {
    if (cache.has(key)) return cache.get(key) as T
    const value = fn(key)
    if (cache.size >= max) cache.clear()
    cache.set(key, value)
    return value
  }
}

/** An ISO 8601 instant with a zone, read by `read` (parseInstant; parseEmbargo for embargoes: embargo()). */
export function instant(field: string, read: (s: string) => number | null = parseInstant) {
  // The refinement and the transform parse the same string one after the other: once is enough
  let lastInput: string | null = null
  let lastValue: number | null = null
  const parse = (s: string): number | null => {
    if (s !== lastInput) {
      lastValue = read(s)
      lastInput = s
    }
    return lastValue
  }
  return z
    .string({ error: `${field} must be an ISO 8601 date-time string` })
    .refine((s) => parse(s) !== null, {
      message: `${field} must be a real ISO 8601 date-time with a time zone, e.g. 2024-08-17T05:46:00Z`,
    })
    .transform((s) => parse(s) ?? Number.NaN)
}

/** An embargo: never read as earlier than the instant it names (parseEmbargo, red16c). */
export const embargo = () => instant('embargoedUntil', parseEmbargo)

/** Cleaned text, its length checked after cleaning (NFC can make a string longer). */
export const text = (max: number) =>
  z
    .string()
    .transform(cleanText)
    .pipe(z.string().max(max, { message: `longer than ${max} characters` }))

export const nonEmpty = (max: number) =>
  text(max).refine(showsSomething, { message: 'must show something: not empty, whitespace or only invisible characters' })

/** Article ids, entry ids: no '/', so an entry's state key (story/entries/entry) names nothing else. */
export const idSchema = z
  .string()
  .min(1)
  .max(limits.id)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, {
    message: 'must start with a letter or digit and use only letters, digits and . _ : -',
  })

export const revisionSchema = z
  .number()
  .int()
  .min(1, { message: `must be a whole number from 1 to ${MAX_REVISION}` })
  .max(MAX_REVISION, { message: `must be a whole number from 1 to ${MAX_REVISION}` })

/** `message` says how to kill instead: canceled is refused with the code use_withdraw. */
export const pubStatusSchema = (message: string) =>
  z
    .string()
    .refine((s) => s !== 'canceled', { message, params: { code: 'use_withdraw' } })
    .pipe(z.enum(settablePubStatuses, { message: 'must be usable or withheld' }))

export const correctionSchema = z
  .object({ note: nonEmpty(limits.note), at: instant('correction.at').nullish() })
  .strict()
  .transform((c): CorrectionInput => ({ note: c.note, at: c.at ?? null }))

/** Body text as paragraphs: a string splits on blank lines; paragraphs that show nothing go. */
export function paragraphs(body: string | string[] | null | undefined): string[] {
  const list = typeof body === 'string' ? body.split(/\n\s*\n/) : (body ?? [])
  return list.map(cleanText).filter(showsSomething)
}

/** Field errors for paragraphs over the limits. */
export function paragraphErrors(body: string[], field = 'body'): FieldError[] {
  const errors: FieldError[] = []
  for (const [i, p] of body.entries()) {
    if (p.length > limits.paragraph)
      errors.push({ field: `${field}[${i}]`, code: 'too_big', message: `longer than ${limits.paragraph} characters` })
  }
  if (body.length > limits.paragraphs) errors.push({ field, code: 'too_big', message: `more than ${limits.paragraphs} paragraphs` })
  return errors
}

/** Ingest keeps the corrections list: a write adds one with `correction`, never sends the list. */
export function readOnlyErrors(value: object): FieldError[] {
  if (!Object.hasOwn(value, 'corrections')) return []
  return [
    { field: 'corrections', code: 'read_only', message: 'kept by ingest: send one `correction` ({note, at?}) with the update instead' },
  ]
}

/** The 422 for these field errors, naming every failing field in `detail` too. */
export function invalid(errors: FieldError[]): ProblemError {
  const fields = [...new Set(errors.map((e) => e.field))].join(', ')
  return new ProblemError('validation_failed', `${errors.length} field(s) failed validation: ${fields}`, { errors })
}

/** The value at `path` in what was sent (zod's issues do not carry it). */
function sentAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined
    v = (v as Record<PropertyKey, unknown>)[key]
  }
  return v
}

/** One zod issue as field errors; `what` names the object in the unknown-field message. */
export function issueErrors(sent: unknown, issue: z.core.$ZodIssue, what: string): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      field: pathOf([...issue.path, key]),
      code: 'unknown_field',
      message: `is not a field of ${what}`,
    }))
  }
  const missing = issue.code === 'invalid_type' && sentAt(sent, issue.path) === undefined
  const custom = issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : null
  return [
    { field: pathOf(issue.path), code: missing ? 'required' : (custom ?? issue.code), message: missing ? 'is required' : issue.message },
  ]
}

/**
 * `value` checked as `what` (e.g. 'the article') against `schema`: a JSON object, not too deep,
 * well-formed Unicode, no read-only members, then the schema; every failing field is reported.
 */
export function parseObject<T>(
  schema: z.ZodType<T>,
  value: unknown,
  what: string,
): { ok: true; data: T } | { ok: false; errors: FieldError[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, errors: [{ field: '(body)', code: 'invalid_type', message: `${what} must be a JSON object` }] }
  }
  const shape = shapeErrors(value)
  if (shape.length > 0) return { ok: false, errors: shape }
  const readOnly = readOnlyErrors(value)
  if (readOnly.length > 0) return { ok: false, errors: readOnly }
  const parsed = schema.safeParse(value)
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.flatMap((issue) => issueErrors(value, issue, what)) }
  return { ok: true, data: parsed.data }
}
