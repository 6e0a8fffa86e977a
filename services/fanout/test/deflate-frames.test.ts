// Compressed batches (deflate-frames.ts): batch frames compressed once, with no context
// takeover, read back by ws' own Receiver with permessage-deflate negotiated, as a client does.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Writable } from 'node:stream'
import * as wsModule from 'ws'
import { DEFLATE_THRESHOLD, deflateFrames } from '../src/deflate-frames.ts'
import { wsBatchFrame, wsTextFrameOf } from '../src/messages.ts'

type ReceiverLike = Writable & { on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): unknown }
interface Extension {
  accept(offers: Record<string, unknown[]>[]): unknown
}
const { Receiver, PerMessageDeflate } = wsModule as unknown as {
  Receiver: new (o: { isServer: boolean; maxPayload: number; extensions?: Record<string, Extension> }) => ReceiverLike
  PerMessageDeflate: new (o: Record<string, unknown>, isServer: boolean, maxPayload: number) => Extension
}

/**
 * What a client reads from `bytes`, with the extension negotiated or not: each text message, or the
 * error; once `lines` lines (messages of a batch) have come, or after 10 s.
 */
async function read(bytes: Buffer, negotiated: boolean, lines: number): Promise<string[] | Error> {
  const extensions: Record<string, Extension> = {}
  if (negotiated) {
    const pmd = new PerMessageDeflate({}, false, 0)
    pmd.accept([{ server_no_context_takeover: [true], client_no_context_takeover: [true] }])
    extensions['permessage-deflate'] = pmd
  }
  const r = new Receiver({ isServer: false, maxPayload: 0, extensions })
  const out: string[] = []
  let error: Error | null = null
  let read = 0
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    done = resolve
  })
  r.on('message', (data) => {
    const text = data.toString('utf8')
    out.push(text)
    read += text.split('\n').length
    if (read >= lines) done()
  })
  r.on('error', (err: unknown) => {
    error = err as Error
    done()
  })
  for (let i = 0; i < bytes.length && error === null; i += 1000) r.write(bytes.subarray(i, i + 1000))
  // inflating is asynchronous (zlib's thread pool): wait for the messages, not a fixed time (50 ms
  // was cut short at load 13)
  const timer = setTimeout(done, 10_000)
  await finished
  clearTimeout(timer)
  return error ?? out
}

const bengali = (i: number, n: number) => JSON.stringify({ type: 'event', i, text: 'খবর এসেছে '.repeat(n) })

test('compressed batch frames read back as the same messages, in order, and are smaller', async () => {
  const messages = Array.from({ length: 40 }, (_, i) => bengali(i, 60 + i))
  const plain = wsBatchFrame(messages.map((m) => wsTextFrameOf(m)))
  const z = deflateFrames(plain)
  assert.ok(z.length < plain.length / 3, `${z.length} of ${plain.length} bytes`)
  const lines = await read(z, true, messages.length)
  assert.ok(Array.isArray(lines), String(lines))
  assert.deepEqual(
    lines.flatMap((f) => f.split('\n')),
    messages,
  )
  assert.match(
    String(await read(z, false, messages.length)),
    /RSV1 must be clear/,
    'they are compressed: a client without the extension refuses them',
  )
})

test('at level 0 a frame is stored blocks, larger than the payload, and still reads back', async () => {
  const messages = Array.from({ length: 5 }, (_, i) => bengali(i, 40))
  const plain = wsBatchFrame(messages.map((m) => wsTextFrameOf(m)))
  const z = deflateFrames(plain, 0)
  assert.ok(z.length > plain.length, `${z.length} of ${plain.length} bytes`)
  assert.equal((z[0] as number) & 0x40, 0x40, 'RSV1: compressed')
  assert.deepEqual(await read(z, true, messages.length), [messages.join('\n')])
})

test('a frame under the threshold goes as it is, readable with or without the extension', async () => {
  const json = JSON.stringify({ type: 'pong', pad: 'x'.repeat(DEFLATE_THRESHOLD - 30) })
  const small = wsTextFrameOf(json)
  assert.deepEqual(deflateFrames(small), small)
  assert.deepEqual(await read(deflateFrames(small), false, 1), [json])
  assert.deepEqual(await read(deflateFrames(small), true, 1), [json])
})
