// One entry of a live story as the embed draws it: its time (the story's zone, the story's
// language), how long ago, key-event and updated marks, headline, paragraphs, authors and every
// correction note. Text goes in as text (dom.ts), never as markup.
import type { StoryEntry } from '@newswire/client'
import { h } from './dom.ts'
import { cutText, formatClock, formatRelative, toMs } from './format.ts'
import { type Ui, wordsFor } from './story-text.ts'

export interface EntryView {
  ui: Ui
  /** The story's language (entries have none of their own). */
  lang: string | undefined
  timeZone: string | undefined
  now: number
}

/** Changes whenever the entry must be drawn again. */
export const entryKey = (e: StoryEntry) => `${e.version}|${e.pinned}|${e.keyEvent}`

/** How much of a first paragraph stands for an entry without a headline in the key events list. */
export const KEY_EVENT_CHARS = 120

/** An edit a reader should know of: later than a minute after publication. */
const edited = (e: StoryEntry) => (toMs(e.updatedAt) ?? 0) - (toMs(e.publishedAt) ?? 0) > 60_000

export function entryNode(e: StoryEntry, v: EntryView): HTMLElement {
  const w = wordsFor(v.ui)
  const at = toMs(e.publishedAt) ?? v.now
  const id = `nw-e-${e.id}`
  return h(
    'article',
    {
      class: `entry a${e.keyEvent ? ' key' : ''}${e.pinned ? ' pinned' : ''}`,
      id,
      lang: v.lang,
      tabindex: '0',
      'aria-labelledby': e.headline ? `${id}-h` : undefined,
      'data-entry-id': e.id,
      'data-seq': String(e.seq),
      'data-key': entryKey(e),
    },
    h(
      'div',
      { class: 'meta' },
      h('time', { datetime: new Date(at).toISOString() }, formatClock(at, { language: v.ui, timeZone: v.timeZone, now: v.now })),
      h('span', { class: 'ago', 'data-at': String(at) }, formatRelative(at, v.now, v.ui)),
      e.keyEvent && h('span', { class: 'badge key' }, w.keyEvent),
      edited(e) && h('span', { class: 'badge edited' }, w.edited),
    ),
    e.headline && h('h3', { id: `${id}-h` }, e.headline),
    ...e.body.map((p) => h('p', {}, p)),
    e.authors.length > 0 && h('p', { class: 'by' }, `${w.by} ${e.authors.join(', ')}`),
    ...e.corrections.map((c) => h('p', { class: 'corr' }, h('strong', {}, `${w.correction}: `), c.note)),
  )
}

/** What the key events list shows of an entry: its headline, else the start of its first paragraph. */
export function keyEventText(e: Pick<StoryEntry, 'headline' | 'body'>): string {
  return e.headline ?? cutText(e.body[0] ?? '', KEY_EVENT_CHARS)
}

/** A key event in the list above the feed: its time and headline (or its first words), a button to it. */
export function keyEventNode(e: StoryEntry, v: EntryView): HTMLLIElement {
  const at = toMs(e.publishedAt) ?? v.now
  const text = keyEventText(e)
  return h(
    'li',
    { 'data-entry-id': e.id, 'data-key': entryKey(e) },
    h(
      'button',
      { type: 'button', class: 'a', 'data-entry-id': e.id, lang: v.lang },
      h('time', { datetime: new Date(at).toISOString() }, formatClock(at, { language: v.ui, timeZone: v.timeZone, now: v.now })),
      ` ${text}`,
    ),
  )
}

/** Moves "5 min ago" on; the line never wraps (CSS), so nothing around it moves. */
export function refreshAgo(root: ParentNode, now: number, ui: Ui): void {
  for (const el of root.querySelectorAll<HTMLElement>('.ago')) {
    const text = formatRelative(Number(el.dataset.at), now, ui)
    if (el.textContent !== text) el.textContent = text
  }
}
