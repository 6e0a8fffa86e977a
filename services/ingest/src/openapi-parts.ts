// Pieces of the OpenAPI document shared by the article paths (openapi.ts) and the entry paths
// (openapi-entries.ts).
export const problem = { $ref: '#/components/schemas/Problem' }
export const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problem } } })
export const errors = {
  '400': problemResponse('Malformed JSON, invalid UTF-8, bad header'),
  '401': problemResponse('Missing or unknown API key'),
  '403': problemResponse(
    'The key lacks the required scope (`requiredScope` names it), or an importer tried to update an article it did not write',
  ),
  '413': problemResponse('Body too large'),
  '415': problemResponse('Wrong content type'),
  '422': problemResponse('Validation failed: `errors` names every failing field'),
  '429': problemResponse('Rate limit exceeded; see Retry-After'),
  '503': problemResponse(
    'kafka_unavailable: Kafka did not confirm the write: its outcome is unknown (it may have been committed). Retry after Retry-After with the same Idempotency-Key: you get the first answer if it was committed (same status, eventId, version), else it is written now. not_ready: this instance cannot read the latest state of the article or entry (another instance wrote it with a schema this release lacks); nothing was written: retry after Retry-After, on another instance if you can',
  ),
}
export const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', maxLength: 200 },
  description:
    'A retried request with the same key (and same body) gets the first answer; no second event. Other content under it: 422 idempotency_key_reused, except a kill, an erasure or an entry deletion, decided as if sent without a key.',
}
export const instant = {
  type: ['string', 'null'],
  format: 'date-time',
  description: 'ISO 8601 with a zone; impossible calendar dates are refused',
}
export const editorial = {
  pubStatus: {
    enum: ['usable', 'withheld', null],
    description:
      'Editorial control. Omitted or null: a new article is usable, an update keeps the current status. withheld holds it back; usable releases it. canceled is refused: kill with POST /v1/articles/{id}/withdraw',
  },
  embargoedUntil: {
    ...instant,
    description:
      'Editorial control. Omitted: a new article has no embargo, an update keeps the current one. null lifts the embargo (on POST and batch lines too): leave it out unless the editor lifts it; a client that writes unset members as null lifts every embargo',
  },
}
export const stringList = { type: 'array', items: { type: 'string' } }

/** A correction note sent with an update (IPTC signal sig:correction). */
export const correctionInput = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['note'],
  properties: {
    note: {
      type: 'string',
      minLength: 1,
      maxLength: 1000,
      description: 'What was corrected, for readers (cleaned, NFC; 1-1000 characters)',
    },
    at: { ...instant, description: "When it was corrected; default the update's updatedAt, else ingest's clock" },
  },
  description:
    'On an update only (on a write that creates: 422 nothing_to_correct): appended to corrections and carried by the event. A note equal to the latest one adds nothing to an update that changes nothing else (a retry).',
}

/**
 * A kill's reason (withdraw, erase, an entry's DELETE): every reader who saw what it kills gets it,
 * the public included (the fan-out's `withdrawn.reason`, `entryWithdrawn.reason`).
 */
export const reasonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 1000,
  description:
    'Shown to every reader who saw what it kills, the public included: write it for readers ("legal reasons"), never a name or a note meant for the desk',
}
