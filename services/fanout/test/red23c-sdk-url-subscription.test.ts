// red23c attack run (2026-12-07; tried, held): an app hands the SDK a stream URL that names a
// subscription (`wss://…/v1/stream?channels=category:news`, copied from the docs of the URL
// subscription, or a URL a server before stop 52 ignored the parameters of). Found then: the server
// made that subscription with the SDK's own first id, `s1`, and the SDK showed the URL's view until
// its first reconnect. Since stop 53 the SDK names its own subscription in the URL and takes out
// any the app's URL named (services/client url-subscription.test.ts). Either way, after a dropped
// link the reader hears of the kill of a story it showed. The real endpoint over a hub harness, the
// SDK with ws' WebSocket.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { connect } from '../../client/src/index.ts'
import type { WebSocketConstructor } from '../../client/src/index.ts'
import { event } from './support/events.ts'
import type { Harness } from './support/harness.ts'
import { openAndHeld, serveEndpoint } from './support/ws-endpoint.ts'

async function until(h: Harness, done: () => boolean): Promise<boolean> {
  for (let i = 0; i < 300 && !done(); i++) {
    await h.settle()
    await new Promise((r) => setTimeout(r, 10))
  }
  return done()
}

for (const query of ['?channels=category:news', '?channels=category:news&id=s1', '?languages=en'])
  test(`an SDK given a stream URL naming a subscription (${query}) hears, after a dropped link, of the kill of a story it showed`, {
    timeout: 30_000,
  }, async (t) => {
    const h = await openAndHeld()
    t.after(() => h.hub.stop())
    const { port } = await serveEndpoint(t, h, 'red23c-sdk-url')
    const shows = new Set<string>()
    const client = connect(`ws://127.0.0.1:${port}/v1/stream${query}`, {
      channels: ['category:news'],
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      transport: 'websocket',
      backoff: { minMs: 1, maxMs: 5 },
    })
    t.after(() => client.close())
    let connected = 0
    client.on('state', ({ state }) => {
      if (state === 'connected') connected++
    })
    client.on('error', () => {})
    client.on('event', ({ event: e }) => shows.add(e.article.id))
    client.on('withdrawn', ({ articleId }) => shows.delete(articleId))
    client.on('reset', ({ snapshot }) => {
      shows.clear()
      for (const e of snapshot) shows.add(e.article.id)
    })
    const now = h.clock.now()
    h.append(event('CREATED', { id: 'story', version: 1 }, now), 0)
    assert.ok(await until(h, () => shows.has('story')), 'the story is shown')

    // the link drops; the story is killed while the reader is away; the SDK resumes
    const before = connected
    for (const conn of [...h.hub.conns.all()]) conn.transport.close(1012, 'service restart')
    h.append(event('WITHDRAWN', { id: 'story', version: 2 }, now + 1), 0)
    assert.ok(await until(h, () => connected > before), 'the SDK connected again')
    await until(h, () => !shows.has('story'))
    assert.ok(!shows.has('story'), `the killed story is still shown: ${JSON.stringify([...shows])}`)
  })
