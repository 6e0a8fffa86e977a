// The per-address limit behind an ingress (FANOUT_TRUSTED_PROXIES): every reader arrives from the
// ingress's address, so without it the limit (here 2) refused the third reader on the site. With
// the ingress trusted, each reader is its own address: the same reader's third connection is
// refused (4429 / 429), other readers are not. The real fan-out; loopback plays the ingress.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { uniquePrefix } from '../../../test/helpers.ts'
import { connect, startTestFanout } from './helpers.ts'

const LIMIT = { FANOUT_MAX_CONNECTIONS_PER_IP: '2' }

test('behind a trusted proxy each reader is counted by its own address', { timeout: 60_000 }, async (t) => {
  const fanout = await startTestFanout(t, uniquePrefix(), { ...LIMIT, FANOUT_TRUSTED_PROXIES: 'loopback' })
  const open = async (reader: string) => {
    const c = await connect(t, `${fanout.wsUrl}?channels=breaking`, { headers: { 'x-forwarded-for': reader } })
    const first = await Promise.race([c.next((m) => m.type === 'subscribed').then(() => 'subscribed'), c.closed.then((x) => x.code)])
    return first
  }
  for (const reader of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.1']) assert.equal(await open(reader), 'subscribed', reader)
  assert.equal(await open('203.0.113.1'), 4429, "the same reader's third")
  const sse = await fetch(`${fanout.url}/v1/sse?channels=breaking`, { headers: { 'x-forwarded-for': '203.0.113.1' } })
  assert.equal(sse.status, 429, 'SSE counts the same address')
  await sse.body?.cancel()
})

test('without it, the proxy is one address for all', { timeout: 60_000 }, async (t) => {
  const fanout = await startTestFanout(t, uniquePrefix(), LIMIT)
  const codes: (string | number)[] = []
  for (const reader of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
    const c = await connect(t, `${fanout.wsUrl}?channels=breaking`, { headers: { 'x-forwarded-for': reader } })
    codes.push(await Promise.race([c.next((m) => m.type === 'subscribed').then(() => 'subscribed'), c.closed.then((x) => x.code)]))
  }
  assert.deepEqual(codes, ['subscribed', 'subscribed', 4429])
})
