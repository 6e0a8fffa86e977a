// RFC 9457 problem details, the one error catalogue of Newswire's HTTP APIs. Clients branch on
// `code` (stable, listed below) and never on `title` or `detail`, which are for people.
//
//   throw new ProblemError('conflict', 'revision 3 is older than the stored version 5', { currentVersion: 5 })
//   ...
//   catch (err) { sendProblem(res, toProblem(err)) }
import type { ServerResponse } from 'node:http'
import { isNewswireError } from './errors.ts'

/** Every problem code with its HTTP status and fixed title. */
export const problemCatalogue = {
  invalid_body: { status: 400, title: 'The body cannot be used' },
  malformed_json: { status: 400, title: 'The body is not valid JSON' },
  invalid_utf8: { status: 400, title: 'The body is not valid UTF-8' },
  invalid_header: { status: 400, title: 'A request header is not valid' },
  // the fan-out's stream requests (GET /v1/sse) and pages
  bad_message: { status: 400, title: 'The subscription in the request is not valid' },
  bad_channel: { status: 400, title: 'A channel is not valid' },
  invalid_position: { status: 400, title: 'The position is not valid' },
  invalid_cursor: { status: 400, title: 'The page cursor is not valid' },
  forbidden_filter: { status: 400, title: 'This filter needs a newsroom token' },
  unauthorized: { status: 401, title: 'A valid API key or token is required' },
  forbidden: { status: 403, title: 'The credentials do not allow this operation' },
  forbidden_channel: { status: 403, title: 'This channel needs a newsroom token' },
  origin_not_allowed: { status: 403, title: 'This origin is not allowed' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'The request conflicts with the stored state' },
  payload_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  validation_failed: { status: 422, title: 'The request is not valid' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key reused for a different request' },
  idempotency_answer_forgotten: { status: 409, title: 'This request was answered before; its answer is no longer kept' },
  idempotency_keys_full: { status: 429, title: 'This API key sent more keyed requests than ingest can remember' },
  rate_limited: { status: 429, title: 'Too many requests' },
  too_many_connections: { status: 429, title: 'Too many connections from this address' },
  internal: { status: 500, title: 'Internal error' },
  // The outcome is unknown, not "nothing happened": a commit can land after we gave up on it
  kafka_unavailable: {
    status: 503,
    title: 'Kafka did not confirm the write; retry with the same Idempotency-Key to learn its outcome',
  },
  not_ready: { status: 503, title: 'The service is not ready' },
} as const satisfies Record<string, { status: number; title: string }>

export type ProblemCode = keyof typeof problemCatalogue
export const problemCodes = Object.keys(problemCatalogue) as readonly ProblemCode[]

/** Codes only the fan-out answers with (its stream requests and pages); the rest are ingest's too. */
export const streamProblemCodes = [
  'bad_message',
  'bad_channel',
  'invalid_position',
  'invalid_cursor',
  'forbidden_filter',
  'forbidden_channel',
  'origin_not_allowed',
  'too_many_connections',
] as const satisfies readonly ProblemCode[]

/** One failing field of a request: its JSON path (`body[2]`, `headline`), a code and a message. */
export interface FieldError {
  field: string
  code: string
  message: string
}

export interface Problem {
  type: string
  title: string
  status: number
  code: ProblemCode
  detail: string
  errors?: FieldError[]
  [extra: string]: unknown
}

export const problemTypeBase = 'https://newswire.dev/problems/'

/** The problem body for `code`; `extra` members (e.g. `errors`, `currentVersion`) are added as they are. */
export function problem(code: ProblemCode, detail: string, extra: Record<string, unknown> = {}): Problem {
  const { status, title } = problemCatalogue[code]
  return { type: `${problemTypeBase}${code.replaceAll('_', '-')}`, title, status, code, detail, ...extra }
}

/** A refusal on its way to the client: the problem body and the response headers that go with it. */
export class ProblemError extends Error {
  readonly problem: Problem
  readonly headers: Readonly<Record<string, string>>
  constructor(code: ProblemCode, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(detail)
    this.name = 'ProblemError'
    this.problem = problem(code, detail, extra)
    this.headers = headers
  }

  get code(): ProblemCode {
    return this.problem.code
  }
}

/** Seconds a client should wait before retrying after Kafka did not confirm a write. */
export const KAFKA_RETRY_AFTER_SECONDS = 5

/**
 * Anything thrown, as a problem: a ProblemError as it is, a NewswireError by its code, anything
 * else `internal` (500, with a detail that leaks nothing; log the original).
 */
export function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err
  if (isNewswireError(err, 'NEWSWIRE_ERR_KAFKA_UNAVAILABLE')) {
    return new ProblemError('kafka_unavailable', err.message, {}, { 'Retry-After': String(KAFKA_RETRY_AFTER_SECONDS) })
  }
  return new ProblemError('internal', 'unexpected error; see the service log')
}

/** Writes `application/problem+json` on any Node response (express's included). */
export function sendProblem(res: ServerResponse, p: ProblemError): void {
  const body = JSON.stringify(p.problem)
  res.writeHead(p.problem.status, {
    ...p.headers,
    'content-type': 'application/problem+json',
    'content-length': String(Buffer.byteLength(body)),
  })
  res.end(body)
}
