// WebSocket transport over any WHATWG-style WebSocket class (the browser's, or `ws` in Node).
import { batchUrl, browserWebSocket, messagesOf } from './batch.ts'
import { decodeFrame, encodeFrame } from './protocol.ts'
import { type CloseInfo, safeCall, type Transport, type TransportHandlers } from './transport.ts'
import { errorMessage } from './errors.ts'
import type { WebSocketConstructor, WebSocketLike } from './types.ts'

const OPEN = 1
const CLOSED = 3

interface MessageEventLike {
  data: unknown
}
interface CloseEventLike {
  code?: number
  reason?: string
}
interface ErrorEventLike {
  message?: string
  error?: unknown
}

// `ws` reports a refused handshake as an error "Unexpected server response: 401"; browsers hide it
const handshakeStatus = /Unexpected server response: (\d{3})/

/**
 * `deflate`: ask for compressed batches (by default, only a browser's own WebSocket does: batch.ts).
 * `protocols`: the subprotocols to offer (protocol.ts streamProtocols).
 */
export function openWebSocket(
  url: string,
  WebSocketCtor: WebSocketConstructor,
  handlers: TransportHandlers,
  deflate = browserWebSocket(WebSocketCtor),
  protocols?: string[],
): Transport {
  let attached = true
  let opened = false
  let lastError = ''
  let resolveGone: () => void = () => {}
  const gone = new Promise<void>((resolve) => {
    resolveGone = resolve
  })
  const finish = (info: CloseInfo) => {
    if (!attached) return
    attached = false
    handlers.closed(info)
  }

  let ws: WebSocketLike
  try {
    ws = new WebSocketCtor(batchUrl(url, deflate), protocols)
  } catch (err) {
    queueMicrotask(() => finish({ code: 1006, reason: `cannot open WebSocket: ${errorMessage(err)}`, opened: false }))
    resolveGone()
    return {
      kind: 'websocket',
      send() {},
      close() {
        attached = false
        return gone
      },
    }
  }

  ws.onopen = () => {
    if (!attached) return
    opened = true
    handlers.open(ws.protocol)
  }
  ws.onmessage = (ev: MessageEventLike) => {
    if (!attached) return
    handlers.activity()
    if (typeof ev.data !== 'string') return // the protocol is JSON text; binary frames are not ours
    for (const text of messagesOf(ev.data)) {
      // a message may close the transport: the rest of its batch is not for anyone then
      if (!attached) return
      const frame = decodeFrame(text)
      if (frame === null) continue
      if (frame instanceof Error) handlers.protocolError(frame)
      else handlers.frame(frame)
    }
  }
  // Keep an error handler installed for good: `ws` throws on an 'error' event nobody listens to
  ws.onerror = (ev: ErrorEventLike) => {
    lastError = ev.message ?? (ev.error === undefined ? '' : errorMessage(ev.error))
  }
  ws.onclose = (ev: CloseEventLike) => {
    resolveGone()
    const status = handshakeStatus.exec(lastError)?.[1]
    finish({
      code: ev.code ?? 1006,
      reason: ev.reason || lastError,
      opened,
      ...(status === undefined ? {} : { status: Number(status) }),
    })
  }

  return {
    kind: 'websocket',
    send(frame) {
      if (attached && ws.readyState === OPEN) ws.send(encodeFrame(frame))
    },
    close(code, reason) {
      attached = false
      if (ws.readyState === CLOSED) resolveGone()
      else {
        // A dead peer never answers the close handshake; `ws` can drop the socket at once
        const terminate = (ws as { terminate?: () => void }).terminate
        if (code !== 1000 && typeof terminate === 'function') safeCall(() => terminate.call(ws))
        else safeCall(() => ws.close(code, reason))
      }
      return gone
    },
  }
}
