// The contract between the client's state machine and a transport (WebSocket or SSE).
import type { ClientError } from './errors.ts'
import type { ClientFrame, ServerFrame, TransportKind } from './types.ts'

/** How a transport ended. Delivered at most once, and never after `close()`. */
export interface CloseInfo {
  /** WebSocket close code; 1006 when the connection failed or the stream broke. */
  code: number
  reason: string
  /** Whether `open` had been reported. */
  opened: boolean
  /** HTTP status, when the SSE request or the WebSocket handshake was refused. */
  status?: number
}

export interface TransportHandlers {
  /** `protocol`: the WebSocket subprotocol the server answered with. */
  open(protocol?: string): void
  frame(frame: ServerFrame): void
  /** Bytes arrived (including SSE comments used as heartbeats). */
  activity(): void
  /** The SSE `retry:` field. */
  retryHint(ms: number): void
  protocolError(err: ClientError): void
  closed(info: CloseInfo): void
}

export interface Transport {
  readonly kind: TransportKind
  /** Send a frame (WebSocket only; SSE is one-way and ignores it). */
  send(frame: ClientFrame): void
  /** Stop and detach: no handler is called afterwards. Resolves once the connection is gone. */
  close(code: number, reason: string): Promise<void>
}

export function safeCall(fn: () => void): void {
  try {
    fn()
  } catch {
    // closing an already broken connection may throw; there is nothing left to do with it
  }
}
