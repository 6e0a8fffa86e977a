// Compressed batches (issue 18, docs/benchmarks.md "Compressed batches"): the frames of one write
// compressed once (RFC 7692 permessage-deflate with no context takeover on the server's side, so a
// message depends on no earlier one), and the same bytes written to every member of a broadcast
// group (http/ws-framing.ts), for connections that ask for `?batch=1&deflate=1` and offer the
// extension (FANOUT_BATCH_DEFLATE).
import { constants, deflateRawSync } from 'node:zlib'
import { Sender } from 'ws'

/** Payloads shorter than this go as they are (RSV1 clear: RFC 7692 lets a sender choose per message). */
export const DEFLATE_THRESHOLD = 256
const TEXT_DEFLATED = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: true }
/** A sync flush ends with an empty stored block, 0x00 0x00 0xff 0xff, which the sender removes (RFC 7692 §7.2.1). */
const FLUSH_TAIL = 4

/**
 * The frames in `frames` (final text frames made here, unmasked, back to back) with each payload
 * of DEFLATE_THRESHOLD bytes or more compressed on its own at zlib's `level`; a frame that would
 * not shrink (at a level above 0), or is not a final text frame, stays as it is.
 */
export function deflateFrames(frames: Buffer, level: number = constants.Z_DEFAULT_COMPRESSION): Buffer {
  const out: Buffer[] = []
  for (let at = 0; at < frames.length; ) {
    const len7 = (frames[at + 1] as number) & 0x7f
    const head = len7 === 127 ? 10 : len7 === 126 ? 4 : 2
    const n = len7 === 127 ? Number(frames.readBigUInt64BE(at + 2)) : len7 === 126 ? frames.readUInt16BE(at + 2) : len7
    const end = at + head + n
    const frame = frames.subarray(at, end)
    at = end
    if (frame[0] !== 0x81 || n < DEFLATE_THRESHOLD) {
      out.push(frame)
      continue
    }
    const z = deflateRawSync(frame.subarray(head), { level, finishFlush: constants.Z_SYNC_FLUSH })
    // level 0 (stored blocks, never smaller) is kept compressed: it measures the inflate path alone
    if (level !== 0 && z.length - FLUSH_TAIL >= n) out.push(frame)
    else out.push(...Sender.frame(z.subarray(0, z.length - FLUSH_TAIL), TEXT_DEFLATED))
  }
  return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out)
}
