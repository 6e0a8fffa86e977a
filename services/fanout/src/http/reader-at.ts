// `at`: the position of the reader's stream, sent with a page beside it (GET /v1/snapshot,
// /v1/stories/<id>/entries). Every process reads the log at its own pace (the workers of
// FANOUT_WORKERS, instances behind a balancer), and a page may land on one that has not read as far
// as the stream the reader follows elsewhere. Its page could hold what that stream has already
// taken back (a kill, a hold, an entry's deletion) and will never take back again, since the
// reader's position is past it (red9 attack run, 2026-12-04). Such a page is refused with 503
// `not_ready` until this process has read as far; without `at`, a page is this process's state now.
// Processes also release embargoes at their own pace (each only as far as it knows the log read:
// Store.liveClock), so a page leaves out what this process released after the stream's watermark
// (readerWatermark, snapshot.ts releasedSince): the stream's own process may read a kill before it
// gets there, and would never tell the reader of a story only this page showed.
import { claimedOffsets, offsetsAtLeast, peekPosition, PositionError } from '../position.ts'
import type { Position, PositionCodec } from '../position.ts'

export interface ReaderAtDeps {
  positions: PositionCodec
  partitions: number
  /** What this process has read (Hub.head). */
  head: () => { o: readonly number[] }
}

/** Why a page must not be answered here for a reader at `at` (absent or empty: nothing), or null. */
export function readerAhead(at: string | null, d: ReaderAtDeps): { code: 'invalid_position' | 'not_ready'; message: string } | null {
  if (at === null || at === '') return null
  let o: readonly number[]
  try {
    o = d.positions.decode(at).o
  } catch (err) {
    if (!(err instanceof PositionError)) throw err
    // a key this process does not know yet (a rotation rolling out: red14): `at` only says how far
    // to have read, so its offsets, unverified, can only refuse the page; a page without `at` is
    // answered anyway. Made up beyond that, it is refused.
    const claimed = claimedOffsets(at)
    if (claimed === null) return { code: 'invalid_position', message: `at: ${err.message}` }
    o = claimed
  }
  if (o.length !== d.partitions) return { code: 'invalid_position', message: 'at: the position was made for a different partition count' }
  if (!offsetsAtLeast(d.head().o, o))
    return { code: 'not_ready', message: 'this instance has not read as far as the reader’s stream yet; retry' }
  return null
}

/**
 * The release watermark of the reader's stream (`at`), or null without one. Unverified (a key this
 * process does not know yet) it is taken all the same: it can only leave more out of a page than
 * this process's own releases would.
 */
export function readerWatermark(at: string | null): Pick<Position, 't' | 'r'> | null {
  if (at === null || at === '') return null
  try {
    const p = peekPosition(at)
    return p.r ? { t: p.t, r: p.r } : { t: p.t }
  } catch {
    return null
  }
}
