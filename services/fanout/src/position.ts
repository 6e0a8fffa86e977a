// Stream positions (docs/stream-design.md "Positions"): for every partition of
// news.article-events the next offset not yet delivered, plus the embargo-release watermark.
// Positions are issued by the server and signed (HMAC-SHA256 with FANOUT_POSITION_KEY): a
// client can hand one back, not make one up. A position only tells the server what the client
// already has; what it may see is decided by the server (ledger.ts), never by a position. Pure:
// no I/O. Encoded as "2." + base64url(JSON) + "." + base64url(MAC), opaque to clients.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { AudienceScope } from './audience.ts'
import type { Clearance } from './visibility.ts'

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
  /**
   * Whom it was made for (audienceKey): a position tells what a reader of that clearance and token
   * scope was sent, and is refused under another (subscribe.ts). Absent in positions signed before
   * (accepted from anyone, as they were).
   */
  a?: string
  /**
   * The view it was made for (viewKey: channels and filter): what a position says was sent holds
   * for that view only, and it is refused under another (subscribe.ts). Absent in positions signed
   * before (accepted under any view, as they were). Pages (`at`) read any view's.
   */
  v?: string
}

/** Whom and for which view a subscription's positions are made (Sub.who), keyed by one string. */
export interface PositionFor {
  a: string
  v: string
  key: string
}

const PREFIX = '2.'
const MAX_LENGTH = 16_384
const MAC_BYTES = 16

export class PositionError extends Error {
  readonly code = 'invalid_position'
}

const isOffset = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

function body(p: Position): string {
  const json: Position = p.r ? { o: p.o, t: p.t, r: p.r } : { o: p.o, t: p.t }
  if (p.a !== undefined) json.a = p.a
  if (p.v !== undefined) json.v = p.v
  return Buffer.from(JSON.stringify(json)).toString('base64url')
}

/**
 * Who a position is for: the reader's clearance and token scope (desks, languages), as a short
 * opaque key. Resumed under another, a position would be served to a reader that was never sent
 * what it says (a newsroom's embargoed draft, another desk's story) and is not told of their kill,
 * or that missed what its own clearance shows (red15 attack run). Order of the claims' lists does
 * not count; the token's identity and times do not either (a renewed token resumes).
 */
export function audienceKey(clearance: Clearance, scope: AudienceScope): string {
  if (scope.categories === null && scope.languages === null) return clearance
  const list = (l: readonly string[] | null) => (l === null ? null : [...l].sort())
  const what = JSON.stringify([clearance, list(scope.categories), list(scope.languages)])
  return createHash('sha256').update(what).digest('base64url').slice(0, 11)
}

const views = new Map<string, string>()

/**
 * Which view a subscription is (its channels and filter, in any order), as a short opaque key. A
 * position resumed under another view claims what that view was never sent: a raw client or an
 * app that kept its list and position across a change of view resumed, and the stories of the old
 * view it still showed never heard of their kills (red16 attack run). Memoized: a city's readers
 * ask for a handful of views.
 */
export function viewKey(channels: readonly string[], filter: object): string {
  const raw = JSON.stringify([channels, filter])
  let v = views.get(raw)
  if (v === undefined) {
    const sets = Object.entries(filter)
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([k, val]) => [k, Array.isArray(val) ? [...val].sort() : val])
    const what = JSON.stringify([[...new Set(channels)].sort(), sets])
    v = createHash('sha256').update(what).digest('base64url').slice(0, 8)
    if (views.size >= 1024) views.clear()
    views.set(raw, v)
  }
  return v
}

export function positionFor(a: string, v: string): PositionFor {
  return { a, v, key: `${a}.${v}` }
}

/**
 * Signs one place in the stream for each audience and view sent it, once each: a live pass's
 * messages for readers of every clearance, scope and view share the place, not the position.
 */
export function positionsAt(codec: PositionCodec, at: Omit<Position, 'a' | 'v'>): (who: PositionFor) => string {
  const signed = positionsFor(codec, at.o, () => at)
  return (who) => signed(who, undefined)
}

/**
 * positionsAt for live positions at offsets `o` whose watermark is their audience's
 * (audience-watermark.ts, never the ledger's clock: red17), `watermark(reader)` asked once per
 * audience and view.
 */
export function positionsFor<R>(
  codec: PositionCodec,
  o: number[],
  watermark: (reader: R) => Pick<Position, 't' | 'r'>,
): (who: PositionFor, reader: R) => string {
  // most passes sign for one audience and view: no map for those
  let lastKey: string | null = null
  let last = ''
  let others: Map<string, string> | null = null
  return (who, reader) => {
    if (who.key === lastKey) return last
    let p = others?.get(who.key)
    if (p === undefined) {
      const w = watermark(reader)
      p = codec.encodeFor(w.r ? { o, t: w.t, r: w.r } : { o, t: w.t }, who)
      others ??= new Map()
      others.set(who.key, p)
    }
    lastKey = who.key
    last = p
    return p
  }
}

/**
 * Signs and verifies positions. `keys[0]` signs; every key verifies, so a deploy that rotates
 * the key (new key first, the old one second) keeps the positions clients hold valid.
 */
export class PositionCodec {
  readonly #keys: Buffer[]

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new TypeError('PositionCodec needs at least one key')
    this.#keys = keys.map((k) => Buffer.from(k, 'utf8'))
  }

  #mac(key: Buffer, signed: string): Buffer {
    return createHmac('sha256', key).update(signed).digest().subarray(0, MAC_BYTES)
  }

  encode(p: Position): string {
    const signed = PREFIX + body(p)
    return `${signed}.${this.#mac(this.#keys[0] as Buffer, signed).toString('base64url')}`
  }

  /** A place in the stream, signed for whom and which view it is sent to (a subscription's `who`). */
  encodeFor(at: Omit<Position, 'a' | 'v'>, who: PositionFor): string {
    return this.encode({ ...at, a: who.a, v: who.v })
  }

  /** Verifies and decodes a client-supplied position; throws PositionError with a readable reason. */
  decode(s: unknown): Position {
    if (typeof s !== 'string' || s.length === 0) throw new PositionError('position must be a non-empty string')
    if (s.length > MAX_LENGTH) throw new PositionError('position is too long')
    if (!s.startsWith(PREFIX)) throw new PositionError('position is not one this service issues (unknown version)')
    const dot = s.lastIndexOf('.')
    const signed = s.slice(0, dot)
    const mac = Buffer.from(s.slice(dot + 1), 'base64url')
    if (dot <= PREFIX.length || mac.length !== MAC_BYTES || !this.#keys.some((k) => timingSafeEqual(this.#mac(k, signed), mac))) {
      throw new PositionError('position signature is invalid')
    }
    return parseBody(signed.slice(PREFIX.length), true)
  }
}

const FIELDS = new Set(['o', 't', 'r', 'a', 'v'])

/**
 * `strict`: a field this release does not know is refused. A later release may add one that narrows
 * where a position resumes (as `a` and `v` did); read by a release that ignored it, during that
 * release's rollout or a rollback, a position resumed where it was never meant to (red23a attack
 * run). Refused, it gets a reset: what it claims has only to be read (claimedPosition, lenient).
 */
function parseBody(b64: string, strict: boolean): Position {
  if (!/^[A-Za-z0-9_-]+$/.test(b64)) throw new PositionError('position is not base64url')
  let raw: unknown
  try {
    raw = JSON.parse(Buffer.from(b64, 'base64url').toString('utf8'))
  } catch {
    throw new PositionError('position does not decode')
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PositionError('position does not decode')
  if (strict && Object.keys(raw).some((k) => !FIELDS.has(k))) {
    throw new PositionError('the position has fields this release does not know (a later release made it)')
  }
  const { o, t, r, a, v } = raw as { o?: unknown; t?: unknown; r?: unknown; a?: unknown; v?: unknown }
  if (!Array.isArray(o) || o.length === 0 || o.length > 10_000 || !o.every(isOffset)) {
    throw new PositionError('position offsets are invalid')
  }
  if (!isOffset(t)) throw new PositionError('position watermark is invalid')
  const out: Position = { o: [...o], t }
  if (r !== undefined) {
    if (!Array.isArray(r) || r.length !== 2 || !r.every(isOffset)) throw new PositionError('position tie-break is invalid')
    out.r = [r[0] as number, r[1] as number]
  }
  if (a !== undefined) {
    if (typeof a !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(a)) throw new PositionError('position audience is invalid')
    out.a = a
  }
  if (v !== undefined) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(v)) throw new PositionError('position view is invalid')
    out.v = v
  }
  return out
}

/** Reads a position without checking its signature: for tests and tools, never for serving (claimedPosition). */
export function peekPosition(s: string): Position {
  if (!s.startsWith(PREFIX)) throw new PositionError('unknown position version')
  return parseBody(s.slice(PREFIX.length, s.lastIndexOf('.')), false)
}

/**
 * What a position claims, its signature unchecked (null: not a position): what a position this
 * process cannot verify (a key rotation rolling out) says to have read and released, which can
 * only make a reader wait or leave more out of its page (subscribe.ts, http/reader-at.ts), never
 * serve it anything.
 */
export function claimedPosition(raw: string): Position | null {
  try {
    return peekPosition(raw)
  } catch {
    return null
  }
}

export interface PositionBounds {
  partitions: number
  /** Server time now. */
  now: number
  /** How far ahead of `now` a watermark from another instance's clock may be. */
  maxSkewMs: number
}

/** Why a verified position cannot be served as it is (null: it can). Offsets ahead of the log are checked against Kafka by the caller. */
export function positionProblem(p: Position, b: PositionBounds): string | null {
  if (p.o.length !== b.partitions) return 'the position was made for a different partition count'
  if (p.t > b.now + b.maxSkewMs) return 'the position watermark is in the future'
  if (p.r && p.r[0] >= b.partitions) return 'the position tie-break names an unknown partition'
  return null
}

/** Why a position cannot be served to a reader of audience key `a` (null: it can): made for another. */
export function audienceProblem(p: Pick<Position, 'a'>, a: string): string | null {
  return p.a === undefined || p.a === a ? null : 'the position was made for another clearance or token scope'
}

/** Why a position cannot be served to a subscription of view key `v` (null: it can): made for another. */
export function viewProblem(p: Pick<Position, 'v'>, v: string): string | null {
  return p.v === undefined || p.v === v ? null : 'the position was made for another view (channels or filter)'
}

/** True when a release with key `k` comes after watermark (t, r), i.e. has not been considered yet. */
export function releaseAfter(k: ReleaseKey, t: number, r?: readonly [number, number]): boolean {
  if (k.at !== t) return k.at > t
  if (!r) return false
  return k.partition > r[0] || (k.partition === r[0] && k.offset > r[1])
}

/**
 * The watermark of a position after release `k`. A release of unknown offset (a state loaded from
 * news.articles) is ordered by a key local to the instance (just below its memory), which means
 * nothing on another instance or after a restart with more memory: a position after it claims only
 * the millisecond before, so a resume anywhere considers every release of that millisecond again
 * (the client drops the repeats by version) and loses none (rev32 review).
 */
export function watermarkAfter(k: ReleaseKey & { loaded?: true }): Pick<Position, 't' | 'r'> {
  return k.loaded === true ? { t: k.at - 1 } : { t: k.at, r: [k.partition, k.offset] }
}

export function compareReleaseKeys(a: ReleaseKey, b: ReleaseKey): number {
  return a.at - b.at || a.partition - b.partition || a.offset - b.offset
}

/** Every partition of `a` is at or beyond `b`. */
export function offsetsAtLeast(a: readonly number[], b: readonly number[]): boolean {
  for (let p = 0; p < b.length; p++) if ((a[p] ?? 0) < (b[p] ?? 0)) return false
  return true
}
