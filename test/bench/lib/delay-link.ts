// A link with a round-trip time, for set-up figures that count round trips (sdk-connect): a TCP
// relay in the harness that hands each chunk on after half the RTT, either way. The relay's own
// TCP handshake is local and instant, so the first bytes a client sends are held one RTT more:
// the SYN / SYN-ACK a real link charges before a client can send anything. Order is kept (one
// delay for every chunk), and closes follow the bytes before them.
import net from 'node:net'

export interface DelayLink {
  port: number
  close(): Promise<void>
}

export async function startDelayLink(target: { host: string; port: number }, rttMs: number): Promise<DelayLink> {
  const oneWay = rttMs / 2
  const sockets = new Set<net.Socket>()
  const later = (ms: number, fn: () => void) => (ms > 0 ? setTimeout(fn, ms) : queueMicrotask(fn))
  const relay = (from: net.Socket, to: net.Socket, firstExtraMs: number) => {
    let extra = firstExtraMs
    from.on('data', (chunk) => {
      later(oneWay + extra, () => {
        if (!to.destroyed) to.write(chunk)
      })
      extra = 0
    })
    from.on('end', () => later(oneWay, () => to.end()))
    from.on('close', () => later(oneWay, () => to.destroy()))
    from.on('error', () => undefined)
  }
  const server = net.createServer((down) => {
    const up = net.connect(target.port, target.host)
    for (const s of [down, up]) {
      s.setNoDelay(true)
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    }
    relay(down, up, rttMs)
    relay(up, down, 0)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
