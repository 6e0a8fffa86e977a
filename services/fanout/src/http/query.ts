// A subscription's view from a query string, the same for /v1/sse, /v1/snapshot and /v1/counts:
// `channels`, `languages`, `categories` (comma lists), `maxUrgency`, `tickerFieldsOnly`, `states`.
// Parsed with the WebSocket protocol's own parsers (protocol.ts), so every transport accepts and
// refuses the same things.
import type { Channel, Filter } from '../channels.ts'
import { parseChannels, parseFilter, ProtocolError } from '../protocol.ts'

export interface QueryView {
  channels: Channel[]
  filter: Filter
}

/** A comma list; absent or empty is undefined. */
export const commaList = (v: string | null): string[] | undefined =>
  v === null || v.trim() === ''
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')

/**
 * Throws ProtocolError (`ref` names the request in the error). A stream needs channels or a
 * filter (`requireSome`); a page or a count without either covers all the client may see, like a
 * WebSocket subscription with an empty filter.
 */
export function viewFromQuery(q: URLSearchParams, ref: string, requireSome = true): QueryView {
  const channels = parseChannels(commaList(q.get('channels')), ref)
  const raw: Record<string, unknown> = {}
  for (const name of ['languages', 'categories', 'states']) {
    const list = commaList(q.get(name))
    if (list) raw[name] = list
  }
  const maxUrgency = q.get('maxUrgency')
  // digits only: Number() also reads '0x3', '3e0', '+3' or ' 3' as 3; anything else is handed on
  // as the string it is, which parseFilter refuses with its own message
  if (maxUrgency !== null && maxUrgency !== '') raw.maxUrgency = /^\d+$/.test(maxUrgency) ? Number(maxUrgency) : maxUrgency
  const ticker = q.get('tickerFieldsOnly')
  if (ticker !== null) raw.tickerFieldsOnly = ticker === 'true' || ticker === '1'
  const hasFilter = Object.keys(raw).length > 0
  if (channels.length === 0 && !hasFilter && requireSome)
    throw new ProtocolError('bad_message', 'give channels and/or a filter (languages, categories, maxUrgency, states)', ref)
  return { channels, filter: parseFilter(raw, ref) }
}
