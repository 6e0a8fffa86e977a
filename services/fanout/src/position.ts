// Stream positions (docs/stream-design.md "Positions"): for every partition of
// news.article-events the next offset not yet delivered, plus the embargo-release watermark.
// Pure: no I/O. Encoded as "1." + base64url(JSON) so clients treat it as opaque.

/** Release order key: embargo time, then partition, then offset (ties at the same millisecond). */
export interface ReleaseKey {
  at: number
  partition: number
  offset: number
}

export interface Position {
  /** Next offset not yet delivered, per partition (index = partition). */
  o: number[]
  /** Every embargo release at or before `t` (epoch ms) has been considered... */
  t: number
  /** ...except that at exactly `t` only releases up to [partition, offset] were, when present. */
  r?: [number, number]
}

const PREFIX = '1.'
const MAX_LENGTH = 16_384

export class PositionError extends Error {
  readonly code = 'invalid_position'
}

export function encodePosition(p: Position): string {
  const body: Position = p.r ? { o: p.o, t: p.t, r: p.r } : { o: p.o, t: p.t }
  return PREFIX + Buffer.from(JSON.stringify(body)).toString('base64url')
}

const isOffset = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

/** Decodes and validates a client-supplied position; throws PositionError with a readable reason. */
export function decodePosition(s: unknown): Position {
  if (typeof s !== 'string' || s.length === 0) throw new PositionError('position must be a non-empty string')
  if (s.length > MAX_LENGTH) throw new PositionError('position is too long')
  if (!s.startsWith(PREFIX)) throw new PositionError('unknown position version')
  const b64 = s.slice(PREFIX.length)
  if (!/^[A-Za-z0-9_-]+$/.test(b64)) throw new PositionError('position is not base64url')
  let raw: unknown
  try {
    raw = JSON.parse(Buffer.from(b64, 'base64url').toString('utf8'))
  } catch {
    throw new PositionError('position does not decode')
  }
  if (raw === null || typeof raw !== 'object') throw new PositionError('position does not decode')
  const { o, t, r } = raw as { o?: unknown; t?: unknown; r?: unknown }
  if (!Array.isArray(o) || o.length === 0 || o.length > 10_000 || !o.every(isOffset)) {
    throw new PositionError('position offsets are invalid')
  }
  if (!isOffset(t)) throw new PositionError('position watermark is invalid')
  const out: Position = { o: [...o], t }
  if (r !== undefined) {
    if (!Array.isArray(r) || r.length !== 2 || !r.every(isOffset)) throw new PositionError('position tie-break is invalid')
    out.r = [r[0] as number, r[1] as number]
  }
  return out
}

/** True when a release with key `k` comes after watermark (t, r), i.e. has not been considered yet. */
export function releaseAfter(k: ReleaseKey, t: number, r?: readonly [number, number]): boolean {
  if (k.at !== t) return k.at > t
  if (!r) return false
  return k.partition > r[0] || (k.partition === r[0] && k.offset > r[1])
}

export function compareReleaseKeys(a: ReleaseKey, b: ReleaseKey): number {
  return a.at - b.at || a.partition - b.partition || a.offset - b.offset
}

/** Every partition of `a` is at or beyond `b`. */
export function offsetsAtLeast(a: readonly number[], b: readonly number[]): boolean {
  for (let p = 0; p < b.length; p++) if ((a[p] ?? 0) < (b[p] ?? 0)) return false
  return true
}
