// The live feed of a story page: the pinned summary, the key events, the entries newest first and
// older ones below on request. The rule it keeps: nothing the reader is reading moves.
// - A new entry goes at the top of the feed. When that spot is on screen, inserting would push
//   the text down, so the entry is held behind the "N new entries" button until the reader asks
//   (or scrolls away, and it can go in unseen). When the spot is above the screen (the reader is
//   further down), it goes in and the reader's place is kept (reading-position.ts: the browser's
//   scroll anchoring, or a scroll by its height in the same task); below the screen, it simply
//   goes in.
// - Edits, removals, pins and key events change in place, the same way kept in place. The key
//   events list shows the newest few, one line each, so it keeps its height as they change
//   (all of them on request).
// - The button floats over the feed (a zero-height sticky bar): showing it moves nothing either.
// - While the reader is scrolling (a wheel, a finger, a key, and the animation that follows),
//   changes wait until the page is still: a browser's scroll animation runs to the place it aimed
//   at and would undo the correction. A removal waits one second at most; an entry held behind
//   the button, not drawn, goes at once.
import type { StoryEntry } from '@newswire/client'
import { h } from './dom.ts'
import { type EntryView, entryKey, entryNode, keyEventNode, refreshAgo } from './story-entry.ts'
import { formatNumber } from './format.ts'
import { newEntriesText, type Ui, wordsFor } from './story-text.ts'
import { type Anchoring, keepInPlace, readingElement, type Viewport, viewportOf } from './reading-position.ts'

export interface FeedView {
  ui: Ui
  lang: string | undefined
  timeZone: string | undefined
  /** Pages older entries in; resolves whether more remain. */
  older: () => Promise<boolean>
  /** Who keeps the reader's place: the browser, or this code. */
  anchoring: Anchoring
}

const bySeqDesc = (a: StoryEntry, b: StoryEntry) => b.seq - a.seq
/** Key events listed until the reader asks for all. */
const KEYS_SHOWN = 5
/** The page counts as still this long after its last scroll. */
const QUIET_MS = 200
/** A removal never waits longer than this for the reader to stop scrolling. */
const REMOVAL_WAIT_MS = 1000

export class LiveFeed {
  readonly el: HTMLElement
  #v: FeedView
  #pinned: HTMLElement
  #pinnedList: HTMLElement
  #keys: HTMLElement
  #keyList: HTMLElement
  #allKeys: HTMLButtonElement
  #feed: HTMLElement
  #newBtn: HTMLButtonElement
  #announce: HTMLElement
  #olderBtn: HTMLButtonElement
  #start: HTMLElement
  /** What is drawn, by entry id (in the feed or the pinned box). */
  #drawn = new Map<string, { entry: StoryEntry; node: HTMLElement }>()
  /** New entries held back while their place is on screen. */
  #held = new Map<string, StoryEntry>()
  /** Drawn above the reader, not seen yet. */
  #unseen = new Set<string>()
  #announced = 0
  #announceTimer: ReturnType<typeof setTimeout> | undefined
  /** The reader is scrolling: changes wait in #waiting. */
  #scrolling = false
  #quiet: ReturnType<typeof setTimeout> | undefined
  #deadline: ReturnType<typeof setTimeout> | undefined
  #waiting: (() => void)[] = []

  constructor(v: FeedView) {
    this.#v = v
    const w = wordsFor(v.ui)
    this.#pinnedList = h('div', {})
    this.#pinned = h(
      'section',
      { class: 'pinned', 'aria-label': w.summary, hidden: '' },
      h('h2', { class: 'a' }, w.summary),
      this.#pinnedList,
    )
    this.#keyList = h('ol', {})
    this.#allKeys = h('button', { type: 'button', class: 'all-keys', 'aria-expanded': 'false', hidden: '' })
    this.#keys = h(
      'nav',
      { class: 'keys', 'aria-label': w.keyEvents, hidden: '' },
      h('h2', { class: 'a' }, w.keyEvents),
      this.#keyList,
      this.#allKeys,
    )
    this.#newBtn = h('button', { type: 'button', class: 'new', hidden: '' })
    this.#announce = h('p', { class: 'sr', 'aria-live': 'polite', 'aria-atomic': 'true' })
    this.#feed = h('div', { class: 'feed', role: 'feed', 'aria-busy': 'false', lang: v.lang })
    this.#olderBtn = h('button', { type: 'button', class: 'older', hidden: '' }, w.older)
    this.#start = h('p', { class: 'start', hidden: '' }, w.start)
    this.el = h(
      'div',
      { class: 'live-feed' },
      this.#pinned,
      this.#keys,
      h('div', { class: 'newbar' }, this.#newBtn),
      this.#announce,
      this.#feed,
      this.#olderBtn,
      this.#start,
    )
    this.#newBtn.addEventListener('click', () => this.showNew())
    this.#olderBtn.addEventListener('click', () => void this.loadOlder())
    this.#keyList.addEventListener('click', (ev) => {
      const id = (ev.target as Element).closest?.('button')?.dataset.entryId
      const node = id === undefined ? undefined : this.#drawn.get(id)?.node
      if (node) this.#goTo(node)
    })
    this.#allKeys.addEventListener('click', () => {
      this.#allKeys.setAttribute('aria-expanded', String(this.#allKeys.getAttribute('aria-expanded') !== 'true'))
      this.#sync()
    })
    this.#feed.addEventListener('keydown', (ev) => this.#feedKeys(ev))
  }

  /** How many new entries the button offers. */
  get pending(): number {
    return this.#held.size + this.#unseen.size
  }

  /** The story's language and zone, once it is known: entries are drawn in them from then on. */
  setStory(lang: string | undefined, timeZone: string | undefined): void {
    this.#v = { ...this.#v, lang, timeZone }
    this.#feed.lang = lang ?? ''
  }

  /** Whether more older entries may be asked for (the button shows). */
  setHasOlder(more: boolean): void {
    this.#olderBtn.hidden = !more
    this.#start.hidden = more || this.#drawn.size === 0
  }

  /** A new entry or a new version; `live`: it is news now (a snapshot or page entry never waits). */
  upsert(entry: StoryEntry, live: boolean): void {
    this.#when(() => this.#upsert(entry, live))
  }

  remove(entryId: string): void {
    // Held behind the button, it is not drawn: it goes at once, so the button never draws it while
    // the removal waits for the reader (red18 attack run); a drawn one waits, to move nothing
    if (this.#held.delete(entryId)) this.#updateButton()
    this.#when(() => this.#remove(entryId), true)
  }

  /** The reader touched the wheel, the screen or a key: a scroll may follow. */
  userInput(): void {
    this.#scrolling = true
    this.scrolled()
  }

  /** The page scrolled: while the reader is scrolling, the stillness starts over. */
  scrolled(): void {
    if (!this.#scrolling) return
    clearTimeout(this.#quiet)
    this.#quiet = setTimeout(() => this.#still(), QUIET_MS)
  }

  #when(change: () => void, removal = false): void {
    if (this.#scrolling) this.#waiting.push(change)
    else change()
    if (this.#scrolling && removal && this.#deadline === undefined) this.#deadline = setTimeout(() => this.#still(), REMOVAL_WAIT_MS)
  }

  #still(): void {
    this.#scrolling = false
    clearTimeout(this.#quiet)
    clearTimeout(this.#deadline)
    this.#deadline = undefined
    for (const change of this.#waiting.splice(0)) change()
  }

  #upsert(entry: StoryEntry, live: boolean): void {
    if (this.#held.has(entry.id)) {
      this.#held.set(entry.id, entry)
      return
    }
    const had = this.#drawn.get(entry.id)
    if (had) {
      if (entryKey(had.entry) === entryKey(entry) && had.entry.version === entry.version) return
      this.#inPlace(had.node, () => this.#draw(entry, had.node))
      return
    }
    const vp = viewportOf(this.el)
    if (!live || entry.pinned) {
      this.#inPlace(null, () => this.#draw(entry, null), vp)
      return
    }
    const spot = this.#spotOf(entry)
    if (spot > vp.bottom) this.#draw(entry, null)
    else if (spot < vp.top && this.#anchor(vp)) {
      this.#inPlace(null, () => this.#draw(entry, null), vp)
      this.#unseen.add(entry.id)
    } else this.#held.set(entry.id, entry)
    this.#updateButton()
  }

  #remove(entryId: string): void {
    this.#unseen.delete(entryId)
    if (this.#held.delete(entryId)) {
      this.#updateButton()
      return
    }
    const had = this.#drawn.get(entryId)
    if (!had) return
    this.#inPlace(had.node, () => {
      had.node.remove()
      this.#drawn.delete(entryId)
      this.#sync()
    })
    this.#updateButton()
  }

  /** Everything goes (the story came down, or the server started over). */
  clear(): void {
    this.#waiting = []
    this.#drawn.clear()
    this.#held.clear()
    this.#unseen.clear()
    this.#feed.replaceChildren()
    this.#pinnedList.replaceChildren()
    this.#sync()
    this.#updateButton()
  }

  /** The reader asked for the new entries: in they go, and the feed's top comes into view. */
  showNew(): void {
    const first = [...this.#held.values()].sort(bySeqDesc)[0]
    for (const e of this.#held.values()) this.#draw(e, null)
    this.#held.clear()
    this.#unseen.clear()
    this.#updateButton()
    const node = first ? this.#drawn.get(first.id)?.node : (this.#feed.firstElementChild as HTMLElement | null)
    if (node) this.#goTo(node)
  }

  /** After the reader scrolled: unseen entries above may have come into view, held ones may go in unseen. */
  onScroll(): void {
    const vp = viewportOf(this.el)
    const top = this.#feed.getBoundingClientRect().top
    if (this.#unseen.size > 0 && top >= vp.top) this.#unseen.clear()
    if (this.#held.size > 0 && top > vp.bottom) {
      for (const e of this.#held.values()) this.#draw(e, null)
      this.#held.clear()
    }
    this.#updateButton()
  }

  async loadOlder(): Promise<void> {
    this.#olderBtn.disabled = true
    this.#feed.setAttribute('aria-busy', 'true')
    try {
      this.setHasOlder(await this.#v.older())
    } catch {
      this.#olderBtn.hidden = false
    } finally {
      this.#olderBtn.disabled = false
      this.#feed.setAttribute('aria-busy', 'false')
    }
  }

  refreshTimes(now: number): void {
    refreshAgo(this.el, now, this.#v.ui)
  }

  // ---- drawing ----

  #view(): EntryView {
    return { ui: this.#v.ui, lang: this.#v.lang, timeZone: this.#v.timeZone, now: Date.now() }
  }

  /** Draws `entry` (replacing `old`) in its place: the pinned box, or the feed by seq. */
  #draw(entry: StoryEntry, old: HTMLElement | null): void {
    const node = entryNode(entry, this.#view())
    const list = entry.pinned ? this.#pinnedList : this.#feed
    if (old && old.parentElement === list) old.replaceWith(node)
    else {
      old?.remove()
      let before: Element | null = null
      for (const c of list.children) {
        if (Number((c as HTMLElement).dataset.seq) < entry.seq) {
          before = c
          break
        }
      }
      list.insertBefore(node, before)
    }
    this.#drawn.set(entry.id, { entry, node })
    this.#sync()
  }

  /** The pinned box and the key events follow what is drawn; each shows only when it has something. */
  #sync(): void {
    this.#pinned.hidden = this.#pinnedList.childElementCount === 0
    const keys = [...this.#drawn.values()].map((d) => d.entry).filter((e) => e.keyEvent && !e.pinned)
    keys.sort(bySeqDesc)
    const all = this.#allKeys.getAttribute('aria-expanded') === 'true'
    this.#allKeys.hidden = keys.length <= KEYS_SHOWN
    this.#allKeys.textContent = all ? wordsFor(this.#v.ui).fewerKeys : wordsFor(this.#v.ui).allKeys(formatNumber(keys.length, this.#v.ui))
    const view = this.#view()
    const wanted = keys.slice(0, all ? keys.length : KEYS_SHOWN).map((e) => {
      const had = [...this.#keyList.children].find((li) => (li as HTMLElement).dataset.entryId === e.id) as HTMLElement | undefined
      return had?.dataset.key === entryKey(e) ? had : keyEventNode(e, view)
    })
    if (wanted.length !== this.#keyList.childElementCount || wanted.some((n, i) => this.#keyList.children[i] !== n)) {
      this.#keyList.replaceChildren(...wanted)
    }
    this.#keys.hidden = wanted.length === 0
    this.#start.hidden = this.#start.hidden || this.#drawn.size === 0
  }

  /** Where a new entry would go, as a client y: above the first drawn entry with a lower seq, else the feed's end. */
  #spotOf(entry: StoryEntry): number {
    for (const c of this.#feed.children) {
      if (Number((c as HTMLElement).dataset.seq) < entry.seq) return c.getBoundingClientRect().top
    }
    return this.#feed.getBoundingClientRect().bottom
  }

  /** What the reader is reading: the first of our blocks still on screen. */
  #anchor(vp: Viewport, skip?: Element | null): Element | null {
    return readingElement(this.el.querySelectorAll('.a'), vp, skip)
  }

  #inPlace(changing: Element | null, change: () => void, vp: Viewport = viewportOf(this.el)): void {
    if (this.#v.anchoring === 'native') {
      change()
      return
    }
    let anchor = this.#anchor(vp, null)
    // The element changing is no anchor: take the next one on screen, or the one before
    if (anchor === changing) anchor = this.#anchor(vp, changing) ?? anchor
    keepInPlace(anchor, vp, change)
  }

  #updateButton(): void {
    const n = this.pending
    this.#newBtn.hidden = n === 0
    if (n > 0) this.#newBtn.textContent = `↑ ${newEntriesText(n, this.#v.ui)}`
    // Announced at most every few seconds: a busy blog must not talk over the page
    if (n > this.#announced && this.#announceTimer === undefined) {
      this.#announceTimer = setTimeout(() => {
        this.#announceTimer = undefined
        const now = this.pending
        this.#announced = now
        this.#announce.textContent = now > 0 ? newEntriesText(now, this.#v.ui) : ''
      }, 3000)
    }
    if (n === 0) this.#announced = 0
  }

  #goTo(node: HTMLElement): void {
    const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches
    node.scrollIntoView({ block: 'start', behavior: smooth ? 'smooth' : 'auto' })
    node.focus({ preventScroll: true })
  }

  /** The feed pattern: Page Down / Page Up move between entries. */
  #feedKeys(ev: KeyboardEvent): void {
    if (ev.key !== 'PageDown' && ev.key !== 'PageUp') return
    const current = (ev.target as Element).closest?.('article')
    const next = ev.key === 'PageDown' ? current?.nextElementSibling : current?.previousElementSibling
    if (next instanceof HTMLElement) {
      ev.preventDefault()
      next.focus()
    }
  }
}
