// SSE transport: the fetch-based reader by default, or an injected EventSource. Frames carry the
// same JSON objects as WebSocket frames; `id:` is the position after the frame.
import { ClientError, errorMessage } from './errors.ts'
import { parseFrame } from './protocol.ts'
import { SseParser } from './sse.ts'
import { type CloseInfo, safeCall, type Transport, type TransportHandlers } from './transport.ts'
import type { EventSourceConstructor, EventSourceLike, FetchLike, SseMessageEventLike, StreamReaderLike } from './types.ts'

/** Named SSE events the server sends (EventSource needs a listener per name). */
export const sseEventNames = [
  'subscribed',
  'event',
  'withdrawn',
  'reset',
  'error',
  'pong',
  'gap',
  'reconnect',
  'entry',
  'entryWithdrawn',
  'close',
] as const

function handleData(data: string, event: string, lastEventId: string, handlers: TransportHandlers, end: Ender): void {
  let raw: unknown
  try {
    raw = JSON.parse(data)
  } catch {
    handlers.protocolError(
      new ClientError('NEWSWIRE_ERR_CLIENT_PROTOCOL', `SSE data is not JSON: ${data.slice(0, 200)}`, { retriable: true }),
    )
    return
  }
  let close: Record<string, unknown> | null = null
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const obj = raw as Record<string, unknown>
    if (obj.type === undefined && event !== 'message') obj.type = event
    // The server's end of the stream, with the code a WebSocket would be closed with: 4401 at a
    // token's expiry is not retried, so a dashboard's session ends at once, as on a WebSocket (it
    // reconnected with the dead token, its desk kept meanwhile: red15 attack run); its hint is a
    // `reconnect`'s.
    if (obj.type === 'close') {
      close = obj
      if (obj.retryAfterMs !== undefined) obj.type = 'reconnect'
    } else if (obj.position === undefined && lastEventId !== '' && obj.type !== 'error' && obj.type !== 'pong') obj.position = lastEventId
  }
  const frame = parseFrame(raw)
  if (frame instanceof Error) handlers.protocolError(frame)
  else if (frame) handlers.frame(frame)
  if (close) end(Number(close.code) || 1006, String(close.reason ?? ''))
}

/** Ends the stream as the server's `event: close` says. */
type Ender = (code: number, reason: string) => void

/** `token`: sent as `Authorization: Bearer`, never in the URL (a CORS preflight the fan-out answers). */
export function openSseFetch(url: string, fetchFn: FetchLike, handlers: TransportHandlers, token?: string): Transport {
  const abort = new AbortController()
  let attached = true
  let opened = false
  let reader: StreamReaderLike | null = null
  const finish = (info: CloseInfo) => {
    if (!attached) return
    attached = false
    abort.abort()
    handlers.closed(info)
  }

  const run = async (): Promise<void> => {
    let res: Awaited<ReturnType<FetchLike>>
    try {
      res = await fetchFn(url, {
        headers: { accept: 'text/event-stream', ...(token && { authorization: `Bearer ${token}` }) },
        signal: abort.signal,
        cache: 'no-store',
      })
    } catch (err) {
      return finish({ code: 1006, reason: `SSE request failed: ${errorMessage(err)}`, opened: false })
    }
    if (!attached) {
      safeCall(
        () =>
          void res.body
            ?.getReader()
            .cancel()
            .catch(() => {}),
      )
      return
    }
    if (!res.ok) return finish({ code: 1006, reason: `HTTP ${res.status} ${res.statusText}`.trim(), opened: false, status: res.status })
    const type = res.headers.get('content-type') ?? ''
    if (!type.includes('text/event-stream') || !res.body) {
      // A proxy's HTML page or a buffering middlebox: not a stream we can use
      return finish({ code: 1006, reason: `SSE response is not an event stream (content-type: ${type || 'none'})`, opened: false })
    }
    opened = true
    handlers.open()
    const parser = new SseParser({
      message: (m) => attached && handleData(m.data, m.event, m.id, handlers, (code, reason) => finish({ code, reason, opened })),
      retry: (ms) => attached && handlers.retryHint(ms),
    })
    reader = res.body.getReader()
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (!attached) break
        if (done) return finish({ code: 1006, reason: 'SSE stream ended', opened })
        handlers.activity()
        parser.push(decoder.decode(value, { stream: true }))
      }
    } catch (err) {
      return finish({ code: 1006, reason: `SSE stream broke: ${errorMessage(err)}`, opened })
    }
    cancel(reader)
  }
  const done = run().catch((err: unknown) => finish({ code: 1006, reason: `SSE failed: ${errorMessage(err)}`, opened }))

  return {
    kind: 'sse',
    send() {},
    close() {
      attached = false
      abort.abort()
      // Not every fetch aborts a body being read; cancelling the reader always ends the read loop
      if (reader) cancel(reader)
      return done
    },
  }
}

function cancel(reader: StreamReaderLike): void {
  safeCall(() => void reader.cancel().catch(() => {}))
}

/** An EventSource cannot send a header: a token stays in `url` (`?token=`), where proxies may log it. */
export function openSseEventSource(url: string, EventSourceCtor: EventSourceConstructor, handlers: TransportHandlers): Transport {
  let attached = true
  let opened = false
  const finish = (info: CloseInfo) => {
    if (!attached) return
    attached = false
    handlers.closed(info)
  }
  let es: EventSourceLike
  try {
    es = new EventSourceCtor(url)
  } catch (err) {
    queueMicrotask(() => finish({ code: 1006, reason: `cannot open EventSource: ${errorMessage(err)}`, opened: false }))
    return {
      kind: 'sse',
      send() {},
      close() {
        attached = false
        return Promise.resolve()
      },
    }
  }
  const end = (code: number, reason: string) => {
    safeCall(() => es.close())
    finish({ code, reason, opened })
  }
  const onMessage = (ev: SseMessageEventLike) => {
    if (!attached || typeof ev.data !== 'string') return
    handlers.activity()
    handleData(ev.data, ev.type ?? 'message', ev.lastEventId ?? '', handlers, end)
  }
  es.onopen = () => {
    if (!attached) return
    opened = true
    handlers.open()
  }
  es.onmessage = onMessage
  for (const name of sseEventNames) {
    // 'error' is both a server frame (has data) and EventSource's own failure event (has none)
    if (name !== 'error') es.addEventListener(name, onMessage)
  }
  es.onerror = (ev: SseMessageEventLike) => {
    if (typeof ev.data === 'string') {
      if (!attached) return
      handlers.activity()
      handleData(ev.data, 'error', ev.lastEventId ?? '', handlers, end)
      return
    }
    // EventSource would retry by itself, without our backoff or position: stop it and let the client decide
    end(1006, 'EventSource error')
  }
  return {
    kind: 'sse',
    send() {},
    close() {
      attached = false
      safeCall(() => es.close())
      return Promise.resolve()
    },
  }
}
