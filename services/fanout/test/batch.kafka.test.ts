// Batches over the real WebSocket endpoint: a client that asks for them (`?batch=1`) gets the
// messages of a pass in as few frames as fit, a message per line, and exactly the messages a
// client without batches gets, one per frame.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { WebSocket } from 'ws'
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
