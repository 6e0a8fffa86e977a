// The fake fan-outs' /v1/stream (fake-embed-fanout.ts, fake-desk-fanout.ts): every ping gets its
// pong, every subscribe goes to the fake's own answer, and after `restartRefusing` every
// connection is closed (1012) and every later one refused with 1008 at once, as the fan-out
// closes an origin it no longer allows. It listens on a loopback port; closed when the test ends.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import { type WebSocket, WebSocketServer } from 'ws'

export interface Subscribe {
  id: string
  channels: string[]
}

export async function fakeStream(t: TestContext, server: Server, onSubscribe: (ws: WebSocket, sub: Subscribe) => void) {
  const wss = new WebSocketServer({ server, path: '/v1/stream' })
  /** The open connections. */
  const sockets = new Set<WebSocket>()
  let refuse = false
  wss.on('connection', (ws) => {
    if (refuse) {
      ws.close(1008, 'origin not allowed')
      return
    }
    sockets.add(ws)
    ws.on('close', () => sockets.delete(ws))
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string } & Subscribe
      if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong', id: m.id }))
      if (m.type === 'subscribe') onSubscribe(ws, m)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    wss.close()
    server.closeAllConnections()
    server.close()
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sockets,
    /** The operator takes the site's origin off the list and restarts: 1012, then 1008 on every reconnect. */
    restartRefusing: () => {
      refuse = true
      for (const ws of sockets) ws.close(1012, 'service restart')
    },
  }
}
