// The JSON entry of a live story a source sends (field names of the Avro StoryEntry record, plus
// `version` and `correction` as for articles), validated with zod and normalized like an article:
// controls removed, NFC, whitespace; lengths checked on the normalized text.
import type { FieldError } from '@newswire/shared'
import { z } from 'zod'
import {
  correctionSchema,
  embargo,
  idSchema,
  instant,
  limits,
  nonEmpty,
  paragraphErrors,
  paragraphs,
  parseObject,
  pubStatusSchema,
  revisionSchema,
} from './fields.ts'
import type { CorrectionInput, SettablePubStatus } from './fields.ts'

/** A validated, normalized entry as sent by a source (no version or seq yet). */
export interface EntryInput {
  id: string
  /** The source's own revision of the entry, when it sends one. */
  revision: number | null
  headline: string | null
  body: string[]
  authors: string[]
  pinned: boolean
  keyEvent: boolean
  /** The entry's time for readers; null: kept on update, the update's time on creation. */
  publishedAt: number | null
  updatedAt: number | null
  /** Editorial control; undefined when not sent (or null): an update keeps the current status. */
  pubStatus: SettablePubStatus | undefined
  /** Editorial control; undefined when not sent: an update keeps the current embargo. null lifts it. */
  embargoedUntil: number | null | undefined
  correction: CorrectionInput | null
}

const entrySchema = z
  .object({
    id: idSchema,
    version: revisionSchema.nullish(),
    headline: nonEmpty(limits.headline).nullish(),
    body: z.union([z.string(), z.array(z.string())]).nullish(),
    authors: z.array(nonEmpty(limits.shortText)).max(limits.listItems).nullish(),
    pinned: z.boolean().nullish(),
    keyEvent: z.boolean().nullish(),
    publishedAt: instant('publishedAt').nullish(),
    updatedAt: instant('updatedAt').nullish(),
    pubStatus: pubStatusSchema(
      'an entry is killed with DELETE /v1/articles/{id}/entries/{entryId} (withdraw scope, with a reason), not by pubStatus',
    ).nullish(),
    embargoedUntil: embargo().nullish(),
    correction: correctionSchema.nullish(),
  })
  .strict()

export type EntryValidation = { ok: true; entry: EntryInput } | { ok: false; errors: FieldError[] }

export function validateEntry(value: unknown): EntryValidation {
  const parsed = parseObject(entrySchema, value, 'an entry')
  if (!parsed.ok) return parsed
  const e = parsed.data
  const body = paragraphs(e.body)
  const errors = paragraphErrors(body)
  const headline = e.headline && e.headline.length > 0 ? e.headline : null
  if (body.length === 0 && headline === null) errors.push({ field: 'body', code: 'required', message: 'body or headline is required' })
  if (errors.length > 0) return { ok: false, errors }
  return {
    ok: true,
    entry: {
      id: e.id,
      revision: e.version ?? null,
      headline,
      body,
      authors: e.authors ?? [],
      pinned: e.pinned ?? false,
      keyEvent: e.keyEvent ?? false,
      publishedAt: e.publishedAt ?? null,
      updatedAt: e.updatedAt ?? null,
      pubStatus: e.pubStatus ?? undefined,
      embargoedUntil: e.embargoedUntil,
      correction: e.correction ?? null,
    },
  }
}
