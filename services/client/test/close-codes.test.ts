import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { closeDisposition, httpDisposition } from '../src/index.ts'

describe('close codes', () => {
  const table: [number, boolean, number][] = [
    // code, retry?, minimum backoff step
    [1000, true, 0],
    [1001, true, 0],
    [1006, true, 0],
    [1008, false, 0],
    [1009, true, 0],
    [1011, true, 0],
    [1012, true, 0],
    [1013, true, 2],
    [4008, true, 2],
    [4400, false, 0],
    [4401, false, 0],
    [4429, true, 4],
  ]
  for (const [code, retry, minStep] of table) {
    test(`${code}: ${retry ? `retry (step >= ${minStep})` : 'no retry'}`, () => {
      const d = closeDisposition(code, 'why')
      assert.equal(d.retry, retry)
      if (d.retry) assert.equal(d.minStep, minStep)
      assert.match(d.reason, new RegExp(`${code}: why`))
    })
  }

  test('4401 says why and that it will not retry', () => {
    const d = closeDisposition(4401, 'token expired')
    assert.equal(d.retry, false)
    assert.ok(!d.retry && d.errorCode === 'NEWSWIRE_ERR_CLIENT_UNAUTHORIZED')
    assert.match(d.reason, /unauthorized.*not retrying.*4401: token expired/)
  })

  test('4429 waits at least 5 s', () => {
    const d = closeDisposition(4429, '')
    assert.ok(d.retry && d.minDelayMs >= 5_000)
  })

  test('HTTP statuses of a refused SSE request or WebSocket handshake', () => {
    assert.equal(httpDisposition(401, '').retry, false)
    assert.equal(httpDisposition(403, '').retry, false)
    assert.equal(httpDisposition(400, '').retry, false)
    assert.equal(httpDisposition(429, '').retry, true)
    assert.equal(httpDisposition(502, '').retry, true)
    assert.equal(httpDisposition(404, '').retry, true)
  })
})
