// The cursor of older pages (`subscribed.more`, `next` of GET /v1/snapshot): where the last page
// ended in editorial order, and the stream position the first page was taken at. Sealed
// (AES-256-GCM, a key derived from FANOUT_POSITION_KEY): a page cut short by its scan limit ends
// on the last article it looked at, which may be one the reader must not know of (embargoed,
// withheld, killed, outside its token's desks), so the client can neither read a cursor nor make
// one up, and its length says nothing of the id (padded). What a page returns is still decided
// by the ledger for the requester's own clearance, scope and view. The IV is synthetic (an HMAC of
// the plaintext), so one cursor seals alike on every instance and an unchanged public page keeps
// its ETag (a random IV made every busy view's first page new: red6 attack run). Pure.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto'
import type { DeskKey } from './desk-index.ts'

export interface PageCursor {
  /** The last article of the previous page: the next one starts after it. */
  key: DeskKey
  /** The stream position (offsets per partition, embargo watermark) of the first page. */
  o: number[]
  t: number
}

export class CursorError extends Error {
  readonly code = 'invalid_cursor'
}

const PREFIX = 'p2.'
const MAX_LENGTH = 16_384

const IV_BYTES = 12
const TAG_BYTES = 16
/** Plaintext is padded to a multiple of this, so a cursor's length does not tell the id's. */
const PAD = 128
const NOT_OURS = 'the cursor is not one this server gave (use `more` or `next` as received)'

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0

/**
 * Seals and opens page cursors. `secrets[0]` seals; every secret opens, so a deploy that rotates
 * FANOUT_POSITION_KEY (new first, old second) keeps the cursors clients hold valid.
 */
export class PageCursorCodec {
  readonly #keys: Buffer[]
  /** Derives the IV from the plaintext: equal cursors seal equally, distinct ones (almost surely) under distinct IVs. */
  readonly #ivKey: Buffer
  /** The last cursor sealed: the subscribers of one view between two moves of the stream share it. */
  #last: { json: string; sealed: string } | null = null

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new TypeError('PageCursorCodec needs at least one secret')
    this.#keys = secrets.map((s) => Buffer.from(hkdfSync('sha256', s, '', 'newswire page cursor', 32)))
    this.#ivKey = Buffer.from(hkdfSync('sha256', secrets[0] as string, '', 'newswire page cursor iv', 32))
  }

  encode(c: PageCursor): string {
    const text = JSON.stringify([c.key.at, c.key.id, c.o, c.t])
    if (this.#last?.json === text) return this.#last.sealed
    const json = Buffer.from(text)
    // padded with spaces, which JSON.parse skips
    const plain = Buffer.alloc(Math.ceil((json.length + 1) / PAD) * PAD, 0x20)
    json.copy(plain)
    const iv = createHmac('sha256', this.#ivKey).update(plain).digest().subarray(0, IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#keys[0] as Buffer, iv)
    const sealed = PREFIX + Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]).toString('base64url')
    this.#last = { json: text, sealed }
    return sealed
  }

  /** Throws CursorError for anything that is not a cursor this server (or a key before a rotation) sealed, for `partitions`. */
  decode(raw: string, partitions: number): PageCursor {
    if (raw.length > MAX_LENGTH || !raw.startsWith(PREFIX) || !/^[A-Za-z0-9_-]+$/.test(raw.slice(PREFIX.length))) {
      throw new CursorError(NOT_OURS)
    }
    const sealed = Buffer.from(raw.slice(PREFIX.length), 'base64url')
    if (sealed.length <= IV_BYTES + TAG_BYTES) throw new CursorError(NOT_OURS)
    const plain = this.#keys.reduce<Buffer | null>((found, key) => found ?? open(key, sealed), null)
    if (plain === null) throw new CursorError(NOT_OURS)
    return parse(plain.toString('utf8'), partitions)
  }
}

/** The plaintext, or null when `key` did not seal it (or it was altered). */
function open(key: Buffer, sealed: Buffer): Buffer | null {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES))
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()])
  } catch {
    return null
  }
}

/** A sealed cursor's content; checked all the same (a cursor of another layout, a bug). */
function parse(json: string, partitions: number): PageCursor {
  let v: unknown
  try {
    v = JSON.parse(json)
  } catch {
    throw new CursorError('the cursor is malformed')
  }
  if (!Array.isArray(v) || v.length !== 4) throw new CursorError('the cursor is malformed')
  const [at, id, o, t] = v as unknown[]
  if (typeof at !== 'number' || !Number.isSafeInteger(at)) throw new CursorError('the cursor is malformed')
  if (typeof id !== 'string' || id.length === 0 || id.length > 512) throw new CursorError('the cursor is malformed')
  if (!Array.isArray(o) || !o.every(isCount) || !isCount(t)) throw new CursorError('the cursor is malformed')
  if (o.length !== partitions) {
    throw new CursorError(`the cursor is for ${o.length} partitions, the stream has ${partitions}; start from a fresh snapshot`)
  }
  return { key: { at, id }, o: o as number[], t }
}
