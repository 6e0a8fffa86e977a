// The cursor of older pages (`subscribed.more`, `next` of GET /v1/snapshot): where the last page
// ended in editorial order, and the stream position the first page was taken at. Opaque to
// clients; not signed, because it decides nothing about visibility: every item a page returns is
// checked against the ledger for the requester's own clearance, scope and view. A forged cursor
// can only move where a page starts, or bring back a story the stream has already updated. Pure.
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

const PREFIX = 'p1.'
const MAX_LENGTH = 16_384

export function encodeCursor(c: PageCursor): string {
  return PREFIX + Buffer.from(JSON.stringify([c.key.at, c.key.id, c.o, c.t])).toString('base64url')
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0

/** Throws CursorError for anything that is not a cursor of this server's layout (`partitions`). */
export function decodeCursor(raw: string, partitions: number): PageCursor {
  if (raw.length > MAX_LENGTH || !raw.startsWith(PREFIX) || !/^[A-Za-z0-9_-]+$/.test(raw.slice(PREFIX.length))) {
    throw new CursorError('the cursor is not one this server gave (use `more` or `next` as received)')
  }
  let v: unknown
  try {
    v = JSON.parse(Buffer.from(raw.slice(PREFIX.length), 'base64url').toString('utf8'))
  } catch {
    throw new CursorError('the cursor is not one this server gave (use `more` or `next` as received)')
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
