// RFC 9457 problem details. Every rejected request gets one, with a stable `code` and, for
// validation failures, every failing field in `errors`.
import type { Response } from 'express'
import type { FieldError } from './validate.ts'

export const problemCodes = {
  validation_failed: { status: 422, title: 'The article is not valid' },
  malformed_json: { status: 400, title: 'The body is not valid JSON' },
  invalid_utf8: { status: 400, title: 'The body is not valid UTF-8' },
  invalid_body: { status: 400, title: 'The body cannot be used' },
  payload_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  unauthorized: { status: 401, title: 'An API key is required' },
  forbidden: { status: 403, title: 'The API key lacks the scope for this operation' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'The article conflicts with the stored version' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key reused for a different request' },
  invalid_header: { status: 400, title: 'A request header is not valid' },
  rate_limited: { status: 429, title: 'Too many requests' },
  kafka_unavailable: {
    status: 503,
    // A commit can time out on our side and still land: say so, and how to find out safely
    title: 'Kafka did not acknowledge the write; retry with the same Idempotency-Key or content (a write that did land answers unchanged)',
  },
  not_ready: { status: 503, title: 'The service is not ready' },
  internal: { status: 500, title: 'Internal error' },
} as const

export type ProblemCode = keyof typeof problemCodes

export interface Problem {
  type: string
  title: string
  status: number
  code: ProblemCode | string
  detail: string
  errors?: FieldError[]
  [extra: string]: unknown
}

export class ProblemError extends Error {
  readonly problem: Problem
  readonly headers: Record<string, string>
  constructor(code: ProblemCode, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(detail)
    this.name = 'ProblemError'
    this.problem = makeProblem(code, detail, extra)
    this.headers = headers
  }
}

export function makeProblem(code: ProblemCode, detail: string, extra: Record<string, unknown> = {}): Problem {
  const { status, title } = problemCodes[code]
  return { type: `https://newswire.dev/problems/${code.replaceAll('_', '-')}`, title, status, code, detail, ...extra }
}

export function sendProblem(res: Response, problem: Problem, headers: Record<string, string> = {}): void {
  res.status(problem.status).set(headers).type('application/problem+json').send(JSON.stringify(problem))
}
