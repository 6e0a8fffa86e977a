// A fake fan-out for the embeds' browser tests: the page, the scripts, and a stream whose frames
// the test writes (red16-failed-embeds, red20-banner-notes-after-hold).
import { createServer } from 'node:http'
import type { TestContext } from 'node:test'
import { buildWebAssets } from '../../services/fanout/build/bundle.ts'
import { fakeStream } from './fake-stream.ts'

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
  const stream = await fakeStream(t, server, (ws, sub) => {
    for (const frame of onSubscribe(sub)) ws.send(JSON.stringify(frame))
  })
  return {
    url: `${stream.url}/`,
    send: (frame: unknown) => {
      for (const ws of stream.sockets) ws.send(JSON.stringify(frame))
    },
    restartRefusing: stream.restartRefusing,
  }
}
