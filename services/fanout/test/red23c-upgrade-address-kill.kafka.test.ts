// red23c attack run (2026-12-07), real processes: ingest, the fan-out and the broker. A public
// reader is shown a story; its link drops; from its address (behind an ingress, every reader's)
// someone sends upgrades ws refuses itself (a POST); the reader resumes from its last position as
// the SDK does. The story is killed meanwhile. Before the fix each refused upgrade
// stayed counted against the address for good, and the reader was refused 4429 "too many
// connections from this address" and never heard of the kill (unit case:
// red23c-upgrade-address-count.test.ts).
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect as tcp } from 'node:net'
import { test } from 'node:test'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, connect, publish, publishedTo, startTestFanout, withdraw } from './helpers.ts'

async function refusedUpgrade(url: URL): Promise<string> {
  // from the reader's own address
  const socket = tcp(Number(url.port), url.hostname.replace(/^\[|\]$/g, ''))
  await once(socket, 'connect')
  let got = ''
  socket.on('data', (d) => {
    got += d.toString('latin1')
  })
  socket.on('error', () => undefined)
  socket.write(
    [
      'POST /v1/stream HTTP/1.1',
      'Host: fanout',
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  )
  await Promise.race([once(socket, 'close'), new Promise((r) => setTimeout(r, 2000))])
  socket.destroy()
  return got
}

test('upgrades refused by the handshake do not lock a reader out of the resume that brings a kill', { timeout: 120_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, { FANOUT_MAX_CONNECTIONS_PER_IP: '3' })
  const reader = await connect(t, fanout.wsUrl)
  reader.send({ type: 'subscribe', id: 's', channels: ['category:national'] })
  await reader.next((m) => m.type === 'subscribed')
  await publish(ingest.url, article('story-1', { urgency: 5 }))
  const shown = await reader.next((m) => m.type === 'event')
  const position = shown.position as string

  // the link drops; meanwhile, refused upgrades from the address (each stayed counted, up to the limit)
  reader.ws.terminate()
  await reader.closed
  await new Promise((r) => setTimeout(r, 200))
  for (let i = 0; i < 5; i++) assert.match(await refusedUpgrade(new URL(fanout.wsUrl)), /^HTTP\/1\.1 405 /)
  await withdraw(ingest.url, 'story-1', 'legal')
  await fanout.settled(publishedTo(ingest.url))

  const again = await connect(t, fanout.wsUrl)
  again.send({ type: 'subscribe', id: 's', channels: ['category:national'], since: position })
  const told = await Promise.race([
    again.next((m) => m.type === 'withdrawn' && m.articleId === 'story-1', 10_000).then(() => 'told'),
    again.closed.then((c) => `closed ${c.code} ${c.reason}`),
  ])
  assert.equal(told, 'told', 'the reader who saw the story never heard of its kill')
})
