// red23c attack run (2026-12-07): an upgrade the WebSocket handshake refuses counted against its
// address for good. The endpoint counted the address (FANOUT_MAX_CONNECTIONS_PER_IP) before ws
// made the handshake, and released it when the socket it opened closed: an upgrade ws answered
// 400 or 405 itself (a version it does not speak, no key, a malformed subprotocol, a POST), or one
// whose client had gone by the time it was answered (a token still being verified, a phone losing
// its network), never opened a socket, so its count stayed until the process restarted. Behind an
// ingress every reader comes from its addresses (deploy/README.md): a few thousand such requests,
// or a day of ordinary handshakes cut short, and every reader through that ingress pod was
// refused 4429, a reader who saw a story among them, kept from hearing of its kill. Over the real
// endpoint, with a limit of 2 per address.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { WebSocket } from 'ws'
import { signNewsroomToken } from '../src/token.ts'
import { openAndHeld, serveEndpoint } from './support/ws-endpoint.ts'

/** Sends one raw upgrade request; resolves with what the server answered before it closed (or after `waitMs`). */
async function rawUpgrade(
  port: number,
  lines: string[],
  o: { method?: string; halfClose?: boolean; waitMs?: number } = {},
): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let got = ''
  socket.on('data', (d) => {
    got += d.toString('latin1')
  })
  socket.on('error', () => undefined)
  const closed = once(socket, 'close')
  socket.write([`${o.method ?? 'GET'} /v1/stream HTTP/1.1`, 'Host: fanout', 'Connection: Upgrade', ...lines, '', ''].join('\r\n'))
  // the client gives up at once: it sends its FIN before the server answers
  if (o.halfClose) socket.end()
  await Promise.race([closed, new Promise((r) => setTimeout(r, o.waitMs ?? 2000))])
  socket.destroy()
  return got
}

const key = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='

/** Whether a reader from this address still gets its subscription answered. */
async function subscribes(port: number): Promise<{ ws: WebSocket; ok: boolean; close: number | null }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/stream?channels=breaking&id=s`)
  ws.on('error', () => undefined)
  let close: number | null = null
  ws.on('close', (code) => {
    close = code
  })
  const ok = await new Promise<boolean>((resolve) => {
    ws.on('message', (d) => resolve(String(d).startsWith('{"type":"subscribed"')))
    ws.on('close', () => resolve(false))
    setTimeout(() => resolve(false), 5000)
  })
  return { ws, ok, close }
}

test('an upgrade the handshake refuses, or one its client left, does not count against its address', { timeout: 60_000 }, async (t) => {
  const h = await openAndHeld()
  t.after(() => h.hub.stop())
  const { port } = await serveEndpoint(t, h, 'red23c-upgrade-address', undefined, undefined, { FANOUT_MAX_CONNECTIONS_PER_IP: '2' })
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET)
  const refused: [string, string[], { method?: string; halfClose?: boolean }][] = [
    ['a version ws does not speak', ['Upgrade: websocket', key, 'Sec-WebSocket-Version: 12'], {}],
    ['no key', ['Upgrade: websocket', 'Sec-WebSocket-Version: 13'], {}],
    ['a malformed subprotocol', ['Upgrade: websocket', key, 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: news wire'], {}],
    ['a POST', ['Upgrade: websocket', key, 'Sec-WebSocket-Version: 13'], { method: 'POST' }],
  ]
  for (const [what, lines, o] of refused) {
    for (let i = 0; i < 3; i++) {
      const answer = await rawUpgrade(port, lines, o)
      assert.match(answer, /^HTTP\/1\.1 40[05] /, `${what}: ws answers it`)
    }
    const a = await subscribes(port)
    const b = await subscribes(port)
    assert.ok(a.ok && b.ok, `after 3 upgrades with ${what}, readers from the address were refused (${a.close}, ${b.close})`)
    a.ws.terminate()
    b.ws.terminate()
    await new Promise((r) => setTimeout(r, 50))
  }
  // a newsroom reader whose link drops while its token is verified: its FIN is in before the answer
  for (let i = 0; i < 3; i++)
    await rawUpgrade(
      port,
      ['Upgrade: websocket', key, 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Protocol: newswire, newswire.bearer.${token}`],
      {
        halfClose: true,
        waitMs: 300,
      },
    )
  await new Promise((r) => setTimeout(r, 100))
  const a = await subscribes(port)
  const b = await subscribes(port)
  assert.ok(a.ok && b.ok, `after 3 handshakes whose clients left, readers from the address were refused (${a.close}, ${b.close})`)
  a.ws.terminate()
  b.ws.terminate()
})
