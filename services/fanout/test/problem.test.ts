// The fan-out's HTTP errors (src/http/problem.ts): admission refusals under their problem codes,
// stream protocol codes the catalogue lacks as `bad_message`, and never a cached answer.
import assert from 'node:assert/strict'
import type { ServerResponse } from 'node:http'
import { test } from 'node:test'
import { sendProblem } from '../src/http/problem.ts'

/** What sendProblem writes: its status, headers and problem body. */
function answer(code: string, headers: Record<string, string> = {}) {
  const out = { status: 0, headers: {} as Record<string, string>, body: {} as Record<string, unknown> }
  const res = {
    writeHead(status: number, h: Record<string, string>) {
      out.status = status
      out.headers = h
      return res
    },
    end(body: string) {
      out.body = JSON.parse(body) as Record<string, unknown>
      return res
    },
  }
  sendProblem(res as unknown as ServerResponse, code, 'why', headers)
  return out
}

test('admission refusals answer under their problem codes; the SDK gives up on 403 and waits on 429', () => {
  assert.deepEqual([answer('origin').status, answer('origin').body.code], [403, 'origin_not_allowed'])
  assert.deepEqual([answer('per_ip').status, answer('per_ip').body.code], [429, 'too_many_connections'])
  assert.deepEqual([answer('unauthorized').status, answer('unauthorized').body.code], [401, 'unauthorized'])
})

test('a stream protocol code the catalogue lacks is a bad_message; every problem is no-store, with the headers given', () => {
  assert.deepEqual([answer('bad_filter').status, answer('bad_filter').body.code], [400, 'bad_message'])
  for (const code of ['origin', 'not_found', 'not_ready', 'bad_filter'])
    assert.equal(answer(code).headers['cache-control'], 'no-store', code)
  assert.equal(answer('not_ready', { 'retry-after': '1' }).headers['retry-after'], '1')
})
