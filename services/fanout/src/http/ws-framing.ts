// How a WebSocket connection's writes become the bytes of its socket: one message per frame
// (joined), batches (`?batch=1`, messages.ts wsBatchFrame), or compressed batches (`?batch=1&deflate=1`
// with permessage-deflate negotiated, deflate-frames.ts). Only a broadcast group's shared write is
// compressed: it is the same for every member, so one compression serves them all, and it holds
// only what every member may read (groups.ts keys a group by everything that decides and frames
// its messages). A connection's own write (its snapshot, a replay, answers, gaps) would cost one
// compression per connection, so it goes as an uncompressed batch (RSV1 clear: RFC 7692 lets a
// sender choose per message).
import { deflateFrames } from '../deflate-frames.ts'
import { wsBatchFrame } from '../messages.ts'

type Pack = (frames: readonly Buffer[]) => Buffer

/** What one connection's writes go out as. */
export interface WsFraming {
  /** A connection's own write: never compressed. */
  own: Pack
  /** A broadcast group's shared write (the same array for every member). */
  group: Pack
}

export interface WsFramings {
  /** One message per frame. */
  plain: WsFraming
  /** Batches. */
  batch: WsFraming
  /** Batches; a group's compressed at `level`. */
  deflate: WsFraming
}

/**
 * The buffer `make` builds for a list of frames, remembered for the next call with the same frames.
 * A lone frame is its own buffer unless `lone` says it is made too.
 */
export function memoized(make: Pack, lone = false): Pack {
  let last: readonly Buffer[] = []
  let out: Buffer | null = null
  return (frames) => {
    if (frames.length === 1 && !lone) return frames[0] as Buffer
    if (out !== null && frames.length === last.length) {
      let i = frames === last ? frames.length : 0
      while (i < frames.length && frames[i] === last[i]) i++
      if (i === frames.length) return out
    }
    last = frames
    out = make(frames)
    return out
  }
}

/** The framings of one endpoint, shared by its connections (each pack remembers its last write). */
export function createFramings(level: number): WsFramings {
  // The frames of one flush are usually the same buffers, in the same order (often the very same
  // array: a broadcast group's), for every connection: join them once and write that to each
  const joined = memoized((frames) => Buffer.concat(frames))
  const batched = memoized(wsBatchFrame)
  // the same batches, each frame compressed on its own, once for every member who gets them
  const deflated = memoized((frames) => deflateFrames(wsBatchFrame(frames), level), true)
  return {
    plain: { own: joined, group: joined },
    batch: { own: batched, group: batched },
    deflate: { own: batched, group: deflated },
  }
}
