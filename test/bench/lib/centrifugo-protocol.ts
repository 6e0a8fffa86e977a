// What the bench says and reads of Centrifugo's JSON protocols, for the peer comparison in
// fanout-broadcast: the client protocol (connect, subscribe, replies, pushes, pings; several
// messages in one frame, one per line) and the server API command its Kafka consumer reads.
// Pure, so the clients' parsing has a unit test without a server.

/** Centrifugo's bidirectional WebSocket endpoint. */
export const CENTRIFUGO_WS_PATH = '/connection/websocket'

/** One frame with the `connect` command (id 1) and a `subscribe` per channel (ids 2…). */
export function connectFrame(channels: readonly string[]): string {
  return ['{"id":1,"connect":{}}', ...channels.map((ch, i) => `{"id":${i + 2},"subscribe":{"channel":${JSON.stringify(ch)}}}`)].join('\n')
}

/** The `publish` API command for the Kafka consumer; `dataJson` is sent to subscribers as the publication's data. */
export function publishCommand(channel: string, dataJson: string): string {
  return `{"method":"publish","payload":{"channel":${JSON.stringify(channel)},"data":${dataJson}}}`
}

/**
 * What one line (one message) of a server frame is:
 *   ping        `{}`: the client must answer `{}` (an unasked pong disconnects it)
 *   push        `{"push":…}`: a publication (or another asynchronous message)
 *   connected   the reply to `connect`
 *   subscribed  a reply to `subscribe`
 *   error       a reply carrying an error
 *   other       anything else
 */
export type CentrifugoLine = 'ping' | 'push' | 'connected' | 'subscribed' | 'error' | 'other'

const PUSH = Buffer.from('{"push":')
const REPLY = Buffer.from('{"id":')
const CONNECT = Buffer.from('"connect":')
const SUBSCRIBE = Buffer.from('"subscribe":')
const ERROR = Buffer.from('"error":')

const at = (b: Buffer, p: Buffer, i: number) => b.length >= i + p.length && b.compare(p, 0, p.length, i, i + p.length) === 0

/** Classifies a line by its first bytes only: a push's data is never scanned here. */
export function classifyLine(line: Buffer): CentrifugoLine {
  if (line.length === 2 && line[0] === 0x7b && line[1] === 0x7d) return 'ping'
  if (at(line, PUSH, 0)) return 'push'
  if (!at(line, REPLY, 0)) return 'other'
  // {"id":<digits>,"<what>":…
  let i = REPLY.length
  while (i < line.length && (line[i] as number) >= 0x30 && (line[i] as number) <= 0x39) i++
  if (line[i] !== 0x2c) return 'other'
  i++
  if (at(line, ERROR, i)) return 'error'
  if (at(line, SUBSCRIBE, i)) return 'subscribed'
  if (at(line, CONNECT, i)) return 'connected'
  return 'other'
}

/** Calls `onLine` for each line of a frame: Centrifugo packs several messages into one, separated by line feeds. */
export function eachLine(frame: Buffer, onLine: (line: Buffer) => void): void {
  let start = 0
  for (let nl = frame.indexOf(0x0a); nl >= 0; nl = frame.indexOf(0x0a, start)) {
    if (nl > start) onLine(frame.subarray(start, nl))
    start = nl + 1
  }
  if (start < frame.length) onLine(start === 0 ? frame : frame.subarray(start))
}
