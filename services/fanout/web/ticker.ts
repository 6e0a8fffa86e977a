// /ticker.js: the public breaking-news ticker a site embeds with one container and one script tag:
//
//   <div id="newswire-ticker" data-category="international" data-language="bn"></div>
//   <script src="https://fanout.example/ticker.js" async></script>
//
// No framework on the host page is needed and none is touched: the ticker renders into a shadow
// root (its CSS cannot leak out, the host's cannot leak in), keeps a fixed height from the moment
// it mounts (items coming and going never move the host page), and announces new headlines
// politely (aria-live). The stream URL is derived from this script's own src.
import { connect, type StateChange } from '@newswire/client'
import { h } from './dom.ts'
import { Feed, isBreaking, stateOf } from './feed.ts'
import { articleTimeZone, formatClock, localeFor, toMs } from './format.ts'

const HEIGHT_PX = 48
const SELECTOR = '#newswire-ticker, [data-newswire-ticker]'

const CSS = `
:host { all: initial; display: block; box-sizing: border-box; height: ${HEIGHT_PX}px; overflow: hidden; contain: content;
  font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans Bengali', 'Noto Sans Bengali UI', sans-serif; }
.nw { box-sizing: border-box; display: flex; align-items: center; gap: 10px; height: ${HEIGHT_PX}px; padding: 0 12px;
  background: #10243e; color: #fff; border-radius: 4px; overflow: hidden; }
.label { flex: none; background: #c62828; color: #fff; font-weight: 700; font-size: 13px; letter-spacing: .03em;
  padding: 2px 8px; border-radius: 3px; }
.items { flex: 1 1 auto; min-width: 0; display: flex; gap: 28px; margin: 0; padding: 0; list-style: none; white-space: nowrap; overflow: hidden; }
.items li { flex: none; max-width: 100%; overflow: hidden; text-overflow: ellipsis; }
.items li:first-child { font-weight: 600; }
time { color: #b7c7dc; margin-inline-end: 6px; font-variant-numeric: tabular-nums; font-weight: 400; }
a { color: inherit; text-decoration: none; }
a:hover, a:focus-visible { text-decoration: underline; }
.empty { flex: 1 1 auto; min-width: 0; color: #b7c7dc; font-style: italic; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.state { flex: none; display: inline-flex; align-items: center; gap: 6px; font-size: 12px; color: #b7c7dc; }
.state::before { content: ''; width: 8px; height: 8px; border-radius: 50%; background: #9aa4b1; }
:host([data-state=connected]) .state::before { background: #4caf50; }
:host([data-state=connecting]) .state::before, :host([data-state=reconnecting]) .state::before { background: #ffb300; }
:host([data-state=failed]) .state::before { background: #e53935; }
[hidden] { display: none !important; }
`

const TEXT: Record<string, { label: string; empty: string; reconnecting: string; region: string }> = {
  en: { label: 'Breaking', empty: 'No breaking news right now', reconnecting: 'reconnecting…', region: 'Breaking news' },
  bn: { label: 'ব্রেকিং', empty: 'এই মুহূর্তে কোনো ব্রেকিং খবর নেই', reconnecting: 'আবার সংযোগ হচ্ছে…', region: 'ব্রেকিং খবর' },
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

/** The fan-out base URL: this script's own src without the file name. */
function streamBase(script: HTMLScriptElement | null): string {
  const src = script?.src ?? document.querySelector<HTMLScriptElement>('script[src*="ticker.js"]')?.src ?? location.href
  return new URL('./', src).href
}

function styleShadow(root: ShadowRoot): void {
  // Constructed stylesheets are not inline styles: they work under a host page's strict CSP
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(CSS)
    root.adoptedStyleSheets = [sheet]
  } else {
    root.append(h('style', {}, CSS))
  }
}

function mount(host: HTMLElement, base: string): void {
  if (host.dataset.newswireMounted) return
  host.dataset.newswireMounted = 'true'
  const languages = list(host.dataset.language)
  const categories = list(host.dataset.category)
  const maxItems = Math.min(20, Math.max(1, Number(host.dataset.maxItems ?? 5) || 5))
  const uiLang = languages.length === 1 && localeFor(languages[0]).startsWith('bn') ? 'bn' : 'en'
  const text = TEXT[uiLang] ?? (TEXT.en as (typeof TEXT)[string])

  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' })
  styleShadow(root)
  const items = h('ul', { class: 'items', 'aria-live': 'polite', 'aria-relevant': 'additions text' })
  const empty = h('span', { class: 'empty' }, text.empty)
  const state = h('span', { class: 'state', title: 'connecting' })
  root.replaceChildren(
    ...[...root.childNodes].filter((n) => n.nodeName === 'STYLE'),
    h('div', { class: 'nw', part: 'ticker', lang: uiLang }, h('span', { class: 'label' }, text.label), items, empty, state),
  )
  if (!host.hasAttribute('role')) host.setAttribute('role', 'region')
  if (!host.hasAttribute('aria-label')) host.setAttribute('aria-label', text.region)
  host.dataset.state = 'connecting'

  const feed = new Feed(maxItems * 4)
  let queued = false
  const render = () => {
    queued = false
    const now = Date.now()
    const shown = feed.list((i) => stateOf(i, now) !== 'withdrawn' && isBreaking(i.article)).slice(0, maxItems)
    // Keyed: unchanged items keep their nodes, so screen readers hear only what is new
    const old = new Map([...items.children].map((li) => [(li as HTMLElement).dataset.articleId ?? '', li as HTMLElement]))
    const next = shown.map((item) => {
      const a = item.article
      const key = `${a.version}|${a.headline ?? ''}`
      const prev = old.get(item.id)
      if (prev && prev.dataset.key === key) return prev
      item.shownAt ??= now
      const lang = a.language ?? undefined
      const when = toMs(a.publishedAt) ?? item.ingestedAt ?? item.receivedAt
      const headline = a.headline ?? ''
      const url = typeof a.url === 'string' && /^https?:\/\//.test(a.url) ? a.url : null
      return h(
        'li',
        { 'data-article-id': item.id, 'data-key': key, 'data-shown-at': String(item.shownAt), lang },
        h('time', { datetime: new Date(when).toISOString() }, formatClock(when, { language: lang, timeZone: articleTimeZone(lang, a.timeZone), now })),
        url ? h('a', { href: url, target: '_top', rel: 'noopener' }, headline) : headline,
      )
    })
    items.replaceChildren(...next)
    empty.hidden = next.length > 0
  }
  const schedule = () => {
    if (queued) return
    queued = true
    queueMicrotask(render)
  }

  const filter: { tickerFieldsOnly: true; languages?: string[]; categories?: string[] } = { tickerFieldsOnly: true }
  if (languages.length > 0) filter.languages = languages
  if (categories.length > 0) filter.categories = categories
  const client = connect(base, { channels: ['breaking'], filter })
  client.on('state', (s: StateChange) => {
    host.dataset.state = s.state
    state.title = s.reason ? `${s.state}: ${s.reason}` : s.state
    state.textContent = s.state === 'reconnecting' || s.state === 'connecting' ? text.reconnecting : ''
  })
  client.on('event', (m) => {
    feed.applyEvent(m, Date.now())
    schedule()
  })
  client.on('withdrawn', (m) => {
    feed.items.delete(m.articleId)
    schedule()
  })
  client.on('reset', (m) => {
    feed.reset(m.items, Date.now())
    schedule()
  })
  render()
}

function init(): void {
  const base = streamBase(document.currentScript instanceof HTMLScriptElement ? document.currentScript : null)
  const mountAll = () => {
    for (const el of document.querySelectorAll<HTMLElement>(SELECTOR)) mount(el, base)
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll, { once: true })
  else mountAll()
}

init()
