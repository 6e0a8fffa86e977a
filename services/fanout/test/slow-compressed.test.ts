// Slow clients of compressed batches (`?batch=1&deflate=1`): the slow-client limits read the
// socket's queue in the bytes it was handed, compressed (README, "Slow clients"), not in the
// messages' own bytes. The real WebSocket endpoint over the hub harness, real sockets: the
// server's side of each connection is corked once subscribed, so what the fan-out writes stays in
// its queue, as behind a reader that stopped reading, and nothing of it is counted twice.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { serveEndpoint } from './support/ws-endpoint.ts'

const LIMIT = 64 * 1024
const SLOW_MS = 1000

/** A 2.5 KB message of Bengali text with the same keys as the next: about 7 to 1 compressed, as the fixture's are. */
const story = (i: number) =>
  event('CREATED', { id: `s${i}`, version: 1, breaking: true, urgency: 1, body: [`${i}: ${'খবর এসেছে, ঢাকা থেকে। '.repeat(40)}`] }, 0)

interface Reader {
  /** The server's side of the connection: its queue is what the limits read. */
  server: Socket
  /** Every message the client read, in order. */
  messages: { type: string; event?: { article: { id: string } } }[]
  extensions: string
  closed: Promise<number>
}

test('a compressed reader that stops reading is held to FANOUT_MAX_BUFFERED_BYTES of wire bytes, then dropped with 4008', async (t) => {
  const h = new Harness({ limits: { maxBufferedBytes: LIMIT, maxPending: 1000, slowClientMs: SLOW_MS } })
  h.start()
  const { port, upgraded } = await serveEndpoint(t, h, 'slow-compressed-test')

  const open = async (query: string): Promise<Reader> => {
    // ws offers permessage-deflate, as browsers do
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/stream?${query}`, { maxPayload: 1 << 24 })
    const messages: Reader['messages'] = []
    ws.on('message', (data) => {
      for (const line of String(data).split('\n')) messages.push(JSON.parse(line) as Reader['messages'][number])
    })
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
    ws.on('error', () => undefined)
    await once(ws, 'open')
    const server = upgraded.at(-1) as Socket
    ws.send(JSON.stringify({ type: 'subscribe', id: 'b', channels: ['breaking'] }))
    while (!messages.some((m) => m.type === 'subscribed')) await h.settle()
    return { server, messages, extensions: ws.extensions, closed }
  }
  const compressed = await open('batch=1&deflate=1')
  const batched = await open('batch=1')
  assert.match(compressed.extensions, /^permessage-deflate/)
  assert.equal(batched.extensions, '')
  for (const r of [compressed, batched]) r.server.cork()

  // one story a pass: each pass is a group write, compressed once for the compressed reader
  const messageBytes = Buffer.byteLength(JSON.stringify(story(0)))
  const writtenUntilFull = { compressed: 0, batched: 0 }
  let i = 0
  for (; i < 400 && compressed.server.writableLength < LIMIT; i++) {
    h.append(story(i))
    await h.settle()
    if (batched.server.writableLength < LIMIT) writtenUntilFull.batched = i + 1
    writtenUntilFull.compressed = i + 1
  }
  const queued = compressed.server.writableLength
  assert.ok(queued >= LIMIT, `the compressed reader's socket reached the limit (${queued} bytes after ${i} stories)`)
  // the limit is met in wire bytes: several times the limit in messages went to the socket first
  assert.ok(
    writtenUntilFull.compressed * messageBytes > 4 * LIMIT,
    `${writtenUntilFull.compressed} stories of ${messageBytes} B before ${LIMIT} B of wire bytes`,
  )
  assert.ok(
    writtenUntilFull.compressed > 4 * writtenUntilFull.batched,
    `compressed ${writtenUntilFull.compressed}, batched ${writtenUntilFull.batched} stories before the limit`,
  )

  // over the limit: nothing more is written to it (its queue held at the limit plus one write) ...
  for (let j = 0; j < 30; j++, i++) h.append(story(i))
  await h.settle()
  assert.equal(compressed.server.writableLength, queued, 'nothing written once over the limit')
  // ... and blocked past FANOUT_SLOW_CLIENT_MS it is dropped with 4008
  await h.tick(SLOW_MS + 1)
  h.append(story(i++))
  await h.settle()
  assert.equal(await h.metrics.slowDisconnects.get().then((m) => m.values[0]?.value), 2, 'both readers dropped')

  // reading again, each finds what the socket held, in order, then the close
  for (const r of [compressed, batched]) r.server.uncork()
  assert.equal(await compressed.closed, 4008)
  assert.equal(await batched.closed, 4008)
  const ids = (r: Reader) => r.messages.filter((m) => m.type === 'event').map((m) => m.event?.article.id)
  assert.deepEqual(
    ids(compressed),
    Array.from({ length: writtenUntilFull.compressed }, (_, k) => `s${k}`),
  )
})
