// Channels and filters: parsing client input and matching articles. Pure: no I/O.
import { isBreaking } from '@newswire/shared'
import type { Article, ArticleEvent } from '@newswire/shared'

/** What matching (channels, filters, token scopes, the index) reads of an article: a version's view. */
export type ArticleView = Pick<Article, 'id' | 'category' | 'language' | 'urgency' | 'breaking'>

export const channelKinds = ['breaking', 'category', 'lang', 'all', 'article', 'story'] as const
export type ChannelKind = (typeof channelKinds)[number]

export interface Channel {
  /** Canonical string, e.g. `category:international`, `lang:bn`, `article:bd-1`. */
  name: string
  kind: ChannelKind
  /** Slug or language tag for category/lang channels, lower case; the article id (case kept) for article/story. */
  value: string | null
}

/** Article ids as ingest accepts them (services/ingest fields.ts): no '/', at most 200 characters. */
const articleIdRe = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/

/** Editorial states a filter may ask for (what each means: states.ts). */
export const editorialStates = ['live', 'embargoed', 'withheld', 'withdrawn'] as const
export type EditorialState = (typeof editorialStates)[number]

export interface Filter {
  languages: string[] | null
  categories: string[] | null
  maxUrgency: number | null
  tickerFieldsOnly: boolean
  /** Editorial states (states.ts); applied with the ledger's record, not here: an article alone does not say. */
  states: EditorialState[] | null
}

export const emptyFilter: Filter = { languages: null, categories: null, maxUrgency: null, tickerFieldsOnly: false, states: null }

/** Fields a ticker shows; UPDATED events touching none of them are skipped with tickerFieldsOnly. */
export const tickerFields: ReadonlySet<string> = new Set([
  'headline',
  'urgency',
  'breaking',
  'category',
  'language',
  'pubStatus',
  'embargoedUntil',
  'url',
  'summary',
])

/** A category slug (lower case), as `category:<slug>`, filters and token claims take it. */
export const slugRe = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
/** A language tag (lower case), as `lang:<tag>`, filters and token claims take it. */
export const langRe = /^[a-z]{2,8}(?:-[a-z0-9]{1,8})*$/

export class ChannelError extends Error {
  readonly code = 'bad_channel'
}

export function parseChannel(raw: unknown): Channel {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 220)
    throw new ChannelError('a channel must be a string of 1-220 characters')
  // article:<id> and story:<id> keep the id's case, as ingest does
  const id = /^\s*(article|story):(.*?)\s*$/i.exec(raw)
  if (id) {
    const kind = (id[1] as string).toLowerCase() as 'article' | 'story'
    const value = id[2] as string
    if (!articleIdRe.test(value))
      throw new ChannelError(`'${raw}' names no article: ${kind}:<id>, the id as ingest accepts it (letters, digits and . _ : -)`)
    return { name: `${kind}:${value}`, kind, value }
  }
  if (raw.length > 100) throw new ChannelError('a channel must be a string of 1-100 characters')
  const s = raw.trim().toLowerCase()
  if (s === 'breaking' || s === 'all') return { name: s, kind: s, value: null }
  const colon = s.indexOf(':')
  const kind = colon > 0 ? s.slice(0, colon) : s
  const value = colon > 0 ? s.slice(colon + 1) : ''
  if (kind === 'category' && slugRe.test(value)) return { name: `category:${value}`, kind, value }
  if (kind === 'lang' && langRe.test(value)) return { name: `lang:${value}`, kind, value }
  throw new ChannelError(`unknown channel '${raw}' (channels: breaking, all, category:<slug>, lang:<tag>, article:<id>, story:<id>)`)
}

/** `bn` matches `bn` and `bn-BD`; comparison is case-insensitive. */
export function languageMatches(wanted: string, tag: string): boolean {
  const t = tag.toLowerCase()
  return t === wanted || t.startsWith(`${wanted}-`)
}

export function channelMatches(ch: Channel, a: ArticleView): boolean {
  switch (ch.kind) {
    case 'all':
      return true
    case 'breaking':
      return isBreaking(a)
    case 'category':
      return a.category === ch.value
    case 'lang':
      return ch.value !== null && languageMatches(ch.value, a.language)
    case 'article':
    case 'story':
      return a.id === ch.value
  }
}

export function filterMatches(f: Filter, a: ArticleView): boolean {
  if (f.languages && !f.languages.some((l) => languageMatches(l, a.language))) return false
  if (f.categories && (a.category === null || !f.categories.includes(a.category))) return false
  if (f.maxUrgency !== null && a.urgency > f.maxUrgency) return false
  return true
}

/** UPDATED events that change nothing a ticker shows are skipped when the filter asks for it. */
export function passesTickerFilter(f: Filter, e: Pick<ArticleEvent, 'type' | 'changedFields'>): boolean {
  if (!f.tickerFieldsOnly || e.type !== 'UPDATED') return true
  return e.changedFields.some((c) => tickerFields.has(c))
}

/**
 * The channel an article reaches a subscription through, or null. With no channels the
 * subscription is filter-only and matches everything that passes the filter (channel `*`).
 */
export function matchChannel(channels: readonly Channel[], f: Filter, a: ArticleView): string | null {
  if (!filterMatches(f, a)) return null
  if (channels.length === 0) return '*'
  for (const ch of channels) if (channelMatches(ch, a)) return ch.name
  return null
}

/**
 * Index keys under which an article can be found (see Hub): `*`, `all`, `breaking`, `category:x`,
 * `lang:x` and its prefixes, `article:<id>`. `story:<id>` subscriptions are matched apart
 * (stories.ts): they also get the story's entries.
 */
export function indexKeysOf(a: ArticleView): string[] {
  const keys = ['*', 'all', `article:${a.id}`]
  if (isBreaking(a)) keys.push('breaking')
  if (a.category) keys.push(`category:${a.category}`)
  const parts = a.language.toLowerCase().split('-')
  for (let i = 1; i <= parts.length; i++) keys.push(`lang:${parts.slice(0, i).join('-')}`)
  return keys
}

/** Index key of a subscription channel list (filter-only subscriptions use `*`). */
export function indexKeysOfChannels(channels: readonly Channel[]): string[] {
  return channels.length === 0 ? ['*'] : channels.map((c) => c.name)
}
