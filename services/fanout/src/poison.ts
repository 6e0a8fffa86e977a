// Poison records in news.article-events: bytes that are not a known Avro single-object
// ArticleEvent. Each one is counted by a bounded reason, copied (bytes untouched) to the
// dead-letter topic and skipped, so the tail never stalls on it. The copy is sent in the
// background (the live path never waits for Kafka) and flushed by close().
import { hasCode } from '@newswire/shared'
import type { DeadLetterQueue, Logger, PoisonRecord } from '@newswire/shared'

/** Bounded `reason` label values of newswire_fanout_decode_errors_total and the `dlq-reason` header. */
export const poisonReasons = ['not_avro', 'unknown_schema', 'truncated', 'corrupt', 'invalid', 'other'] as const
export type PoisonReason = (typeof poisonReasons)[number]

const byCode: ReadonlyArray<readonly [string, PoisonReason]> = [
  ['NEWSWIRE_ERR_CODEC_MAGIC', 'not_avro'],
  ['NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA', 'unknown_schema'],
  ['NEWSWIRE_ERR_CODEC_TRUNCATED', 'truncated'],
  ['NEWSWIRE_ERR_CODEC_CORRUPT', 'corrupt'],
  ['NEWSWIRE_ERR_CODEC_INVALID', 'invalid'],
]

/** Classifies a decode error by its code (never by message text). */
export function poisonReason(err: unknown): PoisonReason {
  for (const [code, reason] of byCode) if (hasCode(err, code)) return reason
  return 'other'
}

export interface PoisonHandlerOptions {
  /** null: count and skip only (FANOUT_DLQ=false). */
  dlq: DeadLetterQueue | null
  log: Logger
  counted: (reason: PoisonReason) => void
  /** A DLQ copy was written (`sent`) or could not be (`failed`, logged; the record is still skipped). */
  deadLettered: (result: 'sent' | 'failed') => void
}

export interface PoisonHandler {
  /**
   * Counts, logs and dead-letters one undecodable record; never throws, never waits. `erased`: its
   * key was erased, so its bytes (the erased text) are not copied (red13b attack run: a fan-out
   * started after an erasure copied them again, for the DLQ's retention anew).
   */
  handle(record: PoisonRecord, err: unknown, erased?: boolean): void
  /** Waits for the DLQ copies in flight, then disconnects the DLQ producer. */
  close(): Promise<void>
}

export function createPoisonHandler(o: PoisonHandlerOptions): PoisonHandler {
  const inflight = new Set<Promise<void>>()
  let closed = false
  return {
    handle(record, err, erased = false) {
      const reason = poisonReason(err)
      const detail = err instanceof Error ? err.message : String(err)
      o.counted(reason)
      o.log.warn({ reason, detail, erased, source: `${record.topic}[${record.partition}]@${record.offset}` }, 'undecodable event skipped')
      if (!o.dlq || closed || erased) return
      const p = o.dlq.send(record, reason, detail).then(
        () => o.deadLettered('sent'),
        (sendErr: unknown) => {
          o.deadLettered('failed')
          o.log.error({ err: sendErr, reason, source: `${record.topic}[${record.partition}]@${record.offset}` }, 'dead-letter copy failed')
        },
      )
      inflight.add(p)
      void p.finally(() => inflight.delete(p))
    },
    async close() {
      closed = true
      await Promise.all([...inflight])
      await o.dlq?.close()
    },
  }
}
