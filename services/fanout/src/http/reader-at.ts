// `at`: the position of the reader's stream, sent with a page beside it (GET /v1/snapshot,
// /v1/stories/<id>/entries). Every process reads the log at its own pace (the workers of
// FANOUT_WORKERS, instances behind a balancer), and a page may land on one that has not read as far
// as the stream the reader follows elsewhere. Its page could hold what that stream has already
// taken back (a kill, a hold, an entry's deletion) and will never take back again, since the
// reader's position is past it (red9 attack run, 2026-12-04). Such a page is refused with 503
// `not_ready` until this process has read as far; without `at`, a page is this process's state now.
import { claimedOffsets, offsetsAtLeast, PositionError } from '../position.ts'
import type { PositionCodec } from '../position.ts'

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
