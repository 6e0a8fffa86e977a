// The fan-out frames WebSocket messages once and writes the bytes to many sockets (messages.ts,
// through ws' Sender.frame). Their bytes are checked by reading them back with ws' own Receiver,
// as a client would: every length class, a head and tail framed apart, and batches (several
// messages in one frame, a message per line).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Writable } from 'node:stream'
import * as wsModule from 'ws'
import { BATCH_BYTES, wsBatchFrame, wsTextFrame, wsTextFrameOf, wsTextFrameParts } from '../src/messages.ts'

type ReceiverLike = Writable & { on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): unknown }
const { Receiver } = wsModule as unknown as { Receiver: new (o: { isServer: boolean; maxPayload: number }) => ReceiverLike }

/** What a ws client reads from `bytes`: each text message, in order. */
async function read(bytes: Buffer): Promise<string[]> {
  const r = new Receiver({ isServer: false, maxPayload: 0 })
  const out: string[] = []
  let error: unknown = null
  r.on('message', (data, isBinary) => {
    assert.equal(isBinary, false)
    out.push(data.toString('utf8'))
  })
  r.on('error', (err: unknown) => {
    error = err
  })
  // in pieces, as TCP hands them over
  for (let i = 0; i < bytes.length; i += 1000) r.write(bytes.subarray(i, i + 1000))
  await new Promise<void>((resolve) => r.end(resolve))
  assert.equal(error, null)
  return out
}

const text = (n: number) => `{"t":"${'ক'.repeat(Math.floor(n / 6))}${'a'.repeat(n % 6)}"}`

test('a frame made once reads back as the message, in every length class', async () => {
  for (const n of [0, 100, 125, 126, 1500, 65_535, 65_536, 200_000]) {
    const json = text(n)
    for (const f of [wsTextFrame(Buffer.from(json)), wsTextFrameOf(json)]) {
      assert.equal(f[0], 0x81, 'final text frame')
      assert.equal((f[1] as number) & 0x80, 0, 'a server does not mask')
      assert.deepEqual(await read(f), [json])
    }
    const cut = Math.floor(json.length / 2)
    assert.deepEqual(await read(wsTextFrameParts(json.slice(0, cut), Buffer.from(json.slice(cut)))), [json])
  }
})

test('a batch is one frame holding its messages a line each, up to BATCH_BYTES; one message stays its own frame', async () => {
  const sizes = [10, 2000, 70_000, 124, 30_000, 25_000, 9000, 200, 40_000, 100]
  const messages = sizes.map((n, i) => (i === 3 ? '{"type":"pong"}' : text(n)))
  const parts = await read(wsBatchFrame(messages.map((m) => wsTextFrameOf(m))))
  assert.deepEqual(
    parts.flatMap((p) => p.split('\n')),
    messages,
    'every message, in order',
  )
  let next = 0
  for (const part of parts) {
    const lines = part.split('\n').length
    if (lines > 1) assert.ok(Buffer.byteLength(part) <= BATCH_BYTES, 'a batch holds at most BATCH_BYTES')
    next += lines
    // batches are as full as they may be: the next message would not have fitted
    const following = messages[next]
    if (following !== undefined) assert.ok(Buffer.byteLength(part) + 1 + Buffer.byteLength(following) > BATCH_BYTES)
  }
  assert.ok(parts.length > 2 && parts.length < messages.length, `${parts.length} frames for ${messages.length} messages`)
  const small = Array.from({ length: 40 }, (_, i) => `{"type":"event","n":${i}}`)
  assert.deepEqual(await read(wsBatchFrame(small.map((m) => wsTextFrameOf(m)))), [small.join('\n')])
  const one = wsTextFrameOf(messages[1] as string)
  assert.equal(wsBatchFrame([one]), one, 'a lone message is sent as it is')
})
