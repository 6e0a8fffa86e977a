// A live story opened on the dashboard (a modal dialog): its entries newest first, each with its
// editorial state as a word, never by colour alone — live, embargoed (until when, in the desk's
// zone), withheld, deleted (with the newsroom's reason) — its pinned and key-event flags, its
// corrections, and the count per state. It follows the desk's subscription live.
import type { Article } from '@newswire/client'
import { h, reconcile } from './dom.ts'
import { formatClock, formatNumber, formatRelative, zoneLabel } from './format.ts'
import { refreshTimes } from './dashboard-item.ts'
import { type DeskEntry, type DeskStory, type EntryState, entryStates, RUNNING, type StoryRun } from './live-desk.ts'

export interface PanelView {
  now: number
  zone: string
}

const stateLine: Record<EntryState, string> = {
  live: '',
  embargoed: 'Embargoed until ',
  withheld: 'Withheld — held back, readers do not see it; it may still run.',
  deleted: 'Deleted — taken off every page.',
}

/**
 * "37 entries: 34 live · 2 embargoed · 1 withheld", states with none left out; `partial`: older
 * entries could not be paged in, so these are at least the counts ("at least 100 entries: …").
 */
export function countsText(c: Record<EntryState, number>, partial = false): string {
  const total = c.live + c.embargoed + c.withheld
  const parts = entryStates.filter((s) => c[s] > 0).map((s) => `${formatNumber(c[s], 'en')} ${s}`)
  const counted = `${formatNumber(total, 'en')} ${total === 1 ? 'entry' : 'entries'}${parts.length > 0 ? `: ${parts.join(' · ')}` : ''}`
  return partial ? `at least ${counted}; older entries could not be loaded` : counted
}

/** Changes whenever the entry must be drawn again; the zone too: its times were left in the one the editor moved from (red21d). */
const keyOf = (d: DeskEntry, zone: string) => `${d.entry.id}|${d.entry.version}|${d.state}|${d.embargoEnd}|${d.reason ?? ''}|${zone}`

function entryItem(d: DeskEntry, lang: string | undefined, v: PanelView): HTMLLIElement {
  const e = d.entry
  const at = Date.parse(e.publishedAt)
  return h(
    'li',
    { class: 'entry', 'data-entry-id': e.id, 'data-state': d.state, 'data-key': keyOf(d, v.zone) },
    h(
      'div',
      { class: 'meta' },
      h('span', { class: `badge state state-${d.state}` }, d.state),
      e.pinned && h('span', { class: 'badge' }, 'pinned'),
      e.keyEvent && h('span', { class: 'badge key' }, 'key event'),
      Number.isNaN(at)
        ? null
        : h('time', { datetime: new Date(at).toISOString(), lang }, formatClock(at, { language: lang, timeZone: v.zone, now: v.now })),
      Number.isNaN(at) ? null : h('span', { class: 'ago', lang, 'data-at': String(at) }, formatRelative(at, v.now, lang)),
      `#${e.seq} · v${e.version}`,
    ),
    e.headline && h('h3', { class: 'entry-headline', lang }, e.headline),
    ...e.body.map((p) => h('p', { lang }, p)),
    d.state !== 'live' &&
      h(
        'div',
        { class: `state-line ${d.state}` },
        stateLine[d.state],
        d.state === 'embargoed' && !Number.isNaN(d.embargoEnd)
          ? `${formatClock(d.embargoEnd, { language: lang, timeZone: v.zone, seconds: true, now: v.now })} ${zoneLabel(v.zone, d.embargoEnd)} · `
          : '',
        // a countdown moves on with the clock (refreshTimes): drawn as text, it said "in 25 min" to
        // the moment of the release (red21d attack run)
        d.state === 'embargoed' && !Number.isNaN(d.embargoEnd)
          ? h('span', { class: 'ago', lang, 'data-at': String(d.embargoEnd) }, formatRelative(d.embargoEnd, v.now, lang))
          : null,
        d.reason ? ` Reason: ${d.reason}` : '',
      ),
    ...e.corrections.map((c) => h('p', { class: 'corr', lang }, h('strong', {}, 'Correction: '), c.note)),
  )
}

export class StoryPanel {
  readonly el: HTMLDialogElement
  #title: HTMLElement
  #counts: HTMLElement
  #list: HTMLOListElement
  #id: string | null = null

  constructor() {
    this.#title = h('h2', { id: 'story-panel-title' })
    this.#counts = h('p', { class: 'counts', role: 'status' })
    this.#list = h('ol', { class: 'entries', 'aria-live': 'polite', 'aria-relevant': 'additions' })
    const close = h('button', { type: 'button', class: 'close' }, 'Close')
    this.el = h(
      'dialog',
      { id: 'story-panel', 'aria-labelledby': 'story-panel-title' },
      h('header', {}, this.#title, close),
      this.#counts,
      this.#list,
    )
    close.addEventListener('click', () => this.el.close())
    this.el.addEventListener('close', () => this.close())
  }

  /**
   * Closes it, keeping nothing it drew (at once: the `close` event comes a task later, after a page
   * gone into the back/forward cache). A session that ends closes it, and its held and embargoed
   * entries stayed in the page after "Forget token" (red15 attack run).
   */
  close(): void {
    if (this.el.open) this.el.close()
    this.#id = null
    this.#title.textContent = ''
    this.#counts.textContent = ''
    this.#list.replaceChildren()
  }

  /** The story open now, if any. */
  get openId(): string | null {
    return this.#id
  }

  open(id: string): void {
    if (this.#id !== id) this.#list.replaceChildren()
    this.#id = id
    if (!this.el.open) this.el.showModal()
  }

  /** `run`: how the desk shows the story, which holds its entries while it does not run. */
  render(article: Article | undefined, story: DeskStory | undefined, v: PanelView, run: StoryRun = RUNNING): void {
    if (this.#id === null) return
    const lang = article?.language
    this.#title.textContent = article?.headline || this.#id
    this.#title.lang = lang ?? ''
    if (!story) {
      this.#counts.textContent = 'Not followed.'
      return
    }
    const entries = story.entries(run)
    this.#counts.textContent = story.loading ? 'Loading entries…' : countsText(story.counts(run), story.partial)
    const old = new Map([...this.#list.children].map((li) => [(li as HTMLElement).dataset.key, li as HTMLLIElement]))
    reconcile(
      this.#list,
      entries.length > 0
        ? entries.map((d) => old.get(keyOf(d, v.zone)) ?? entryItem(d, lang, v))
        : [h('li', { class: 'empty' }, story.loading ? 'Loading…' : 'No entries yet.')],
    )
    refreshTimes(this.#list, v.now)
  }
}
