// The update banner of a story page: "Updated 2 min ago — headline and body changed" with a
// reload button, "Correction: …", "This story has been withdrawn". It floats at the bottom of the
// screen (position: fixed), so appearing moves none of the page's text, and it is a polite live
// region. The changes it names add up from the version the page shows (data-version) to the
// newest; the time moves on by itself.
import type { ArticleGone, ArticleUpdate, Correction } from '@newswire/client'
import { h } from './dom.ts'
import { toMs } from './format.ts'
import { type Ui, updatedText, wordsFor } from './story-text.ts'

export type BannerState = 'current' | 'updated' | 'withdrawn' | 'unavailable'

export class StoryBanner {
  readonly el: HTMLElement
  #ui: Ui
  #text: HTMLElement
  #note: HTMLElement
  #reload: HTMLButtonElement
  #dismiss: HTMLButtonElement
  /** The version the reader has in front of them (the page's, else the first one this embed saw). */
  #base: number | null
  /** The newest version seen. */
  #latest: number | null
  #changed = new Set<string>()
  #corrections: Correction[] = []
  #lang: string | undefined
  #at = 0
  /**
   * Back from the back/forward cache: the notes it quotes are text of the story, which may have been
   * killed meanwhile, so none shows until the server speaks of the story again (red15 attack run).
   */
  #quiet = false
  state: BannerState = 'current'

  constructor(ui: Ui, pageVersion: number | null) {
    this.#ui = ui
    this.#base = pageVersion
    this.#latest = pageVersion
    const w = wordsFor(ui)
    this.#text = h('p', { class: 'msg' })
    this.#note = h('p', { class: 'note' })
    this.#reload = h('button', { type: 'button', class: 'reload' }, w.reload)
    this.#dismiss = h('button', { type: 'button', class: 'dismiss', 'aria-label': w.dismiss, title: w.dismiss }, '×')
    this.el = h(
      'div',
      { class: 'banner', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', hidden: '' },
      h('div', { class: 'body' }, this.#text, this.#note),
      this.#reload,
      this.#dismiss,
    )
    this.#reload.addEventListener('click', () => location.reload())
    this.#dismiss.addEventListener('click', () => {
      this.el.hidden = true
    })
  }

  /** A version of the story: news to the reader when it is newer than the one they have. */
  update(u: ArticleUpdate, now: number): void {
    const a = u.article
    this.#lang = a.language
    if (this.state === 'withdrawn' || this.state === 'unavailable') {
      // Back after a hold: the reader's copy is stale, whatever it was
      this.state = 'current'
      this.el.hidden = true
    }
    const prev = this.#latest
    const quiet = this.#quiet
    this.#quiet = false
    if (prev !== null && u.version <= prev) {
      if (quiet && this.state === 'updated') this.#render(now)
      return
    }
    this.#latest = u.version
    if (this.#base === null || prev === null) {
      this.#base = u.version
      return
    }
    // Each live version says what it changed; a snapshot only when it is the very next one
    if (!u.snapshot || u.version === prev + 1) for (const f of u.changedFields) this.#changed.add(f)
    if (u.correction && !this.#corrections.some((c) => c.note === u.correction?.note)) this.#corrections.push(u.correction)
    this.#at = toMs(a.updatedAt) ?? now
    if (this.#at > now) this.#at = now
    this.state = 'updated'
    this.#render(now)
  }

  gone(g: ArticleGone, now: number): void {
    if (g.cause === 'left') return
    // Absent, when the page loaded too: the page is the story's, and a site's copy (its cache, a
    // CDN) shows the text whether or not it names its version; it was said only with data-version,
    // and a page without one showed a story killed before the reader came with no word (red24c
    // attack run, 2026-12-07). Absent after this embed saw it running (a reset's snapshot without
    // it), the reader has read it: a kill is among the reasons (red8 attack run, 2026-12-04). A
    // version coming later takes the banner down (update)
    // The notes quoted so far are text of the versions it takes down: a story held and run again
    // quoted them with its next version, though none the public may see carries them (red20)
    this.#corrections = []
    this.state = g.cause === 'withdrawn' || g.cause === 'canceled' ? 'withdrawn' : 'unavailable'
    this.#render(now)
  }

  /** The page goes into the back/forward cache: its notes leave with it. */
  hush(): void {
    this.#quiet = true
    this.#note.replaceChildren()
  }

  /** Moves "2 min ago" on. */
  tick(now: number): void {
    if (this.state === 'updated' && !this.el.hidden) this.#render(now)
  }

  #render(now: number): void {
    const w = wordsFor(this.#ui)
    this.el.dataset.state = this.state
    this.#reload.hidden = this.state !== 'updated'
    if (this.state === 'updated') {
      this.#text.textContent = updatedText(this.#at, now, this.#changed, this.#ui)
      this.#note.replaceChildren(
        ...(this.#quiet ? [] : this.#corrections).flatMap((c, i) => [
          i > 0 ? ' ' : '',
          h('strong', {}, `${w.correction}: `),
          h('span', { lang: this.#lang }, c.note),
        ]),
      )
    } else {
      this.#text.textContent = this.state === 'withdrawn' ? w.withdrawn : w.unavailable
      this.#note.replaceChildren()
    }
    this.#note.hidden = this.#note.childNodes.length === 0
    this.el.hidden = false
  }
}
