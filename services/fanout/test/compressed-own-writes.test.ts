// Compressed batches over a real socket (http/websocket.ts, the real endpoint over the hub
// harness): what the fan-out hands a `?batch=1&deflate=1` connection's socket has RSV1 set only
// on its group's writes. Its own writes (the `subscribed` snapshot, a `pong`) go uncompressed,
// whatever the framing could do with them (README threat model, compression side channels), and
// a client that limited the server's window gets no compressed frame at all.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { serveEndpoint } from './support/ws-endpoint.ts'

const RSV1 = 0x40
/** A story long enough to be compressed (DEFLATE_THRESHOLD) in a snapshot or a batch. */
const story = (id: string) =>
  event('CREATED', { id, version: 1, breaking: true, urgency: 1, body: [`${id}: ${'খবর এসেছে। '.repeat(40)}`] }, 0)

/** Each frame in the bytes written to a socket (server frames: unmasked), with whether it is compressed. */
function frames(bytes: Buffer): { rsv1: boolean; text: string }[] {
  const out: { rsv1: boolean; text: string }[] = []
  for (let at = 0; at < bytes.length; ) {
    const len7 = (bytes[at + 1] as number) & 0x7f
    const head = len7 === 127 ? 10 : len7 === 126 ? 4 : 2
    const n = len7 === 127 ? Number(bytes.readBigUInt64BE(at + 2)) : len7 === 126 ? bytes.readUInt16BE(at + 2) : len7
    const rsv1 = ((bytes[at] as number) & RSV1) !== 0
    out.push({ rsv1, text: rsv1 ? '' : bytes.subarray(at + head, at + head + n).toString() })
    at += head + n
  }
  return out
}

test("a compressed-batch connection's socket gets RSV1 on its group's writes only", async (t) => {
  const h = new Harness()
  h.append(story('before'))
  h.start()
  const { port, upgraded } = await serveEndpoint(t, h, 'compressed-own-writes-test')

  /** Opens a connection; returns the fan-out's writes to its socket after the handshake, and the socket. */
  const open = async (offer: true | { serverMaxWindowBits: number }) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/stream?batch=1&deflate=1`, { perMessageDeflate: offer })
    let read = 0
    ws.on('message', () => read++)
    ws.on('error', () => undefined)
    await once(ws, 'open')
    const socket = upgraded.at(-1) as Socket
    const writes: Buffer[] = []
    const write = socket.write.bind(socket) as (chunk: Buffer) => boolean
    socket.write = ((chunk: Buffer, ...rest: unknown[]) => {
      writes.push(Buffer.from(chunk))
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest)
    }) as Socket['write']
    return { ws, writes, read: () => read }
  }
  const full = await open(true)
  const limited = await open({ serverMaxWindowBits: 10 })
  assert.match(full.ws.extensions, /^permessage-deflate/)
  assert.match(limited.ws.extensions, /^permessage-deflate/)
  for (const c of [full, limited]) c.ws.send(JSON.stringify({ type: 'subscribe', id: 'b', channels: ['breaking'] }))
  while (full.read() < 1 || limited.read() < 1) await h.settle()
  h.append(story('after'))
  await h.settle()
  for (const c of [full, limited]) c.ws.send(JSON.stringify({ type: 'ping', id: 'p' }))
  while (full.read() < 3 || limited.read() < 3) await h.settle()

  const seen = (c: typeof full) =>
    frames(Buffer.concat(c.writes)).map((f) =>
      f.rsv1 ? 'compressed' : (JSON.parse(f.text.split('\n')[0] as string) as { type: string }).type,
    )
  assert.deepEqual(seen(full), ['subscribed', 'compressed', 'pong'], "the group's event compressed; its own writes not")
  assert.deepEqual(seen(limited), ['subscribed', 'event', 'pong'], 'a limited window: nothing compressed')
  assert.ok(frames(full.writes[0] as Buffer)[0]?.text.includes('before'), 'the snapshot, uncompressed, holds the story before')
})
