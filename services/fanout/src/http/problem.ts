// HTTP errors of the fan-out as RFC 9457 problem details (application/problem+json), the shape
// ingest answers with: a stable `code`, a `title` per code and the specific `detail`.
import type { ServerResponse } from 'node:http'

export const fanoutProblems = {
  bad_message: { status: 400, title: 'The subscription in the query is not valid' },
  bad_channel: { status: 400, title: 'A channel is not valid' },
  invalid_position: { status: 400, title: 'The position is not valid' },
  forbidden_channel: { status: 403, title: 'This channel needs a newsroom token' },
  forbidden_filter: { status: 400, title: 'This filter needs a newsroom token' },
  invalid_cursor: { status: 400, title: 'The page cursor is not valid' },
  unauthorized: { status: 401, title: 'The newsroom token is not valid' },
  origin: { status: 403, title: 'This origin is not allowed' },
  not_found: { status: 404, title: 'Not found' },
  too_many_connections: { status: 429, title: 'Too many connections from this address' },
  not_ready: { status: 503, title: 'The service is not ready' },
  internal: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>

export type FanoutProblemCode = keyof typeof fanoutProblems

const isCode = (c: string): c is FanoutProblemCode => Object.hasOwn(fanoutProblems, c)

/** Answers with a problem; `status` overrides the code's own (e.g. a protocol error code on a 400). */
export function sendProblem(res: ServerResponse, status: number, code: string, detail: string, headers: Record<string, string> = {}): void {
  const title = isCode(code) ? fanoutProblems[code].title : 'The request cannot be served'
  const body = { type: `https://newswire.dev/problems/${code.replaceAll('_', '-')}`, title, status, code, detail }
  res.writeHead(status, { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers })
  res.end(JSON.stringify(body))
}
