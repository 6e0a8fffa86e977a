// Whether a page's view lies within the stream's. Kills and holds reach a client through its
// stream's view only, so a story paged in from outside it would never hear of its kill (red5
// attack run, 2026-12-04): older() asks only for views the stream covers. Pure.
import type { StreamFilter } from './types.ts'

type View = { channels: readonly string[]; filter: StreamFilter | undefined }

const listWithin = <T>(asked: readonly T[] | undefined, stream: readonly T[] | undefined): boolean =>
  stream === undefined || asked?.every((x) => stream.includes(x)) === true

/** Why `asked` is not within `stream` (a field named), or null when every story of it is the stream's too. */
export function outsideOf(asked: View, stream: View): string | null {
  const covers = stream.channels.includes('all')
  const extra = asked.channels.filter((c) => !covers && !stream.channels.includes(c))
  if (extra.length > 0) return `channel ${extra.join(', ')} is not one of the stream's`
  const a = asked.filter ?? {}
  const s = stream.filter ?? {}
  if (!listWithin(a.languages, s.languages)) return "filter.languages is wider than the stream's"
  if (!listWithin(a.categories, s.categories)) return "filter.categories is wider than the stream's"
  if (!listWithin(a.states, s.states)) return "filter.states is wider than the stream's"
  if (s.maxUrgency !== undefined && (a.maxUrgency === undefined || a.maxUrgency > s.maxUrgency))
    return "filter.maxUrgency is wider than the stream's"
  return null
}
