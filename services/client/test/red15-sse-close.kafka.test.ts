// The SDK on SSE against the real fan-out at a newsroom token's expiry (red15 attack run): the
// stream ends with `event: close` 4401 (services/fanout/src/http/sse.ts), and the SDK fails at
// once, as on a WebSocket, without asking again with the expired token (it reconnected, taking
// the end for a lost connection: red15-sse-close.test.ts has the cases without a broker).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { signNewsroomToken } from '../../fanout/src/index.ts'
import { startTestFanout } from '../../fanout/test/helpers.ts'
import { sleep, uniquePrefix } from '../../../test/helpers.ts'
import { connect, type FetchLike, type StateChange } from '../src/index.ts'

test('a newsroom SSE stream ended by the real fan-out at the token expiry fails at once, the token never sent again', {
  timeout: 60_000,
}, async (t) => {
  const fanout = await startTestFanout(t, uniquePrefix())
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 3, sub: 'editor' })
  const requests: string[] = []
  const counted: FetchLike = (url, init) => {
    requests.push(url)
    return fetch(url, init as RequestInit) as unknown as ReturnType<FetchLike>
  }
  const client = connect(fanout.url, { transport: 'sse', fetch: counted, channels: ['all'], token, giveUpAfterMs: Infinity })
  t.after(() => client.close())
  const states: StateChange[] = []
  client.on('state', (s) => states.push(s))
  client.on('error', () => {})
  const end = Date.now() + 15_000
  while (client.state !== 'failed' && Date.now() < end) await sleep(50)
  await sleep(3000) // a reconnect would have come by now (the stream's `retry:` is 2 s)
  assert.deepEqual(
    states.map((s) => s.state),
    ['connected', 'failed'],
    states.map((s) => `${s.state} ${s.reason ?? ''}`).join(' → '),
  )
  assert.equal(states.at(-1)?.error?.code, 'NEWSWIRE_ERR_CLIENT_UNAUTHORIZED')
  assert.match(states.at(-1)?.reason ?? '', /4401: token expired/)
  assert.equal(requests.filter((u) => u.includes('/v1/sse')).length, 1)
})
