// `at`: the position of the reader's stream, sent with a page beside it (GET /v1/snapshot,
// /v1/stories/<id>/entries). Every process reads the log at its own pace (the workers of
// FANOUT_WORKERS, instances behind a balancer), and a page may land on one that has not read as far
// as the stream the reader follows elsewhere. Its page could hold what that stream has already
// taken back (a kill, a hold, an entry's deletion) and will never take back again, since the
// reader's position is past it (red9 attack run, 2026-12-04). Such a page is refused with 503
// `not_ready` until this process has read as far; without `at`, a page is this process's state now.
// Processes also release embargoes at their own pace (each only as far as it knows the log read:
// Store.liveClock), so a page leaves out what this process released after the stream's watermark
// (readerAt's watermark, snapshot.ts releasedSince): the stream's own process may read a kill before it
// gets there, and would never tell the reader of a story only this page showed. The other way
// round, a page waits (not_ready) while this process owes a release the stream's process made
// before its watermark and the reader may see: the page would leave it out for good (red16).
import { claimedPosition, offsetsAtLeast, PositionError } from '../position.ts'
import type { Position, PositionCodec } from '../position.ts'
import type { ReaderStream } from '../snapshot.ts'

export interface ReaderAtDeps {
  positions: PositionCodec
  partitions: number
  /** What this process has read (Hub.head). */
  head: () => { o: readonly number[] }
  /**
   * This process has yet to make a release the stream's process made before `p` (its watermark `t`)
   * that the reader may see (Ledger.owesRelease): its release clock is behind that watermark.
   * `signed`: `p` verified here; a made-up one (a key not known yet) is held to this host's clock.
   */
  owes: (p: Pick<Position, 'o' | 't'>, signed: boolean) => boolean
  /** This host's clock. */
  now: () => number
}

/** What `at` asks of a page here: a refusal, or where the reader's stream is (snapshot.ts ReaderStream). */
export type ReaderAt = { refused: { code: 'invalid_position' | 'not_ready'; message: string } } | ReaderStream

/** Reads `at` once: refused when this process must not answer a reader there, else where its stream is. */
export function readerAt(at: string | null, d: ReaderAtDeps): ReaderAt {
  if (at === null || at === '') return { releasedBy: null, readTo: null }
  let p: Position | null
  let signed = true
  try {
    p = d.positions.decode(at)
  } catch (err) {
    if (!(err instanceof PositionError)) throw err
    // a key this process does not know yet (a rotation rolling out: red14): `at` only says how far
    // to have read and what the stream has released, so, unverified, it can only refuse the page or
    // leave more out of it; a page without `at` is answered anyway. Made up beyond that, it is refused.
    p = claimedPosition(at)
    signed = false
    if (p === null) return { refused: { code: 'invalid_position', message: `at: ${err.message}` } }
  }
  if (p.o.length !== d.partitions)
    return { refused: { code: 'invalid_position', message: 'at: the position was made for a different partition count' } }
  if (!offsetsAtLeast(d.head().o, p.o))
    return { refused: { code: 'not_ready', message: 'this instance has not read as far as the reader’s stream yet; retry' } }
  // released by the stream's process before its watermark, not yet here: left out, the reader
  // would never see it, the stream does not bring a release made before it came (red16)
  // unverified past this host's clock (red19): the releases owed there cannot be asked about (a
  // made-up watermark would learn of embargoes still to come), and left out, the stream's process
  // (its clock ahead, a key this one lacks) had made them before the reader came: wait for the clock
  if (d.owes(p, signed) || (!signed && p.t > d.now()))
    return { refused: { code: 'not_ready', message: 'this instance has not released as far as the reader’s stream yet; retry' } }
  return { releasedBy: p.r ? { t: p.t, r: p.r } : { t: p.t }, readTo: p.o }
}
