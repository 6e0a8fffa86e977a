// HTTP errors of the fan-out as RFC 9457 problem details, from the one catalogue in
// services/shared (problem.ts): a stable `code`, its status and title, and the specific `detail`.
import type { ServerResponse } from 'node:http'
import { ProblemError, problemCatalogue, sendProblem as send } from '@newswire/shared'
import type { ProblemCode } from '@newswire/shared'

const isCode = (c: string): c is ProblemCode => Object.hasOwn(problemCatalogue, c)

/** Admission refusals (their metric labels) as problem codes. */
const aliases: Readonly<Record<string, ProblemCode>> = {
  origin: 'origin_not_allowed',
  per_ip: 'too_many_connections',
  // FANOUT_TOKEN_IN_URL=refuse: the token must come another way (401); two tokens: a bad request (400)
  token_in_url: 'unauthorized',
  // a revoked token: as any other the server will not take (401)
  revoked: 'unauthorized',
  two_tokens: 'bad_message',
}

/**
 * Answers with the problem for `code`: a catalogue code, an admission refusal, or a stream
 * protocol error code (those the catalogue does not list are a `bad_message`). Never cached.
 */
export function sendProblem(res: ServerResponse, code: string, detail: string, headers: Record<string, string> = {}): void {
  const known = aliases[code] ?? (isCode(code) ? code : 'bad_message')
  send(res, new ProblemError(known, detail, {}, { 'cache-control': 'no-store', ...headers }))
}
