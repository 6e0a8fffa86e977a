// Batches over the real WebSocket endpoint: a client that asks for them (`?batch=1`) gets the
// messages of a pass in as few frames as fit, a message per line, and exactly the messages a
// client without batches gets, one per frame.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { openWebSocket } from '../../client/src/ws-transport.ts'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, publishBatch, startTestFanout } from './helpers.ts'

test('a client asking for batches gets the same messages in fewer frames; others keep one message per frame', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const open = async (url: string) => {
    const ws = new WebSocket(url)
    const frames: string[] = []
    ws.on('message', (data) => frames.push(String(data)))
    t.after(() => ws.terminate())
    await once(ws, 'open')
    ws.send(JSON.stringify({ type: 'subscribe', id: 'b', channels: ['breaking'] }))
    return frames
  }
  const single = await open(fanout.wsUrl)
  const batched = await open(`${fanout.wsUrl}?batch=1`)
  const events = (frames: string[]) => frames.flatMap((f) => f.split('\n')).filter((m) => m.startsWith('{"type":"event"'))
  const until = async (pred: () => boolean) => {
    const end = Date.now() + 15_000
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out: ${events(single).length} / ${events(batched).length} events`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  await until(() => single.length > 0 && batched.length > 0)

  // one NDJSON request: the fan-out reads the events together and writes each pass once
  const n = 60
  await publishBatch(
    ingest.url,
    Array.from({ length: n }, (_, i) => article(`batch-${i}`, { urgency: 1, body: [`Paragraph ${i}.`] })),
  )
  await until(() => events(single).length === n && events(batched).length === n)

  assert.deepEqual(events(batched), events(single), 'the same messages, in the same order')
  assert.ok(
    single.every((f) => !f.includes('\n')),
    'without batches, one message per frame',
  )
  const multi = batched.filter((f) => f.includes('\n'))
  assert.ok(multi.length > 0, `some frames hold several messages (${batched.length} frames for ${n} events)`)
  for (const f of multi) for (const line of f.split('\n')) JSON.parse(line)
})

test('compressed batches (FANOUT_BATCH_DEFLATE, on by default): `?batch=1&deflate=1` negotiates permessage-deflate and reads the same messages; other clients do not', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const open = async (url: string, serverMaxWindowBits?: number) => {
    // ws offers permessage-deflate by default, as browsers do
    const ws = new WebSocket(url, serverMaxWindowBits ? { perMessageDeflate: { serverMaxWindowBits } } : {})
    const frames: string[] = []
    ws.on('message', (data) => frames.push(String(data)))
    t.after(() => ws.terminate())
    await once(ws, 'open')
    ws.send(JSON.stringify({ type: 'subscribe', id: 'b', channels: ['breaking'] }))
    return { ws, frames }
  }
  const batched = await open(`${fanout.wsUrl}?batch=1`)
  const deflated = await open(`${fanout.wsUrl}?batch=1&deflate=1`)
  const plainAsking = await open(`${fanout.wsUrl}?deflate=1`)
  // a client may limit the server's window (RFC 7692 server_max_window_bits): the frames compressed
  // once with a window of 15 bits are not for it, so it gets its batches uncompressed
  const smallWindow = await open(`${fanout.wsUrl}?batch=1&deflate=1`, 9)
  assert.equal(smallWindow.ws.extensions, 'permessage-deflate')
  assert.equal(batched.ws.extensions, '')
  assert.equal(plainAsking.ws.extensions, '', 'deflate=1 without batch=1 is not compressed batches')
  assert.match(deflated.ws.extensions, /^permessage-deflate/)
  const events = (frames: string[]) => frames.flatMap((f) => f.split('\n')).filter((m) => m.startsWith('{"type":"event"'))
  const until = async (pred: () => boolean) => {
    const end = Date.now() + 15_000
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out: ${events(batched.frames).length} / ${events(deflated.frames).length} events`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  const all = [batched, deflated, plainAsking, smallWindow]
  await until(() => all.every((c) => c.frames.length > 0))
  const n = 60
  await publishBatch(
    ingest.url,
    Array.from({ length: n }, (_, i) => article(`deflate-${i}`, { urgency: 1, body: [`অনুচ্ছেদ ${i}: `.repeat(20)] })),
  )
  await until(() => all.every((c) => events(c.frames).length === n))
  assert.deepEqual(events(deflated.frames), events(batched.frames), 'the same messages, in the same order')
  assert.deepEqual(events(plainAsking.frames), events(batched.frames))
  assert.deepEqual(events(smallWindow.frames), events(batched.frames))
  assert.ok(
    deflated.frames.some((f) => f.includes('\n')),
    'batched as well',
  )
})

test('FANOUT_BATCH_DEFLATE=false: `?batch=1&deflate=1` gets plain batches, no extension', async (t) => {
  const fanout = await startTestFanout(t, uniquePrefix(), { FANOUT_BATCH_DEFLATE: 'false' })
  const ws = new WebSocket(`${fanout.wsUrl}?batch=1&deflate=1`)
  t.after(() => ws.terminate())
  await once(ws, 'open')
  assert.equal(ws.extensions, '')
})

test("compressed batches through the SDK's own WebSocket transport: every event once, in order, as plain batches; the wire carries fewer bytes", async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const sockets: { url: string; extensions: string }[] = []
  // ws' class (it offers permessage-deflate, as browsers do), kept to read what was negotiated
  class Kept extends WebSocket {
    constructor(url: string) {
      super(url)
      const kept = { url, extensions: '' }
      sockets.push(kept)
      this.on('upgrade', (res) => {
        kept.extensions = String(res.headers['sec-websocket-extensions'] ?? '')
      })
    }
  }
  const open = (deflate?: boolean) => {
    const got: { events: string[]; errors: string[]; opened: boolean } = { events: [], errors: [], opened: false }
    const transport = openWebSocket(
      fanout.wsUrl,
      Kept,
      {
        open: () => {
          got.opened = true
          transport.send({ type: 'subscribe', id: 'b', channels: ['breaking'] })
        },
        frame: (f) => {
          if (f.type === 'event') got.events.push(f.event.article.id)
        },
        activity: () => {},
        retryHint: () => {},
        protocolError: (err) => got.errors.push(err.message),
        closed: (info) => got.errors.push(`closed ${info.code} ${info.reason}`),
      },
      // a browser asks by itself; in Node the SDK does not, unless told
      ...(deflate === undefined ? [] : [deflate]),
    )
    t.after(() => transport.close(1000, 'done'))
    return got
  }
  const compressed = open(true)
  const plain = open()
  const until = async (pred: () => boolean) => {
    const end = Date.now() + 15_000
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out: ${compressed.events.length} / ${plain.events.length} events`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  await until(() => compressed.opened && plain.opened)
  assert.equal(sockets[0]?.extensions, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover')
  assert.equal(sockets[1]?.extensions, '', 'in Node the SDK does not ask')
  assert.match(sockets[0]?.url ?? '', /[?&]batch=1&deflate=1$/)
  const metric = async (name: string) => {
    const text = await (await fetch(`${fanout.url}/metrics`)).text()
    return Number(new RegExp(`^${name}\\{[^}]*transport="ws"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0)
  }
  const [framed0, wire0] = [await metric('newswire_fanout_bytes_sent_total'), await metric('newswire_fanout_wire_bytes_sent_total')]
  const n = 60
  const ids = Array.from({ length: n }, (_, i) => `sdk-deflate-${i}`)
  await publishBatch(
    ingest.url,
    ids.map((id, i) => article(id, { urgency: 1, body: [`অনুচ্ছেদ ${i}: `.repeat(20)] })),
  )
  await until(() => compressed.events.length >= n && plain.events.length >= n)
  await new Promise((r) => setTimeout(r, 200))
  assert.deepEqual(compressed.errors, [])
  assert.equal(compressed.events.length, n, 'each event once')
  assert.deepEqual(compressed.events, plain.events, 'the same events, in the same order')
  assert.deepEqual([...compressed.events].sort(), [...ids].sort())
  // two readers of the same events, one compressed: the sockets got well under the framed bytes
  const framed = (await metric('newswire_fanout_bytes_sent_total')) - framed0
  const wire = (await metric('newswire_fanout_wire_bytes_sent_total')) - wire0
  assert.ok(framed > 0 && wire < framed * 0.75, `wire ${wire} B of ${framed} B framed`)
})
