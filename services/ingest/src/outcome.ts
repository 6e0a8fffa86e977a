// What ingest answers for a write, and the answer a committed event stands for, so a retry that
// reaches another instance (which learns the Idempotency-Key from the record headers) gets it too.
import { isEntryEvent } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import type { Actor } from './decide.ts'

export type ArticleOutcome =
  | {
      status: 201 | 200
      body: { id: string; version: number; eventId: string; type: 'CREATED' | 'UPDATED' | 'WITHDRAWN'; changedFields?: string[] }
    }
  | { status: 200; body: { id: string; version: number; unchanged: true } }

export type EntryOutcome =
  | {
      status: 201 | 200
      body: {
        storyId: string
        id: string
        seq: number
        version: number
        eventId: string
        type: 'ENTRY_CREATED' | 'ENTRY_UPDATED' | 'ENTRY_DELETED'
        changedFields?: string[]
      }
    }
  | { status: 200; body: { storyId: string; id: string; seq: number; version: number; unchanged: true } }

export type Outcome = ArticleOutcome | EntryOutcome

export interface RequestContext {
  actor: Actor
  traceId: string
  /** `<key name>:<Idempotency-Key>` or null. */
  idempotencyKey: string | null
  /** Fingerprint of the request content, to refuse a reused key with other content. */
  requestHash: string
  /** The API key's id (auth.ts keyIdOf), stored with a keyed answer; absent: none (a job of ingest's own). */
  keyId?: string
  /**
   * It can only take something down: a route of the `withdraw` scope (a kill, an erasure, an entry's
   * deletion) or a patch that only holds or embargoes (takedown.ts).
   */
  takesDown?: true
}

export interface Remembered {
  /** null: committed in a record this instance cannot decode (a newer ingest's schema). */
  outcome: Outcome | null
  requestHash: string
  /** The API key that gave it (auth.ts keyIdOf); absent in records written before it was stored. */
  by?: string
}

/**
 * The fingerprint of a remembered answer: the key that gave it, its Idempotency-Key (scoped) and
 * its request's hash. Only the same request again, by the same key, matches it (a leaked key's
 * answers pushed out bind no one: red22c).
 */
export const answerPrint = (key: string, by: string | undefined, requestHash: string): string =>
  `${by ?? ''}\u0000${key}\u0000${requestHash}`

/** The answer a committed event stands for. */
export function outcomeOf(event: NewswireEvent): Outcome {
  if (isEntryEvent(event)) {
    const { id, seq, version } = event.entry
    const body = { storyId: event.article.id, id, seq, version, eventId: event.eventId }
    if (event.type === 'ENTRY_CREATED') return { status: 201, body: { ...body, type: 'ENTRY_CREATED' } }
    if (event.type === 'ENTRY_DELETED') return { status: 200, body: { ...body, type: 'ENTRY_DELETED' } }
    return { status: 200, body: { ...body, type: 'ENTRY_UPDATED', changedFields: event.changedFields } }
  }
  const { id, version } = event.article
  if (event.type === 'CREATED') return { status: 201, body: { id, version, eventId: event.eventId, type: 'CREATED' } }
  if (event.type === 'WITHDRAWN') return { status: 200, body: { id, version, eventId: event.eventId, type: 'WITHDRAWN' } }
  return { status: 200, body: { id, version, eventId: event.eventId, type: 'UPDATED', changedFields: event.changedFields } }
}
