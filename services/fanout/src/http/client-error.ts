// What a connection that never made a complete request is told. Node's own answer writes the
// status and destroys the socket at once: a client still sending (a slow handshake, a drip of
// header bytes) then gets a reset, and a reset makes the client's kernel drop the 408 it had not
// read yet. Ending the socket instead lets the answer arrive; what stays open is destroyed later.
import type { Duplex } from 'node:stream'

const statusOf: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
}

/** A `clientError` listener; `graceMs` bounds how long a peer that ignores the close may stay. */
export function answerClientError(graceMs: number) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    // Nothing written yet: no response of ours is in flight, so a status line cannot corrupt one
    const fresh = 'bytesWritten' in socket && socket.bytesWritten === 0
    if (err.code !== 'ECONNRESET' && socket.writable && fresh) {
      socket.end(`HTTP/1.1 ${statusOf[err.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`)
      setTimeout(() => socket.destroy(), graceMs).unref()
    } else socket.destroy()
  }
}
