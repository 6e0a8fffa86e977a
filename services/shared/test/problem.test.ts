import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { NewswireError } from '../src/errors.ts'
import { problem, problemCatalogue, problemCodes, ProblemError, sendProblem, toProblem } from '../src/problem.ts'

test('every code has an error status, a title, and a type URL derived from the code', () => {
  assert.ok(problemCodes.length > 10)
  for (const code of problemCodes) {
    const { status, title } = problemCatalogue[code]
    assert.ok(status >= 400 && status < 600, code)
    assert.ok(title.length > 0, code)
    const p = problem(code, 'detail')
    assert.equal(p.type, `https://newswire.dev/problems/${code.replaceAll('_', '-')}`)
    assert.deepEqual([p.status, p.code, p.detail], [status, code, 'detail'])
  }
})

test('toProblem: a ProblemError as it is, Kafka unavailability 503 with Retry-After, anything else 500 without details', () => {
  const refused = new ProblemError('conflict', 'stale', { currentVersion: 4 })
  assert.equal(toProblem(refused), refused)
  assert.equal(refused.code, 'conflict')
  assert.equal(refused.problem.currentVersion, 4)

  const down = toProblem(new NewswireError('NEWSWIRE_ERR_KAFKA_UNAVAILABLE', 'Kafka did not acknowledge within 10 ms'))
  assert.equal(down.problem.status, 503)
  assert.equal(down.problem.code, 'kafka_unavailable')
  assert.equal(down.problem.detail, 'Kafka did not acknowledge within 10 ms')
  assert.deepEqual(down.headers, { 'Retry-After': '5' })

  for (const err of [new Error('secret path /etc/x'), new NewswireError('NEWSWIRE_ERR_CONFIG', 'bad'), 'a string', null]) {
    const p = toProblem(err)
    assert.equal(p.problem.status, 500)
    assert.equal(p.problem.code, 'internal')
    assert.doesNotMatch(p.problem.detail, /secret|bad/)
  }
})

test('sendProblem writes application/problem+json with the status and headers on a plain Node response', async (t) => {
  const server = createServer((_req, res) => {
    res.setHeader('x-trace-id', 'abc')
    sendProblem(res, new ProblemError('rate_limited', 'slow down', { limit: 5 }, { 'Retry-After': '2' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
  assert.equal(res.status, 429)
  assert.equal(res.headers.get('content-type'), 'application/problem+json')
  assert.equal(res.headers.get('retry-after'), '2')
  assert.equal(res.headers.get('x-trace-id'), 'abc')
  const body = (await res.json()) as Record<string, unknown>
  assert.deepEqual(body, {
    type: 'https://newswire.dev/problems/rate-limited',
    title: 'Too many requests',
    status: 429,
    code: 'rate_limited',
    detail: 'slow down',
    limit: 5,
  })
})
