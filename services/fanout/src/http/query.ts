// A subscription's view from a query string, the same for /v1/sse, /v1/snapshot, /v1/counts and a
// subscription named in the /v1/stream URL: `channels`, `languages`, `categories` (comma lists),
// `maxUrgency`, `tickerFieldsOnly`, `states`; for a stream also `since`, `catchUp` and `entries`.
// Parsed with the WebSocket protocol's own parsers (protocol.ts), so every transport accepts and
// refuses the same things.
import type { Channel, Filter } from '../channels.ts'
import { checkStory, parseCatchUp, parseChannels, parseFilter, parseSince, ProtocolError } from '../protocol.ts'
import type { SubscribeMessage } from '../protocol.ts'

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
export function viewFromQuery(q: URLSearchParams, ref: string | null, requireSome = true): QueryView {
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
  // no filter: the shared empty one, as a message without one gets (a filter object per request made
  // the broadcast group's key and the view's key anew for every connection: issue 18)
  return { channels, filter: parseFilter(hasFilter ? raw : undefined, ref) }
}

/** The parameters that name a view: a query with any of them names a subscription. */
const viewParams = ['channels', 'languages', 'categories', 'states', 'maxUrgency', 'tickerFieldsOnly'] as const

/** Whether a /v1/stream URL names a subscription (the first, made as the connection opens). */
export const namesSubscription = (q: URLSearchParams): boolean => viewParams.some((name) => q.has(name))

/**
 * A stream's subscription from its query string, as the `subscribe` message would give it (SSE's,
 * and the one a /v1/stream URL names); `since` is the position to resume from, if any. Throws
 * ProtocolError.
 */
export function subscriptionFromQuery(q: URLSearchParams, id: string | null, ref: string | null, since: string | null): SubscribeMessage {
  const { channels, filter } = viewFromQuery(q, ref)
  const entries = q.get('entries')
  return {
    type: 'subscribe',
    id,
    channels,
    filter,
    since: parseSince(since, ref),
    catchUp: parseCatchUp(q.get('catchUp') ?? undefined, ref),
    entries: checkStory(channels, entries === null || entries === '' ? null : /^\d{1,4}$/.test(entries) ? Number(entries) : entries, ref),
  }
}
