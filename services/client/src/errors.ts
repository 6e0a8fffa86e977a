// The SDK's error catalogue. Classify by `code`, not by instanceof.

export const clientErrorCodes = [
  /** 4401 or HTTP 401: bad or expired token. Not retried. */
  'NEWSWIRE_ERR_CLIENT_UNAUTHORIZED',
  /** 1008 or HTTP 403: origin or policy refused. Not retried. */
  'NEWSWIRE_ERR_CLIENT_POLICY',
  /** 4400 or HTTP 400: the server could not understand the client. Not retried. */
  'NEWSWIRE_ERR_CLIENT_BAD_REQUEST',
  /** The give-up policy (maxRetries / giveUpAfterMs) ended the client. */
  'NEWSWIRE_ERR_CLIENT_GAVE_UP',
  /** SSE: two responses in a row without a byte after their head (a proxy holds the stream back). Not retried. */
  'NEWSWIRE_ERR_CLIENT_HELD_BACK',
  /** The server sent an `error` frame (details.serverCode, details.ref). */
  'NEWSWIRE_ERR_CLIENT_SERVER',
  /** A frame the SDK could not understand; it was skipped. */
  'NEWSWIRE_ERR_CLIENT_PROTOCOL',
  /** A listener threw; the SDK carried on. */
  'NEWSWIRE_ERR_CLIENT_LISTENER',
  /** `older()` or `counts()` failed: details.status and details.serverCode say why. */
  'NEWSWIRE_ERR_CLIENT_REQUEST',
] as const
export type ClientErrorCode = (typeof clientErrorCodes)[number]

export interface ClientErrorDetails {
  closeCode?: number
  status?: number
  serverCode?: string
  ref?: string
  [key: string]: unknown
}

export interface ClientErrorOptions {
  cause?: unknown
  retriable?: boolean
  details?: ClientErrorDetails
}

export class ClientError extends Error {
  readonly code: ClientErrorCode
  readonly retriable: boolean
  readonly details: ClientErrorDetails
  constructor(code: ClientErrorCode, message: string, options: ClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ClientError'
    this.code = code
    this.retriable = options.retriable ?? false
    this.details = options.details ?? {}
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
