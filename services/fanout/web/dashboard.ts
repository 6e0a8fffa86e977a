// /dashboard: the newsroom's live view. Everything on channel `all` with a newsroom token, kept in a
// Feed and filtered here (category, language), so the per-category counts stay whole.
import { type Client, connect, type StateChange } from '@newswire/client'
import { h } from './dom.ts'
import { Feed, type FeedItem, isBreaking } from './feed.ts'
import { formatNumber, formatTime, timeZoneFor, toMs } from './format.ts'

const TOKEN_KEY = 'newswire.newsroomToken'

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id)
  if (!el) throw new Error(`#${id} missing from the page`)
  return el as T
}

/** Token from `#token=…` (or `?token=`), moved to sessionStorage and out of the address bar. */
function takeToken(): string | null {
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get('token') ?? new URLSearchParams(location.search).get('token')
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl)
    history.replaceState(null, '', location.pathname)
    return fromUrl
  }
  return sessionStorage.getItem(TOKEN_KEY)
}

function main(): void {
  const status = $('status')
  const latency = $('latency')
  const app = $('app')
  const login = $<HTMLFormElement>('login')
  const loginError = $('login-error')
  const tokenInput = $<HTMLInputElement>('token-input')
  const signout = $<HTMLButtonElement>('signout')
  const feedList = $('feed')
  const shown = $('shown')
  const countsBody = $('counts').querySelector('tbody') as HTMLTableSectionElement
  const categorySelect = $<HTMLSelectElement>('filter-category')
  const languageSelect = $<HTMLSelectElement>('filter-language')

  const feed = new Feed()
  const latencies: number[] = []
  let client: Client | null = null
  let renderQueued = false

  const showLogin = (message: string) => {
    app.hidden = true
    signout.hidden = true
    login.hidden = false
    loginError.textContent = message
    tokenInput.focus()
  }

  const setStatus = (s: StateChange) => {
    status.dataset.state = s.state
    status.dataset.transport = s.transport ?? ''
    switch (s.state) {
      case 'connecting':
        status.textContent = 'Connecting…'
        break
      case 'connected':
        status.textContent = `Connected (${s.transport})`
        break
      case 'reconnecting':
        status.textContent = `Reconnecting in ${((s.delayMs ?? 0) / 1000).toFixed(1)} s (attempt ${s.attempt ?? 1})${s.reason ? ` — ${s.reason}` : ''}`
        break
      case 'failed':
        status.textContent = `Disconnected: ${s.reason ?? 'failed'}`
        break
      default:
        status.textContent = 'Not connected'
    }
  }

  const fillSelect = (select: HTMLSelectElement, values: string[]) => {
    const have = [...select.options].map((o) => o.value).slice(1)
    if (have.join('\n') === values.join('\n')) return
    const current = select.value
    select.replaceChildren(h('option', { value: '' }, 'all'), ...values.map((v) => h('option', { value: v }, v)))
    select.value = values.includes(current) ? current : ''
  }

  const renderItem = (item: FeedItem, now: number): HTMLLIElement => {
    const a = item.article
    const lang = a.language ?? undefined
    const breaking = isBreaking(a)
    // still held: flagged by the server, and the release time has not passed (the release event may be on its way)
    const embargoed = item.embargoed && item.status !== 'withdrawn' && (item.embargoedUntil === null || item.embargoedUntil > now)
    const classes = ['item', breaking ? 'breaking' : '', item.status === 'withdrawn' ? 'withdrawn' : '', embargoed ? 'embargoed' : '']
    const when = toMs(a.publishedAt) ?? item.ingestedAt ?? item.receivedAt
    const category = a.category ?? 'uncategorized'
    const tz = timeZoneFor(lang, a.timeZone)
    item.shownAt ??= now
    return h(
      'li',
      {
        class: classes.filter(Boolean).join(' '),
        'data-article-id': item.id,
        'data-status': item.status,
        'data-version': String(a.version),
        'data-shown-at': String(item.shownAt),
      },
      h(
        'div',
        { class: 'meta' },
        h('span', { class: `badge ${item.status}` }, item.status),
        breaking && h('span', { class: 'badge breaking' }, 'breaking'),
        embargoed && h('span', { class: 'badge embargoed' }, 'embargoed'),
        h('span', { class: 'category' }, a.categoryLabel && a.categoryLabel !== category ? `${category} · ${a.categoryLabel}` : category),
        h('span', { class: 'language' }, lang ?? '?'),
        h('time', { datetime: new Date(when).toISOString(), lang }, formatTime(when, lang, a.timeZone, now)),
        `v${formatNumber(a.version, 'en')}`,
        item.latencyMs !== null && h('span', { class: 'latency', title: 'received − ingestedAt' }, `${item.latencyMs} ms`),
      ),
      h('h3', { class: 'headline', lang }, a.headline ?? `(${item.id})`),
      item.status === 'updated' && item.changed.length > 0 && h('div', { class: 'changed' }, `Changed: ${item.changed.join(', ')}`),
      embargoed &&
        item.embargoedUntil !== null &&
        h(
          'div',
          { class: 'embargo' },
          'Embargoed until ',
          h(
            'time',
            { datetime: new Date(item.embargoedUntil).toISOString(), lang },
            formatTime(item.embargoedUntil, lang, a.timeZone, now),
          ),
          tz ? ` (${tz})` : '',
        ),
      item.status === 'withdrawn' && h('div', { class: 'reason' }, `Withdrawn: ${item.withdrawnReason ?? 'withdrawn'}`),
    )
  }

  const render = () => {
    renderQueued = false
    const now = Date.now()
    const all = feed.list()
    fillSelect(categorySelect, [...new Set(all.map((i) => i.article.category ?? 'uncategorized'))].sort())
    fillSelect(languageSelect, [...new Set(all.map((i) => i.article.language ?? '?'))].sort())
    const cat = categorySelect.value
    const lang = languageSelect.value
    const visible = all.filter(
      (i) => (!cat || (i.article.category ?? 'uncategorized') === cat) && (!lang || (i.article.language ?? '?') === lang),
    )
    feedList.replaceChildren(
      ...(visible.length > 0 ? visible.map((i) => renderItem(i, now)) : [h('li', { class: 'empty' }, 'Nothing yet: waiting for events…')]),
    )
    shown.textContent = `${visible.length} of ${all.length} shown`
    const counts = feed.countsLastHour(now)
    countsBody.replaceChildren(
      ...(counts.length > 0
        ? counts.map((c) =>
            h(
              'tr',
              { 'data-category': c.category },
              h('td', {}, c.label && c.label !== c.category ? `${c.category} · ${c.label}` : c.category),
              h('td', { class: 'n' }, String(c.count)),
            ),
          )
        : [h('tr', {}, h('td', { class: 'empty' }, 'none'))]),
    )
  }
  // One render per task however many messages it brought (a snapshot is dozens)
  const scheduleRender = () => {
    if (renderQueued) return
    renderQueued = true
    queueMicrotask(render)
  }

  const start = (token: string) => {
    login.hidden = true
    app.hidden = false
    signout.hidden = false
    const c = connect('/', { channels: ['all'], token })
    client = c
    c.on('state', (s) => {
      setStatus(s)
      if (s.state === 'failed') {
        if (s.error?.code === 'NEWSWIRE_ERR_CLIENT_UNAUTHORIZED') {
          sessionStorage.removeItem(TOKEN_KEY)
          showLogin(`The token was rejected: ${s.reason ?? 'unauthorized'}`)
        }
      }
    })
    c.on('event', (m) => {
      const item = feed.applyEvent(m, Date.now())
      if (item.latencyMs !== null) {
        latencies.push(item.latencyMs)
        if (latencies.length > 100) latencies.shift()
        const sorted = [...latencies].sort((x, y) => x - y)
        const median = sorted[Math.floor(sorted.length / 2)] ?? 0
        latency.textContent = `end-to-end latency: ${item.latencyMs} ms (median ${median} ms of ${sorted.length})`
      }
      scheduleRender()
    })
    c.on('withdrawn', (m) => {
      feed.applyWithdrawn(m, Date.now())
      scheduleRender()
    })
    c.on('reset', (m) => {
      feed.reset(m.snapshot, Date.now())
      scheduleRender()
    })
    render()
  }

  login.addEventListener('submit', (ev) => {
    ev.preventDefault()
    const token = tokenInput.value.trim()
    if (!token) return
    sessionStorage.setItem(TOKEN_KEY, token)
    tokenInput.value = ''
    start(token)
  })
  signout.addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY)
    void client?.close()
    client = null
    showLogin('')
  })
  categorySelect.addEventListener('change', render)
  languageSelect.addEventListener('change', render)
  // Relative times, embargo states and the one-hour window move on without events
  setInterval(scheduleRender, 30_000)

  const token = takeToken()
  if (token) start(token)
  else showLogin('')
  // For tests and debugging in the console
  Object.assign(globalThis, { newswireDashboard: { feed, client: () => client } })
}

main()
