// A TCP proxy in front of a test server that keeps what an edge proxy or CDN would log: the request
// line of every request and upgrade (path and query), and, for checks of what the server answers,
// every byte it sent back. Closed when the test ends.
import { once } from 'node:events'
import { connect, createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'

export interface LoggingProxy {
  /** host:port to send requests to. */
  host: string
  /** `GET /v1/sse?… HTTP/1.1` and the like, in order of arrival. */
  requestLines(): string[]
  /** What the server sent back, every connection's bytes as latin1 text. */
  answered(): string
}

const requestLine = /^(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \S+ HTTP\/1\.[01]$/

export async function loggingProxy(t: TestContext, upstreamPort: number): Promise<LoggingProxy> {
  const sent: string[] = []
  const back: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const i = sent.push('') - 1
    const j = back.push('') - 1
    const upstream = connect(upstreamPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('data', (b: Buffer) => {
      sent[i] += b.toString('latin1')
      upstream.write(b)
    })
    upstream.on('data', (b: Buffer) => {
      back[j] += b.toString('latin1')
      client.write(b)
    })
    client.on('end', () => upstream.end())
    upstream.on('end', () => client.end())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    // WebSocket frames after an upgrade are masked binary: only whole lines that read as a request line count
    requestLines: () => sent.flatMap((text) => text.split('\r\n').filter((l) => requestLine.test(l))),
    answered: () => back.join(''),
  }
}
