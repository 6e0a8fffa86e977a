// kafkajs frames a request (protocol/request.js) by copying the encoded body into a new Encoder
// behind the header, then that into another behind the size: two zero-filled buffers of the next
// power of two and two copies of the body, about 1 MiB each for a batch of 250 articles to two
// topics. Our Produce bodies (kafka.ts) are written FRAME_HEADROOM bytes into their buffer
// instead, and kafkajs's Encoder.writeEncoder, given an encoder that carries such room (ROOM),
// copies the few bytes written so far (the header, then the size) into the room in front rather
// than the body behind them. Anything else, or a header longer than the room, is framed by
// kafkajs's own code. produce-request.test.ts compares the framed bytes with kafkajs's.
import { kafkajsInternal } from './kafkajs-modules.ts'

/** An encoder whose bytes are `whole[start, whole.length)`, with `whole[0, start)` free in front. */
interface Room {
  whole: Buffer
  start: number
}
const ROOM = Symbol('newswire.frameRoom')
/** Size (4) + apiKey, apiVersion, correlationId (8) + clientId (2 + up to 242 bytes). */
export const FRAME_HEADROOM = 256

interface FramingEncoder {
  buf: Buffer
  offset: number
  [ROOM]?: Room
}
/** Marks kafkajs's Encoder as patched (Symbol.for: one mark however many copies of this module load). */
const PATCHED = Symbol.for('newswire.framingPatched')
const encoderClass = kafkajsInternal('kafkajs/src/protocol/encoder') as {
  prototype: { writeEncoder: (this: FramingEncoder, value: unknown) => FramingEncoder; [PATCHED]?: true }
}

let framedInPlace = 0
/** Requests framed into the room in front of their body so far in this process (for tests). */
export const framedWithoutCopy = (): number => framedInPlace

/** The room of `value` when its bytes are still exactly what the room says (nothing appended since). */
function roomOf(value: unknown): Room | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const { [ROOM]: room, buf, offset } = value as FramingEncoder
  if (room === undefined || !Buffer.isBuffer(buf)) return undefined
  const intact =
    offset === room.whole.length - room.start && buf.buffer === room.whole.buffer && buf.byteOffset === room.whole.byteOffset + room.start
  return intact ? room : undefined
}

if (encoderClass.prototype[PATCHED] !== true) {
  encoderClass.prototype[PATCHED] = true
  const original = encoderClass.prototype.writeEncoder
  encoderClass.prototype.writeEncoder = function (this: FramingEncoder, value: unknown) {
    const room = roomOf(value)
    if (room === undefined || this.offset > room.start) return original.call(this, value)
    const start = room.start - this.offset
    this.buf.copy(room.whole, start, 0, this.offset)
    this.buf = room.whole.subarray(start)
    this.offset = this.buf.length
    this[ROOM] = { whole: room.whole, start }
    framedInPlace++
    return this
  }
}

/** A request body written FRAME_HEADROOM bytes into `whole`, as an encoder kafkajs frames in place. */
export function withFrameRoom(whole: Buffer): { buf: Buffer; buffer: Buffer; offset: number; size(): number } {
  const buf = whole.subarray(FRAME_HEADROOM)
  const encoded: FramingEncoder & { buffer: Buffer; size(): number } = { buf, buffer: buf, offset: buf.length, size: () => buf.length }
  encoded[ROOM] = { whole, start: FRAME_HEADROOM }
  return encoded
}
