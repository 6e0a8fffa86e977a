// A small text/event-stream reader on fetch + ReadableStream, so SSE works in Node 20 (no
// EventSource there) and the SDK sees HTTP statuses that EventSource hides.

export interface SseMessage {
  /** `event:` field; 'message' when absent. */
  event: string
  data: string
  /** Last `id:` seen on the stream so far (the spec's last event ID). */
  id: string
}

export interface SseParserHandlers {
  message(msg: SseMessage): void
  retry?(ms: number): void
  comment?(text: string): void
}

/** Incremental parser for the WHATWG event-stream format; feed it decoded text chunks. */
export class SseParser {
  #handlers: SseParserHandlers
  #buffer = ''
  #first = true
  #data: string[] = []
  #event = ''
  #lastId = ''

  constructor(handlers: SseParserHandlers) {
    this.#handlers = handlers
  }

  get lastEventId(): string {
    return this.#lastId
  }

  push(chunk: string): void {
    let text = this.#buffer + chunk
    if (this.#first && text.length > 0) {
      this.#first = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    let start = 0
    for (;;) {
      let end = -1
      for (let i = start; i < text.length; i++) {
        const c = text.charCodeAt(i)
        if (c === 10 || c === 13) {
          end = i
          break
        }
      }
      if (end === -1) break
      // A CR at the very end may be the first half of a CRLF split across chunks: wait for more
      if (text.charCodeAt(end) === 13 && end === text.length - 1) break
      this.#line(text.slice(start, end))
      start = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1)
    }
    this.#buffer = text.slice(start)
  }

  #line(line: string): void {
    if (line === '') {
      this.#dispatch()
      return
    }
    if (line.charCodeAt(0) === 58) {
      this.#handlers.comment?.(line.slice(1).trimStart())
      return
    }
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.charCodeAt(0) === 32) value = value.slice(1)
    switch (field) {
      case 'event':
        this.#event = value
        break
      case 'data':
        this.#data.push(value)
        break
      case 'id':
        if (!value.includes('\u0000')) this.#lastId = value
        break
      case 'retry':
        if (/^\d+$/.test(value)) this.#handlers.retry?.(Number(value))
        break
    }
  }

  #dispatch(): void {
    const event = this.#event || 'message'
    const data = this.#data
    this.#event = ''
    this.#data = []
    if (data.length === 0) return
    this.#handlers.message({ event, data: data.join('\n'), id: this.#lastId })
  }
}
