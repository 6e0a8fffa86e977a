// The bench's RTT relay (sdk-connect): bytes either way wait half the RTT, the first a client
// sends one RTT more (the TCP handshake a real link charges), in order. Only lower bounds are
// checked: a loaded machine may be late, never early.
import assert from 'node:assert/strict'
import net from 'node:net'
import { test } from 'node:test'
import { startDelayLink } from './delay-link.ts'

test('an echo through the link takes the handshake and a round trip at least, and keeps the bytes in order', async (t) => {
  const echo = net.createServer((s) => s.pipe(s))
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
  t.after(() => echo.close())
  const rtt = 60
  const link = await startDelayLink({ host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port }, rtt)
  t.after(() => link.close())
  const socket = net.connect(link.port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  const got: Buffer[] = []
  const arrived: number[] = []
  socket.on('data', (b) => {
    got.push(b)
    arrived.push(performance.now())
  })
  const t0 = performance.now()
  socket.write('first;')
  await new Promise((r) => setTimeout(r, 3 * rtt))
  const t1 = performance.now()
  for (let i = 0; i < 50; i++) socket.write(`${i};`)
  while (Buffer.concat(got).toString().split(';').length < 52) await new Promise((r) => setTimeout(r, 5))
  socket.destroy()
  // a millisecond of slack: timers are rounded to whole milliseconds
  assert.ok((arrived[0] ?? 0) - t0 >= 2 * rtt - 1, `first echo after ${(arrived[0] ?? 0) - t0} ms`)
  const later = arrived.find((x) => x > t1) ?? 0
  assert.ok(later - t1 >= rtt - 1, `a later echo after ${later - t1} ms`)
  assert.equal(Buffer.concat(got).toString(), `first;${Array.from({ length: 50 }, (_, i) => `${i};`).join('')}`)
})
