// A fake fan-out for the embeds' browser tests: the page, the scripts, and a stream whose frames
// the test writes (red16-failed-embeds, red20-banner-notes-after-hold).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import { type WebSocket, WebSocketServer } from 'ws'
import { buildWebAssets } from '../../services/fanout/build/bundle.ts'

/**
 * A fake fan-out: serves `html` at `/` and the embeds (ticker.js, story.js, built from source); on
 * /v1/stream every subscribe gets `onSubscribe`'s frames and every ping its pong, `send` writes a
 * frame to every connection, and after `restartRefusing` every connection is closed (1012) and
 * every later one refused with 1008 at once, as the fan-out closes an origin it no longer allows.
 */
export async function fakeEmbedFanout(t: TestContext, html: string, onSubscribe: (sub: { id: string; channels: string[] }) => unknown[]) {
  const scripts = await buildWebAssets()
  const server = createServer((req, res) => {
    const name = req.url === '/ticker.js' ? 'ticker' : req.url === '/story.js' ? 'story' : null
    if (name) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
      res.end(scripts.get(name))
      return
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(html)
  })
  const wss = new WebSocketServer({ server, path: '/v1/stream' })
  const sockets: WebSocket[] = []
  let refuse = false
  wss.on('connection', (ws) => {
    if (refuse) {
      ws.close(1008, 'origin not allowed')
      return
    }
    sockets.push(ws)
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; id: string; channels: string[] }
      if (m.type === 'subscribe') for (const frame of onSubscribe(m)) ws.send(JSON.stringify(frame))
      if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong', id: m.id }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    wss.close()
    server.closeAllConnections()
    server.close()
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    send: (frame: unknown) => {
      for (const ws of sockets) ws.send(JSON.stringify(frame))
    },
    /** The operator takes the site's origin off the list and restarts: 1012, then 1008 on every reconnect. */
    restartRefusing: () => {
      refuse = true
      for (const ws of sockets) ws.close(1012, 'service restart')
    },
  }
}
