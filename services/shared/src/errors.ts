// One catalogue of error codes for the shared package; services add their own.
export const errorCodes = [
  'NEWSWIRE_ERR_CONFIG',
  'NEWSWIRE_ERR_CODEC_MAGIC',
  'NEWSWIRE_ERR_CODEC_UNKNOWN_SCHEMA',
  'NEWSWIRE_ERR_CODEC_TRUNCATED',
  'NEWSWIRE_ERR_CODEC_CORRUPT',
  'NEWSWIRE_ERR_CODEC_INVALID',
  'NEWSWIRE_ERR_KAFKA_UNAVAILABLE',
] as const
export type ErrorCode = (typeof errorCodes)[number]

export interface NewswireErrorOptions {
  cause?: unknown
  retriable?: boolean
  details?: Record<string, unknown>
}

export class NewswireError extends Error {
  readonly code: string
  readonly retriable: boolean
  readonly details: Record<string, unknown>
  constructor(code: string, message: string, options: NewswireErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'NewswireError'
    this.code = code
    this.retriable = options.retriable ?? false
    this.details = options.details ?? {}
  }
}

export function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}
