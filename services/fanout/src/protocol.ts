// Client → server messages: parsing and validation into typed messages or errors with stable
// codes. Server → client messages are built in messages.ts. Pure: no I/O.
import { ChannelError, editorialStates, emptyFilter, langRe, parseChannel, slugRe } from './channels.ts'
import type { Channel, EditorialState, Filter } from './channels.ts'
import type { CatchUp } from './versions.ts'
import type { Audience } from './visibility.ts'

export const errorCodes = [
  'bad_message',
  'unknown_type',
  'bad_channel',
  'forbidden_channel',
  'forbidden_filter',
  'too_many_subscriptions',
  'invalid_position',
  'duplicate_id',
  'unknown_subscription',
  'replay_unavailable',
  'internal',
] as const
export type ErrorCode = (typeof errorCodes)[number]

export class ProtocolError extends Error {
  readonly code: ErrorCode
  /** The `id` of the client message this answers, when it had one. */
  readonly ref: string | null
  /** The frame itself is unusable (not JSON): the connection is closed with 4400. */
  readonly fatal: boolean
  constructor(code: ErrorCode, message: string, ref: string | null = null, fatal = false) {
    super(message)
    this.code = code
    this.ref = ref
    this.fatal = fatal
  }
}

export interface SubscribeMessage {
  type: 'subscribe'
  id: string | null
  channels: Channel[]
  filter: Filter
  /** The client's position, verified by the hub (subscribe.ts): a bad one gets `error` and `reset`. */
  since: string | null
  /** `latest`: a resume sends only the newest version of each article missed (conflated catch-up). */
  catchUp: CatchUp
  /** Latest entries in the snapshot of a `story:` subscription (absent or null: the default). */
  entries?: number | null
}

/** Latest entries a `story:` snapshot holds: by default, and at most. */
export const DEFAULT_STORY_ENTRIES = 20
export const MAX_STORY_ENTRIES = 100

export interface UnsubscribeMessage {
  type: 'unsubscribe'
  id: string
}

export interface PingMessage {
  type: 'ping'
  id: string | null
}

export type ClientMessage = SubscribeMessage | UnsubscribeMessage | PingMessage

const idRe = /^[\x21-\x7e]{1,64}$/
const maxChannels = 50
const maxListItems = 50

/** A subscription's id (1–64 visible ASCII characters); throws ProtocolError. */
export function parseId(v: unknown, required: boolean): string | null {
  if (v === undefined || v === null) {
    if (required) throw new ProtocolError('bad_message', 'id is required')
    return null
  }
  if (typeof v !== 'string' || !idRe.test(v)) throw new ProtocolError('bad_message', 'id must be 1-64 visible ASCII characters')
  return v
}

/**
 * A filter's list of language tags or category slugs, each read as `lang:` and `category:` read
 * theirs (trimmed, lower case). Anything else is refused, not kept as an item no story matches:
 * the query form of the same view (SSE, pages, counts) splits its comma list, so `"bn,en"` would
 * be two tags there and none here, and a reader paging its stream's view would be given stories
 * its stream never carries, kills included (red12 attack run).
 */
function tagList(v: unknown, field: string, ref: string | null, re: RegExp, what: string): string[] | null {
  if (v === undefined || v === null) return null
  const normalize = (x: string) => x.trim().toLowerCase()
  if (
    !Array.isArray(v) ||
    v.length === 0 ||
    v.length > maxListItems ||
    !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 64 && re.test(normalize(x)))
  ) {
    throw new ProtocolError('bad_message', `filter.${field} must be a list of 1-${maxListItems} ${what}, one per item`, ref)
  }
  return [...new Set((v as string[]).map(normalize))]
}

export function parseFilter(v: unknown, ref: string | null): Filter {
  if (v === undefined || v === null) return emptyFilter
  if (typeof v !== 'object' || Array.isArray(v)) throw new ProtocolError('bad_message', 'filter must be an object', ref)
  const f = v as Record<string, unknown>
  for (const k of Object.keys(f)) {
    if (!filterFields.includes(k)) throw new ProtocolError('bad_message', `unknown filter field '${k}' (${filterFields.join(', ')})`, ref)
  }
  const maxUrgency = f.maxUrgency ?? null
  if (maxUrgency !== null && (typeof maxUrgency !== 'number' || !Number.isInteger(maxUrgency) || maxUrgency < 1 || maxUrgency > 9)) {
    throw new ProtocolError('bad_message', 'filter.maxUrgency must be an integer from 1 to 9', ref)
  }
  const tickerFieldsOnly = f.tickerFieldsOnly ?? false
  if (typeof tickerFieldsOnly !== 'boolean') throw new ProtocolError('bad_message', 'filter.tickerFieldsOnly must be a boolean', ref)
  return {
    languages: tagList(f.languages, 'languages', ref, langRe, 'language tags such as bn or bn-BD'),
    categories: tagList(f.categories, 'categories', ref, slugRe, 'category slugs such as international'),
    maxUrgency,
    tickerFieldsOnly,
    states: parseStates(f.states, ref),
  }
}

const filterFields = ['languages', 'categories', 'maxUrgency', 'tickerFieldsOnly', 'states']

/** `filter.states`: a non-empty list of editorial states, kept in the order states.ts defines. */
export function parseStates(v: unknown, ref: string | null): EditorialState[] | null {
  if (v === undefined || v === null) return null
  const known: readonly string[] = editorialStates
  if (!Array.isArray(v) || v.length === 0 || v.length > 8 || !v.every((s) => typeof s === 'string' && known.includes(s))) {
    throw new ProtocolError('bad_message', `filter.states must be a non-empty list of ${editorialStates.join(', ')}`, ref)
  }
  return editorialStates.filter((s) => v.includes(s))
}

export function parseChannels(v: unknown, ref: string | null): Channel[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.length > maxChannels)
    throw new ProtocolError('bad_message', `channels must be a list of at most ${maxChannels}`, ref)
  const out = new Map<string, Channel>()
  for (const raw of v) {
    try {
      const ch = parseChannel(raw)
      out.set(ch.name, ch)
    } catch (err) {
      if (err instanceof ChannelError) throw new ProtocolError('bad_channel', err.message, ref)
      throw err
    }
  }
  return [...out.values()]
}

/**
 * A `story:<id>` channel stands alone in its subscription (its messages carry the story's
 * entries); `entries` (1-100) is for it only. Throws ProtocolError.
 */
export function checkStory(channels: readonly Channel[], entries: unknown, ref: string | null): number | null {
  const story = channels.find((c) => c.kind === 'story')
  if (story && channels.length > 1)
    throw new ProtocolError('bad_channel', `channel '${story.name}' must be the only channel of its subscription`, ref)
  if (entries === undefined || entries === null) return null
  if (!story) throw new ProtocolError('bad_message', 'entries is for a story:<id> subscription', ref)
  if (typeof entries !== 'number' || !Number.isInteger(entries) || entries < 1 || entries > MAX_STORY_ENTRIES)
    throw new ProtocolError('bad_message', `entries must be an integer from 1 to ${MAX_STORY_ENTRIES}`, ref)
  return entries
}

/** A position is opaque here: a string of bounded length (the hub verifies it). */
export function parseSince(v: unknown, ref: string | null): string | null {
  if (v === undefined || v === null) return null
  if (typeof v !== 'string' || v.length === 0 || v.length > 16_384) {
    throw new ProtocolError('invalid_position', 'since must be a position string from an earlier message', ref)
  }
  return v
}

export function parseCatchUp(v: unknown, ref: string | null): CatchUp {
  if (v === undefined || v === null || v === 'all') return 'all'
  if (v === 'latest') return 'latest'
  throw new ProtocolError('bad_message', "catchUp must be 'all' or 'latest'", ref)
}

/** Parses one text frame. Throws ProtocolError (bad_message, unknown_type, bad_channel, invalid_position). */
export function parseClientMessage(text: string): ClientMessage {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new ProtocolError('bad_message', 'the frame is not valid JSON', null, true)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ProtocolError('bad_message', 'a message must be a JSON object')
  const m = raw as Record<string, unknown>
  const ref = typeof m.id === 'string' && idRe.test(m.id) ? m.id : null
  switch (m.type) {
    case 'subscribe': {
      const id = parseId(m.id, false)
      const channels = parseChannels(m.channels, ref)
      const hasFilter = m.filter !== undefined && m.filter !== null
      if (channels.length === 0 && !hasFilter) throw new ProtocolError('bad_message', 'subscribe needs channels and/or a filter', ref)
      return {
        type: 'subscribe',
        id,
        channels,
        filter: parseFilter(m.filter, ref),
        since: parseSince(m.since, ref),
        catchUp: parseCatchUp(m.catchUp, ref),
        entries: checkStory(channels, m.entries, ref),
      }
    }
    case 'unsubscribe':
      return { type: 'unsubscribe', id: parseId(m.id, true) as string }
    case 'ping':
      return { type: 'ping', id: parseId(m.id, false) }
    default:
      throw new ProtocolError('unknown_type', `unknown message type '${String(m.type)}' (subscribe, unsubscribe, ping)`, ref)
  }
}

/** Channels and states only the newsroom may ask for (the public sees live stories only). */
export function checkAccess(msg: Pick<SubscribeMessage, 'id' | 'channels' | 'filter'>, audience: Audience): void {
  if (audience === 'newsroom') return
  const forbidden = msg.channels.find((c) => c.kind === 'all')
  if (forbidden) throw new ProtocolError('forbidden_channel', `channel '${forbidden.name}' needs a newsroom token`, msg.id)
  const state = msg.filter.states?.find((s) => s !== 'live')
  if (state)
    throw new ProtocolError(
      'forbidden_filter',
      `filter.states '${state}' needs a newsroom token (the public sees live stories only)`,
      msg.id,
    )
}
