// One story on the dashboard: its editorial state first (as a word, never by colour alone), then
// what it is and when, in the desk's one time zone with seconds on embargo times and relative
// times in the story's language.
import type { EditorialState } from '@newswire/client'
import { h } from './dom.ts'
import { type FeedItem, isBreaking, reasonOf, stateOf } from './feed.ts'
import { formatClock, formatNumber, formatRelative, zoneLabel } from './format.ts'

const stateText: Record<EditorialState, string> = {
  live: 'live',
  embargoed: 'embargoed',
  withheld: 'withheld',
  withdrawn: 'withdrawn',
}

export interface ItemView {
  now: number
  zone: string
}

/** A live story the desk follows: its entries, counted by state ("37 entries: 34 live · 2 embargoed"). */
export interface LiveInfo {
  counts: string
}

/**
 * Changes whenever the item must be drawn again: a new message about it, its state moving on with
 * the clock, its live line appearing. The counts change in place (refreshTimes), so the list, a
 * polite live region, does not read the whole story again at every entry.
 */
export const itemKey = (item: FeedItem, live?: LiveInfo | null): string => `${item.seq}|${stateOf(item)}|${live ? 'live' : ''}`

function moment(ms: number, lang: string | undefined, v: ItemView, seconds: boolean): HTMLTimeElement {
  return h(
    'time',
    { datetime: new Date(ms).toISOString(), lang, title: `${new Date(ms).toISOString()} · ${v.zone}`, 'data-at': String(ms) },
    formatClock(ms, { language: lang, timeZone: v.zone, seconds, now: v.now }),
  )
}

function relative(ms: number, lang: string | undefined, v: ItemView): HTMLSpanElement {
  return h('span', { class: 'ago', lang, 'data-at': String(ms) }, formatRelative(ms, v.now, lang))
}

function stateLine(item: FeedItem, state: EditorialState, lang: string | undefined, v: ItemView): HTMLDivElement | null {
  const reason = reasonOf(item)
  // A reason that only repeats the state says nothing
  const why = reason && reason !== state ? ` Reason: ${reason}` : ''
  switch (state) {
    case 'embargoed':
      // Put under embargo again: this token is shown it only once released, so its new end is not known here
      if (item.hold) return h('div', { class: 'state-line embargoed' }, `Embargoed again — held, not running until it is released.${why}`)
      return h(
        'div',
        { class: 'state-line embargoed' },
        'Embargoed until ',
        Number.isNaN(item.embargoEnd) ? 'a time the story does not give' : moment(item.embargoEnd, lang, v, true),
        Number.isNaN(item.embargoEnd) ? '' : ` ${zoneLabel(v.zone, item.embargoEnd)} · `,
        Number.isNaN(item.embargoEnd) ? null : relative(item.embargoEnd, lang, v),
      )
    case 'withheld':
      return h('div', { class: 'state-line withheld' }, `Withheld — held back, not running; it may still run.${why}`)
    case 'withdrawn':
      return h('div', { class: 'state-line withdrawn' }, `Withdrawn — killed, must not run.${why}`)
    default:
      return null
  }
}

/** A live story's line: its entries by state, and the button that opens it. */
function liveLine(item: FeedItem, live: LiveInfo): HTMLDivElement {
  return h(
    'div',
    { class: 'live-line' },
    h('span', { class: 'entry-counts' }, live.counts),
    h(
      'button',
      {
        type: 'button',
        class: 'open-story',
        'data-story': item.id,
        'aria-label': `Open the live story: ${item.article.headline || item.id}`,
      },
      'Open',
    ),
  )
}

/**
 * The headline, else the id: an erased story (ingest's kill without the content, the one version
 * with an empty headline) reads "(erased: id)" after a reload, where it was an empty line under
 * "withdrawn" that no editor could tell from another (red21d attack run).
 */
export function titleOf(item: FeedItem, state: EditorialState): string {
  const headline = item.article.headline
  if (headline) return headline
  return headline === '' && state === 'withdrawn' ? `(erased: ${item.id})` : `(${item.id})`
}

export function renderItem(item: FeedItem, v: ItemView, live?: LiveInfo | null): HTMLLIElement {
  const a = item.article
  const lang = a.language ?? undefined
  const state = stateOf(item)
  const breaking = isBreaking(a) && state !== 'withdrawn'
  const category = a.category ?? 'uncategorized'
  item.shownAt ??= v.now
  return h(
    'li',
    {
      class: `item${breaking ? ' breaking' : ''}`,
      'data-article-id': item.id,
      'data-state': state,
      'data-change': item.change,
      'data-version': String(a.version),
      'data-shown-at': String(item.shownAt),
      'data-key': itemKey(item, live),
    },
    h(
      'div',
      { class: 'meta' },
      h('span', { class: `badge state state-${state}` }, stateText[state]),
      breaking && h('span', { class: 'badge breaking' }, 'breaking'),
      a.live === true && h('span', { class: 'badge live-blog' }, 'live blog'),
      item.change === 'updated' && h('span', { class: 'badge updated' }, 'updated'),
      h('span', { class: 'category' }, a.categoryLabel && a.categoryLabel !== category ? `${category} · ${a.categoryLabel}` : category),
      h('span', { class: 'language' }, lang ?? '?'),
      moment(item.editorialAt, lang, v, false),
      relative(item.editorialAt, lang, v),
      `v${formatNumber(a.version, 'en')}`,
      item.latencyMs !== null && h('span', { class: 'latency', title: 'received − ingestedAt' }, `${item.latencyMs} ms`),
    ),
    h('h3', { class: 'headline', lang }, titleOf(item, state)),
    item.change === 'updated' && item.changed.length > 0 && h('div', { class: 'changed' }, `Changed: ${item.changed.join(', ')}`),
    stateLine(item, state, lang, v),
    live && liveLine(item, live),
  )
}

/** Moves the clock on in an item drawn earlier (relative times only: absolute ones do not change), and its entry counts. */
export function refreshTimes(li: HTMLElement, now: number, live?: LiveInfo | null): void {
  const counts = li.querySelector('.entry-counts')
  if (counts && live && counts.textContent !== live.counts) counts.textContent = live.counts
  for (const el of li.querySelectorAll<HTMLElement>('.ago')) {
    const text = formatRelative(Number(el.dataset.at), now, el.lang || undefined)
    if (el.textContent !== text) el.textContent = text
  }
}
