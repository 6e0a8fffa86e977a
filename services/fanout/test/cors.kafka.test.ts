// /v1/sse across origins: a ticker embedded on a news site falls back to SSE from another origin,
// so allowed origins get CORS headers (and a preflight answer); others are refused.
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import { uniquePrefix } from '../../../test/helpers.ts'
import { startTestFanout } from './helpers.ts'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
}

function ask(url: string, method: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      // The SSE stream stays open: the status and headers are all this test needs
      resolve({ status: res.statusCode ?? 0, headers: res.headers })
      res.destroy()
    })
    req.on('error', reject)
    req.end()
  })
}

test('SSE from an allowed origin carries CORS headers; preflight answered; other origins refused', async (t) => {
  const fanout = await startTestFanout(t, uniquePrefix(), { FANOUT_ALLOWED_ORIGINS: 'https://news.example' })
  const sse = `${fanout.url}/v1/sse?channels=breaking`

  const allowed = await ask(sse, 'GET', { origin: 'https://news.example', accept: 'text/event-stream' })
  assert.equal(allowed.status, 200)
  assert.equal(allowed.headers['access-control-allow-origin'], 'https://news.example')
  assert.equal(allowed.headers.vary, 'Origin')

  const preflight = await ask(sse, 'OPTIONS', {
    origin: 'https://news.example',
    'access-control-request-method': 'GET',
    'access-control-request-headers': 'last-event-id',
  })
  assert.equal(preflight.status, 204)
  assert.equal(preflight.headers['access-control-allow-origin'], 'https://news.example')
  assert.match(String(preflight.headers['access-control-allow-headers']), /Last-Event-ID/)

  const other = await ask(sse, 'GET', { origin: 'https://evil.example' })
  assert.equal(other.status, 403)
  assert.equal(other.headers['access-control-allow-origin'], undefined)

  const otherPreflight = await ask(sse, 'OPTIONS', { origin: 'https://evil.example', 'access-control-request-method': 'GET' })
  assert.equal(otherPreflight.headers['access-control-allow-origin'], undefined)
  assert.equal(otherPreflight.status, 404)
})
