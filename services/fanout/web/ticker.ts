// /ticker.js: the public breaking-news ticker a site embeds with one container and one script tag:
//
//   <div id="newswire-ticker" data-category="international" data-language="bn"></div>
//   <script src="https://fanout.example/ticker.js" async></script>
//
// It renders into a shadow root reset from the host page (ticker.css), keeps a fixed height,
// shows one headline at a time and rotates through all it holds (without animation under
// prefers-reduced-motion), pauses on hover, focus and its pause button, cuts long headlines with
// an ellipsis, and announces only new breaking stories (aria-live polite). The stream URL is
// derived from this script's own src.
import { connect } from '@newswire/client'
import { claim, h, mountEmbeds, reconcile } from './dom.ts'
import { articleTimeZone, formatClock, formatNumber, localeFor } from './format.ts'
import { Headlines } from './headlines.ts'
import CSS from './ticker.css'
import { keepTrying } from './staying.ts'

const SELECTOR = '#newswire-ticker, [data-newswire-ticker]'

/** label, when empty, reconnecting, region name, pause button */
const TEXT: Record<'en' | 'bn', [string, string, string, string, string]> = {
  en: ['Breaking', 'No breaking news right now', 'reconnecting…', 'Breaking news', 'Pause headlines'],
  bn: ['ব্রেকিং', 'এই মুহূর্তে কোনো ব্রেকিং খবর নেই', 'আবার সংযোগ হচ্ছে…', 'ব্রেকিং খবর', 'শিরোনাম থামান'],
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

const bounded = (v: string | undefined, fallback: number, min: number, max: number) => Math.min(max, Math.max(min, Number(v) || fallback))

function styleShadow(root: ShadowRoot): void {
  // Constructed stylesheets are not inline styles: they work under a host page's strict CSP
  try {
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(CSS)
    root.adoptedStyleSheets = [sheet]
  } catch {
    root.append(h('style', {}, CSS))
  }
}

function mount(host: HTMLElement, base: string): void {
  if (!claim(host)) return
  const languages = list(host.dataset.language)
  const categories = list(host.dataset.category)
  const maxItems = bounded(host.dataset.maxItems, 5, 1, 20)
  const everyMs = bounded(host.dataset.rotateSeconds, 6, 2, 60) * 1000
  const ui = languages.length === 1 && localeFor(languages[0]).startsWith('bn') ? 'bn' : 'en'
  const [label, emptyText, reconnecting, region, pauseLabel] = TEXT[ui]

  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' })
  styleShadow(root)
  const items = h('ul', { 'aria-label': region })
  const empty = h('span', { class: 'empty' }, emptyText)
  const pos = h('span', { class: 'pos', 'aria-hidden': 'true' })
  const pause = h('button', { type: 'button', 'aria-pressed': 'false', 'aria-label': pauseLabel, title: pauseLabel })
  const state = h('span', { class: 'state' })
  const announcer = h('p', { class: 'sr', 'aria-live': 'polite', 'aria-atomic': 'true' })
  const box = h(
    'div',
    { class: 'nw', part: 'ticker', lang: ui },
    h('span', { class: 'label' }, label),
    items,
    empty,
    pos,
    pause,
    state,
    announcer,
  )
  root.replaceChildren(...[...root.childNodes].filter((n) => n.nodeName === 'STYLE'), box)
  if (!host.hasAttribute('role')) host.setAttribute('role', 'region')
  if (!host.hasAttribute('aria-label')) host.setAttribute('aria-label', region)
  host.dataset.state = 'connecting'

  const headlines = new Headlines(maxItems)
  /** Why rotation is paused: hover, focus, the button, a hidden tab. */
  const holds = new Set<string>()
  let currentId: string | null = null
  let timer: ReturnType<typeof setInterval> | undefined
  let fresh: string[] = []
  /** The stories the live region names now: it is emptied when one of them leaves the ticker. */
  let said: string[] = []
  let queued = false

  const show = (id: string | null) => {
    currentId = id
    const lis = [...items.children] as HTMLElement[]
    lis.forEach((li, i) => {
      const on = li.dataset.articleId === id
      li.classList.toggle('on', on)
      if (on) pos.textContent = `${formatNumber(i + 1, ui)}/${formatNumber(lis.length, ui)}`
    })
    pos.hidden = lis.length < 2
    host.dataset.current = id ?? ''
  }
  const restart = () => {
    clearInterval(timer)
    timer = setInterval(() => {
      const lis = [...items.children] as HTMLElement[]
      if (holds.size > 0 || lis.length < 2) return
      const i = lis.findIndex((li) => li.dataset.articleId === currentId)
      show(lis[(i + 1) % lis.length]?.dataset.articleId ?? null)
    }, everyMs)
  }
  const hold = (why: string, on: boolean) => {
    if (on) holds.add(why)
    else if (holds.delete(why) && holds.size === 0) restart() // a full turn after the pause ends
    host.dataset.paused = String(holds.size > 0)
  }

  const render = () => {
    queued = false
    const now = Date.now()
    // Keyed: an unchanged story keeps its node
    const old = new Map(([...items.children] as HTMLElement[]).map((li) => [li.dataset.articleId, li]))
    const next = headlines.list().map(({ id, article: a }) => {
      const key = `${a.version}|${a.headline}`
      const prev = old.get(id)
      if (prev?.dataset.key === key) return prev
      const lang = a.language
      const at = Date.parse(String(a.publishedAt ?? a.updatedAt))
      const text = a.headline ?? ''
      const url = typeof a.url === 'string' && /^https?:\/\//.test(a.url) ? a.url : null
      const attrs = { class: 'hl', title: text }
      return h(
        'li',
        { 'data-article-id': id, 'data-key': key, 'data-shown-at': String(now), lang },
        Number.isNaN(at)
          ? null
          : h(
              'time',
              { datetime: new Date(at).toISOString() },
              formatClock(at, { language: lang, timeZone: articleTimeZone(lang, a.timeZone), now }),
            ),
        url ? h('a', { ...attrs, href: url, target: '_top' }, text) : h('span', attrs, text),
      )
    })
    // Moves only what is out of place: a link the reader has focused is never taken out and put back
    reconcile(items, next)
    empty.hidden = next.length > 0
    const ids = next.map((li) => li.dataset.articleId)
    const arrived = fresh.filter((id) => ids.includes(id))
    fresh = []
    // Something new comes forward unless the reader is holding the ticker; else keep what is shown
    if (arrived[0] && holds.size === 0) {
      show(arrived[0])
      restart()
    } else show(currentId && ids.includes(currentId) ? currentId : (ids[0] ?? null))
    if (arrived.length > 0) {
      // Each headline in its own language, so a screen reader picks the right voice for it
      const all = headlines.list()
      const news = arrived.map((id) => all.find((x) => x.id === id)?.article)
      announcer.replaceChildren(
        `${label}: `,
        ...news.flatMap((a, i) => (a ? [i > 0 ? ' — ' : '', h('span', { lang: a.language }, a.headline ?? '')] : [])),
      )
      said = arrived
    } else if (said.some((id) => !ids.includes(id))) {
      // A story the region names was killed, held or dropped: a screen reader reading the region
      // (browse mode, or speech still queued) must not find its headline there (red8 attack run)
      announcer.replaceChildren()
      said = []
    }
  }
  const schedule = () => {
    if (queued) return
    queued = true
    queueMicrotask(render)
  }

  box.addEventListener('mouseenter', () => hold('hover', true))
  box.addEventListener('mouseleave', () => hold('hover', false))
  box.addEventListener('focusin', (ev) => {
    hold('focus', true)
    // Tabbing to a story that is not showing brings it forward: every link is reachable
    const li = (ev.target as Element).closest?.('li')
    if (li instanceof HTMLElement && li.dataset.articleId) show(li.dataset.articleId)
  })
  box.addEventListener('focusout', (ev) => {
    if (!box.contains(ev.relatedTarget as Node | null)) hold('focus', false)
  })
  pause.addEventListener('click', () => {
    const paused = pause.getAttribute('aria-pressed') !== 'true'
    pause.setAttribute('aria-pressed', String(paused))
    hold('button', paused)
  })
  document.addEventListener('visibilitychange', () => hold('hidden', document.hidden))

  const filter: { tickerFieldsOnly: true; languages?: string[]; categories?: string[] } = { tickerFieldsOnly: true }
  if (languages.length > 0) filter.languages = languages
  if (categories.length > 0) filter.categories = categories
  const client = connect(base, { channels: ['breaking'], filter, ...keepTrying })
  client.on('state', (s) => {
    host.dataset.state = s.state
    state.title = s.reason ? `${s.state}: ${s.reason}` : s.state
    state.textContent = s.state === 'reconnecting' || s.state === 'connecting' ? reconnecting : ''
    // Refused for good (1008, HTTP 403 or 400: an origin taken off the list, a proxy), it hears of
    // no kill any more, so it shows none of what it was sent (it kept them while the tab was open:
    // red16 attack run)
    if (s.state === 'failed') {
      headlines.reset([])
      schedule()
    }
  })
  client.on('event', (m) => {
    // Only a story new to this reader is announced: not the snapshot on opening, not a correction
    if (headlines.apply(m) && !m.snapshot) fresh.push(m.event.article.id)
    schedule()
  })
  client.on('withdrawn', (m) => {
    headlines.remove(m.articleId)
    schedule()
  })
  client.on('reset', (m) => {
    headlines.reset(m.items)
    schedule()
  })
  // The back/forward cache: a page restored from it shows what it held when the reader left, a
  // story killed meanwhile too, until the SDK has reconnected and resumed (about a second; red8
  // attack run, 2026-12-04). So the page goes into the cache empty, and comes back asking for a
  // fresh snapshot (update(): a `reset` replaces what it holds) rather than resuming.
  addEventListener('pagehide', (e) => {
    if (!e.persisted) return
    headlines.reset([])
    fresh = []
    render()
  })
  addEventListener('pageshow', (e) => {
    if (e.persisted) client.update(['breaking'], filter)
  })
  render()
  restart()
}

mountEmbeds('ticker.js', SELECTOR, mount)
