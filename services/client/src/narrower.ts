// Whether a page's view lies within the stream's. Kills and holds reach a client through its
// stream's view only, so a story paged in from outside it would never hear of its kill (red5
// attack run, 2026-12-04): older() asks only for views the stream covers. Channel names are read
// as the server reads them (services/fanout channels.ts, http/query.ts): comma lists split,
// case-insensitive, `lang:bn` covering `lang:bn-BD`. An empty list is left out of the request,
// which asks for everything: wider; so is a maxUrgency the query cannot carry. Pure.
import type { StreamFilter } from './types.ts'

type View = { channels: readonly string[]; filter: StreamFilter | undefined }

/** The server's canonical name: article and story ids keep their case, the rest is lower case. */
const canonical = (c: string): string => {
  const id = /^\s*(article|story):(.*?)\s*$/i.exec(c)
  return id ? `${(id[1] as string).toLowerCase()}:${id[2] as string}` : c.trim().toLowerCase()
}

/** The names of a list as the server reads its comma list (`a,b` is two; blanks are none). */
const names = (list: readonly string[]): string[] =>
  list
    .flatMap((x) => String(x).split(','))
    .map((x) => x.trim())
    .filter((x) => x !== '')

/** `bn` covers `bn` and `bn-bd`. */
const languageWithin = (asked: string, stream: string): boolean => asked === stream || asked.startsWith(`${stream}-`)

const channelWithin = (asked: string, stream: readonly string[]): boolean =>
  stream.some((s) => s === asked || (s.startsWith('lang:') && asked.startsWith('lang:') && languageWithin(asked.slice(5), s.slice(5))))

const listWithin = (
  asked: readonly string[] | undefined,
  stream: readonly string[] | undefined,
  within: (a: string, s: string) => boolean,
): boolean => {
  if (stream === undefined) return true
  if (asked === undefined) return false
  const a = names(asked)
  const s = names(stream).map((x) => x.toLowerCase())
  return a.length > 0 && a.every((x) => s.some((y) => within(x.toLowerCase(), y)))
}

/**
 * A stream list item holding a comma: the WebSocket reads it as one name (the server refuses it),
 * the query of a page as two, so no page can be judged within such a stream (red12 attack run).
 */
export const joined = (v: View): unknown =>
  [v.channels, v.filter?.languages, v.filter?.categories, v.filter?.states].flat().find((x) => String(x).includes(','))

/** Why `asked` is not within `stream` (a field named), or null when every story of it is the stream's too. */
export function outsideOf(asked: View, stream: View): string | null {
  const comma = joined(stream)
  if (comma !== undefined) return `the stream's '${String(comma)}' is a comma list: one name per item`
  const streamChannels = names(stream.channels).map(canonical)
  const askedChannels = names(asked.channels)
  const covers = streamChannels.includes('all')
  if (!covers && askedChannels.length === 0) return "no channels asks for every channel, not only the stream's"
  const extra = covers ? [] : askedChannels.filter((c) => !channelWithin(canonical(c), streamChannels))
  if (extra.length > 0) return `channel ${extra.join(', ')} is not one of the stream's`
  const a = asked.filter ?? {}
  const s = stream.filter ?? {}
  if (!listWithin(a.languages, s.languages, languageWithin)) return "filter.languages is wider than the stream's"
  if (!listWithin(a.categories, s.categories, (x, y) => x === y)) return "filter.categories is wider than the stream's"
  if (!listWithin(a.states, s.states, (x, y) => x === y)) return "filter.states is wider than the stream's"
  const urgency = a.maxUrgency
  // the query carries only an integer 1-9; the server reads anything else as no limit, or refuses it
  if (urgency !== undefined && !(Number.isInteger(urgency) && urgency >= 1 && urgency <= 9))
    return 'filter.maxUrgency must be an integer from 1 to 9'
  if (s.maxUrgency !== undefined && (urgency === undefined || urgency > s.maxUrgency)) return "filter.maxUrgency is wider than the stream's"
  return null
}

/** Whether the stream is the story's own subscription, the only one its entries' removals reach. */
export const followsStory = (stream: readonly string[], storyId: string): boolean =>
  names(stream).some((c) => canonical(c) === `story:${storyId}`)
