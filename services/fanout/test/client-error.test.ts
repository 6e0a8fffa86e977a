// A connection that never completes its request gets its 408 even while it is still sending:
// the server ends the socket (Node's own answer destroys it, and the reset that follows the
// client's next bytes makes its kernel drop the 408 unread).
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { answerClientError } from '../src/http/client-error.ts'

async function slowClient(port: number, readAfterMs: number): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  socket.pause()
  socket.on('error', () => {})
  socket.write('GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
  // keep sending header bytes without reading, past the timeout
  const drip = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write('a')
  }, 10)
  await sleep(readAfterMs)
  clearInterval(drip)
  let data = ''
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    data += chunk
  })
  socket.resume()
  await Promise.race([once(socket, 'close'), sleep(3000).then(() => assert.fail(`not closed; read ${JSON.stringify(data)}`))])
  return data
}

test('a handshake that times out while the client still sends gets 408, then the close', async (t) => {
  const server = createServer({ connectionsCheckingInterval: 50 })
  server.headersTimeout = 200
  server.requestTimeout = 200
  server.on('clientError', answerClientError(2000))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => server.close())
  const { port } = server.address() as AddressInfo
  const answers = await Promise.all(Array.from({ length: 5 }, () => slowClient(port, 700)))
  for (const a of answers) assert.match(a, /^HTTP\/1\.1 408 Request Timeout\r\nConnection: close\r\n\r\n$/)
})

test('a malformed request gets 400 and a header flood 431, on a fresh connection', async (t) => {
  const server = createServer({ maxHeaderSize: 1024 })
  server.on('clientError', answerClientError(2000))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => server.close())
  const { port } = server.address() as AddressInfo
  const send = async (raw: string) => {
    const socket = connect(port, '127.0.0.1')
    socket.setEncoding('latin1')
    let data = ''
    socket.on('data', (c: string) => {
      data += c
    })
    socket.on('error', () => {})
    socket.write(raw)
    await once(socket, 'close')
    return data
  }
  assert.match(await send('NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/)
  assert.match(await send(`GET / HTTP/1.1\r\nX-Big: ${'b'.repeat(4096)}\r\n\r\n`), /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
})
