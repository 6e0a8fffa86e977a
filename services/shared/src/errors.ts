// One catalogue of error codes for the shared package; services add their own.
export const errorCodes = [
  'NEWSWIRE_ERR_CONFIG',
  'NEWSWIRE_ERR_CODEC_MAGIC',
  'NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA',
  'NEWSWIRE_ERR_CODEC_TRUNCATED',
  'NEWSWIRE_ERR_CODEC_CORRUPT',
  'NEWSWIRE_ERR_CODEC_INVALID',
  'NEWSWIRE_ERR_KAFKA_UNAVAILABLE',
  /** A Kafka transaction failed; `details.stage` says whether its commit may have landed. */
  'NEWSWIRE_ERR_KAFKA_TRANSACTION',
  /** kafkajs was about to send records again that a broker had acknowledged (a duplicate): refused. */
  'NEWSWIRE_ERR_KAFKA_RESEND',
  /** kafkajs resolved a send that left a partition out (its retry skips a broker that already answered): aborted. */
  'NEWSWIRE_ERR_KAFKA_UNSENT',
  /** news.articles holds records away from their key's partition: partitions were added (placement.ts). */
  'NEWSWIRE_ERR_TOPICS_REPARTITIONED',
  /** news.articles is not compacted alone (cleanup.policy): it would drop kills (topics.ts compactionProblem). */
  'NEWSWIRE_ERR_TOPIC_NOT_COMPACTED',
  /** The Kafka brokers refused the SASL login (KAFKA_SASL_*): a start-up failure (kafka-connect.ts). */
  'NEWSWIRE_ERR_KAFKA_AUTH',
  /** The TLS handshake with the Kafka brokers failed (KAFKA_SSL*): a start-up failure (kafka-connect.ts). */
  'NEWSWIRE_ERR_KAFKA_TLS',
  /** The Kafka brokers closed the first connection unanswered: TLS or SASL missing on our side? (kafka-connect.ts). */
  'NEWSWIRE_ERR_KAFKA_CLOSED',
] as const
export type ErrorCode = (typeof errorCodes)[number]

export interface NewswireErrorOptions {
  cause?: unknown
  retriable?: boolean
  details?: Record<string, unknown>
}

export class NewswireError extends Error {
  readonly code: ErrorCode
  readonly retriable: boolean
  readonly details: Record<string, unknown>
  constructor(code: ErrorCode, message: string, options: NewswireErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'NewswireError'
    this.code = code
    this.retriable = options.retriable ?? false
    this.details = options.details ?? {}
  }
}

/** True when `err` carries this code (a NewswireError, or anything with the same `code`). */
export function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}

/** A NewswireError, optionally with one particular code: the typed way to branch on errors. */
export function isNewswireError(err: unknown, code?: ErrorCode): err is NewswireError {
  return err instanceof NewswireError && (code === undefined || err.code === code)
}
