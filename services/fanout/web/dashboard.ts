// /dashboard: the newsroom's live view. Everything on channel `all` with a newsroom token, kept in a
// Feed and filtered here (state, category, language). The server's snapshot puts today's desk
// first (newest editorial time); older stories come a page at a time ("Load older"), for the whole
// desk or for the filtered view, whose newest page is asked of the server when the filter is
// chosen, so a filter shows that state's stories even when none had loaded. The per-category
// counts cover the last hour of the whole store (the server's count, then the stream). Each story
// shows its editorial state as itself (live, embargoed, withheld, withdrawn), the same live and
// after a reload; every time is in the desk's one zone.
import { type Client, connect, counts, type EditorialState, older, type PageCursor, type StreamFilter } from '@newswire/client'
import { DeskCounts } from './counts.ts'
import { itemKey, refreshTimes, renderItem } from './dashboard-item.ts'
import { deskZone } from './desk-zone.ts'
import { h, reconcile } from './dom.ts'
import { countedOf, Feed, type FeedItem, stateOf } from './feed.ts'
import { LiveDesk, RUNNING, type StoryRun } from './live-desk.ts'
import { clockNote, serverClock } from './server-clock.ts'
import { countsText, StoryPanel } from './story-panel.ts'
import { fillSelect, statusText } from './desk-header.ts'
import { keepTrying } from './staying.ts'
import { scopeOf, scopeText } from './token-scope.ts'

const TOKEN_KEY = 'newswire.newsroomToken'
/** When this tab signed in (sessionStorage), against the last "Forget token" of any tab (localStorage). */
const SINCE_KEY = 'newswire.signedInAt'
const FORGOT_KEY = 'newswire.forgotAt'

/**
 * "Forget token" in one tab forgets every tab's: a duplicated tab (its sessionStorage a copy), or a
 * second one signed in on the same computer, stayed signed in to the desk (red20 attack run's
 * report). Any tab whose sign-in is not later than the last forget drops its token, at once when
 * told (the storage event) and at a start or a restore from the back/forward cache (which the event
 * misses).
 */
function forgotten(): boolean {
  return Number(localStorage.getItem(FORGOT_KEY) ?? -1) >= Number(sessionStorage.getItem(SINCE_KEY) ?? 0)
}

/** This tab's token, unless a forget in any tab came after its sign-in. */
function tabToken(): string | null {
  if (forgotten()) sessionStorage.removeItem(TOKEN_KEY)
  return sessionStorage.getItem(TOKEN_KEY)
}
/** Relative times ("3 min ago") move on this often; embargo ends get a timer of their own. */
const TICK_MS = 15_000
const states: readonly EditorialState[] = ['live', 'embargoed', 'withheld', 'withdrawn']
/** At most one fresh snapshot this often after gaps. */
const FRESH_MS = 30_000
/** Stories per "Load older". */
const PAGE = 50

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id)
  if (!el) throw new Error(`#${id} missing from the page`)
  return el as T
}

/**
 * This tab's token, from sessionStorage, and whether the address carried one. A token in the
 * address is taken out of it and never used: the browser had recorded the address, fragment and
 * all, in its history before this script ran, where anyone at the computer found it (the History
 * page, the address bar's suggestions) after "Forget token" (red20 attack run); a `?token=` also
 * travelled with the request into access logs and proxies (red6). The token is pasted into the form.
 */
function takeToken(): { token: string | null; inAddress: boolean } {
  const inAddress = new URLSearchParams(location.hash.slice(1)).has('token') || new URLSearchParams(location.search).has('token')
  if (inAddress) history.replaceState(null, '', location.pathname)
  return { token: inAddress ? null : tabToken(), inAddress }
}

/** Said by the form when the address carried a token. */
const ADDRESS_TOKEN =
  'A token in the address is not used: the browser keeps every address it opens in its history, where anyone at this computer would find it after "Forget token". Paste the token here, and clear this browser\'s history of that address.'

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
  const stateSelect = $<HTMLSelectElement>('filter-state')
  const categorySelect = $<HTMLSelectElement>('filter-category')
  const languageSelect = $<HTMLSelectElement>('filter-language')
  const olderButton = $<HTMLButtonElement>('older')
  const olderStatus = $('older-status')
  const clockNoteEl = $('clock-note')
  const scopeNote = $('scope')

  const feed = new Feed()
  const deskCounts = new DeskCounts()
  /** Per view (the filters chosen, '' for none): the cursor of its older stories; null: none left. */
  const cursors = new Map<string, PageCursor | null>()
  /** The session whose page is on its way: a page of an ended session does not hold up the next one's. */
  let loadingFor: Client | null = null
  const latencies: number[] = []
  /** The node drawn for each article, reused while nothing about it changed. */
  const nodes = new Map<string, HTMLLIElement>()
  let client: Client | null = null
  /** The live stories, each followed with its entries; one may be open in the panel. */
  let desk: LiveDesk | null = null
  const panel = new StoryPanel()
  document.body.append(panel.el)
  let renderQueued = false
  let embargoTimer: ReturnType<typeof setTimeout> | undefined
  /** A fresh snapshot after a gap, at most every FRESH_MS: a page far behind is not sent one per gap. */
  let freshAfter = 0
  let freshTimer: ReturnType<typeof setTimeout> | undefined
  /** The calendar day in the zone: times show their date once it is not today. */
  let day = ''

  // every time on the desk counts by the fan-out's clock, which releases embargoes (red21d)
  const clock = serverClock((offset) => {
    clockNoteEl.textContent = clockNote(offset)
    clockNoteEl.hidden = clockNoteEl.textContent === ''
    nodes.clear() // "today" may have moved
    scheduleRender()
  })
  const zone = deskZone($<HTMLSelectElement>('time-zone'), () => {
    nodes.clear() // every absolute time changes
    render()
  })

  const showLogin = (message: string) => {
    app.hidden = true
    signout.hidden = true
    login.hidden = false
    loginError.textContent = message
    tokenInput.focus()
  }

  const render = () => {
    renderQueued = false
    const now = clock.now()
    const view = { now, zone: zone.zone }
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: view.zone }).format(now)
    if (today !== day) nodes.clear()
    day = today
    const all = feed.list()
    zone.offer(
      all.flatMap((i) => (i.article.timeZone ? [i.article.timeZone] : [])),
      now,
    )
    fillSelect(categorySelect, [...new Set(all.map((i) => i.article.category ?? 'uncategorized'))].sort())
    fillSelect(languageSelect, [...new Set(all.map((i) => i.article.language ?? '?'))].sort())
    const byState = new Map(states.map((s) => [s, 0]))
    for (const i of all) {
      const s = stateOf(i)
      byState.set(s, (byState.get(s) ?? 0) + 1)
    }
    for (const o of stateSelect.options) if (o.value) o.textContent = `${o.value} (${byState.get(o.value as EditorialState) ?? 0})`
    const [st, cat, lang] = [stateSelect.value, categorySelect.value, languageSelect.value]
    // Live stories (not killed) are followed, the one open first
    const live = all.filter((i) => i.article.live === true && stateOf(i) !== 'withdrawn').map((i) => i.id)
    const open = panel.openId
    desk?.sync(open === null ? live : [open, ...live.filter((id) => id !== open)])
    // an entry runs only when its story does: how the desk shows the story holds its entries
    const runOf = (id: string): StoryRun => {
      const item = feed.items.get(id)
      // a hold's end is not known here (its release comes as an event)
      if (item) return { state: stateOf(item), embargoEnd: item.hold ? Number.NaN : item.embargoEnd }
      // not on the list (a reset's snapshot left it out): as the story's own subscription has it
      return desk?.get(id)?.run ?? RUNNING
    }
    const liveInfo = (id: string) => {
      const story = desk?.get(id)
      return story ? { counts: story.loading ? 'Loading entries…' : countsText(story.counts(runOf(id)), story.partial) } : null
    }
    if (open !== null)
      panel.render(feed.items.get(open)?.article ?? desk?.get(open)?.article ?? undefined, desk?.get(open), view, runOf(open))
    const visible = all.filter(
      (i) =>
        (!st || stateOf(i) === st) &&
        (!cat || (i.article.category ?? 'uncategorized') === cat) &&
        (!lang || (i.article.language ?? '?') === lang),
    )
    const wanted = visible.map((item) => {
      let li = nodes.get(item.id)
      const info = liveInfo(item.id)
      if (li?.dataset.key === itemKey(item, info)) refreshTimes(li, now, info)
      else {
        li = renderItem(item, view, info)
        nodes.set(item.id, li)
      }
      return li
    })
    for (const id of nodes.keys()) if (!feed.items.has(id)) nodes.delete(id)
    reconcile(
      feedList,
      wanted.length > 0
        ? wanted
        : [h('li', { class: 'empty' }, all.length > 0 ? 'No story matches these filters.' : 'Nothing yet: waiting for events…')],
    )
    shown.textContent = `${visible.length} of ${all.length} shown`
    const perCategory = deskCounts.list(now)
    countsBody.replaceChildren(
      ...(perCategory.length > 0
        ? perCategory.map((c) =>
            h(
              'tr',
              { 'data-category': c.category },
              h('td', {}, c.label && c.label !== c.category ? `${c.category} · ${c.label}` : c.category),
              h('td', { class: 'n' }, String(c.count)),
            ),
          )
        : [h('tr', {}, h('td', { class: 'empty' }, 'none'))]),
    )
    const v = currentView()
    const cursor = cursors.get(v.key)
    olderButton.disabled = loadingFor !== null || cursor === null || cursor === undefined
    olderStatus.textContent = loadingFor !== null ? 'Loading…' : cursor === null ? 'No older stories.' : ''
    // An embargo ending flips its badge at once, whether or not the server's release came first
    clearTimeout(embargoTimer)
    const ends = [feed.nextEmbargoEnd(now), desk?.nextEmbargoEnd(now) ?? null].filter((t): t is number => t !== null)
    const next = ends.length > 0 ? Math.min(...ends) : null
    if (next !== null) embargoTimer = setTimeout(scheduleRender, Math.min(next - now + 1, 2 ** 31 - 1))
  }
  // One render per task however many messages it brought (a snapshot is dozens)
  const scheduleRender = () => {
    if (renderQueued) return
    renderQueued = true
    queueMicrotask(render)
  }

  /** The filters chosen, as the server's filter; '' when none. */
  const currentView = (): { key: string; filter: StreamFilter | undefined } => {
    const [st, cat, lang] = [stateSelect.value, categorySelect.value, languageSelect.value]
    const filter: StreamFilter = {}
    if (st) filter.states = [st as EditorialState]
    if (cat && cat !== 'uncategorized') filter.categories = [cat]
    if (lang && lang !== '?') filter.languages = [lang]
    const key = JSON.stringify(filter)
    return { key: key === '{}' ? '' : key, filter: key === '{}' ? undefined : filter }
  }

  const take = (item: FeedItem) => deskCounts.note(countedOf(item))

  /** A page of the current view: its newest (`fresh`) or the next older one. */
  const loadPage = async (fresh: boolean) => {
    const c = client
    const v = currentView()
    const cursor = fresh ? null : cursors.get(v.key)
    if (!c || loadingFor === c || cursor === undefined || (!fresh && cursor === null)) return
    loadingFor = c
    render()
    try {
      const page = await older(c, cursor, { limit: PAGE, ...(v.filter ? { filter: v.filter } : {}) })
      if (c !== client) return
      const now = clock.now()
      for (const m of page.items) take(feed.applyEvent(m, now))
      cursors.set(v.key, page.next)
    } catch (err) {
      olderStatus.textContent = `Could not load older stories: ${err instanceof Error ? err.message : String(err)}`
    } finally {
      if (loadingFor === c) loadingFor = null
      scheduleRender()
    }
    // the filters changed while this page loaded
    if (currentView().key !== v.key) onFilter()
  }

  /** The desk starts over from a fresh snapshot (a `reset` follows), once the last one is FRESH_MS old. */
  const startOver = (c: Client) => {
    if (freshTimer !== undefined) return
    const wait = freshAfter - Date.now()
    if (wait > 0) {
      freshTimer = setTimeout(() => {
        freshTimer = undefined
        if (c === client) startOver(c)
      }, wait)
      return
    }
    freshAfter = Date.now() + FRESH_MS
    c.update(['all'])
  }

  /** The server's count of the last hour, over everything it holds. */
  const refreshCounts = () => {
    const c = client
    if (!c) return
    const asked = deskCounts.asked()
    counts(c).then(
      (r) => {
        if (c !== client) return
        deskCounts.seed(r, asked)
        scheduleRender()
      },
      () => undefined,
    )
  }

  /** A view not seen yet starts from the server's newest page of it. */
  const onFilter = () => {
    const v = currentView()
    if (v.key !== '' && !cursors.has(v.key)) void loadPage(true)
    render()
  }

  /**
   * Ends the session: its client, and everything its token was shown. A new token starts from its
   * own snapshot, which neither repeats a story outside its scope nor one killed meanwhile, so
   * anything kept would outlive what that token may see (another desk's, a kill missed while away).
   */
  const endSession = () => {
    clearTimeout(freshTimer)
    freshTimer = undefined
    void client?.close()
    client = null
    desk?.close()
    desk = null
    panel.close()
    scopeNote.textContent = ''
    scopeNote.hidden = true
    feed.reset([], clock.now())
    deskCounts.clear()
    cursors.clear()
    loadingFor = null
    nodes.clear()
    latencies.length = 0
    latency.textContent = ''
    render()
  }

  /** This tab's session ends and its token is dropped: the form says why. */
  const signOut = (message: string) => {
    sessionStorage.removeItem(TOKEN_KEY)
    tokenInput.value = ''
    endSession()
    showLogin(message)
  }

  /**
   * The stream refused this page for good (1008, HTTP 403 or 400, an SSE stream held back twice):
   * no kill, hold or release reaches it any more, so, as a failed embed (red16), it shows none of
   * what it was sent. It kept the desk, a story killed since reading `live`, one released since
   * still embargoed, with "Disconnected" in the header (red21d attack run). The token stays: Connect
   * tries again.
   */
  const refused = (token: string, reason: string) => {
    endSession()
    showLogin(
      `Disconnected for good: ${reason}. Nothing of the desk is shown: it would no longer hear of a kill, a hold or a release. Connect to try again.`,
    )
    tokenInput.value = token
    signout.hidden = false // "Forget token" stays within reach
  }

  const start = (token: string) => {
    endSession()
    login.hidden = true
    app.hidden = false
    signout.hidden = false
    // a narrowed token's desk is a part of the newsroom: it says so (red21d)
    scopeNote.textContent = scopeText(scopeOf(token))
    scopeNote.hidden = scopeNote.textContent === ''
    const c = connect('/', { channels: ['all'], token, ...keepTrying })
    client = c
    desk = new LiveDesk(token, () => scheduleRender())
    c.on('state', (s) => {
      status.dataset.state = s.state
      status.dataset.transport = s.transport ?? ''
      status.textContent = statusText(s)
      if (c !== client || s.state !== 'failed') return
      if (s.error?.code === 'NEWSWIRE_ERR_CLIENT_UNAUTHORIZED') signOut(`The token was rejected: ${s.reason ?? 'unauthorized'}`)
      else refused(token, s.reason ?? 'failed')
    })
    c.on('subscribed', (m) => {
      clock.sync()
      // a fresh snapshot: its cursor for the whole desk; filtered views start over. A resume keeps them.
      if (m.more !== undefined) {
        cursors.clear()
        cursors.set('', m.more)
        if (currentView().key !== '') void loadPage(true)
      }
      refreshCounts()
      scheduleRender()
    })
    c.on('gap', (g) => {
      // Updates were shed while this page was behind: a release among them (a routine update) left
      // a story the public reads "embargoed" here, and one held back running again "withheld", for
      // good when it lay below the newest page (red21d attack run). The desk starts over from a
      // fresh snapshot, as a reload would. Merely conflated, each story's newest version came.
      if ((g.shed.routine ?? 0) > 0) startOver(c)
      else {
        void loadPage(true)
        refreshCounts()
      }
    })
    c.on('event', (m) => {
      const item = feed.applyEvent(m, clock.now())
      take(item)
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
      feed.applyWithdrawn(m, clock.now())
      deskCounts.withdrawn(m)
      scheduleRender()
    })
    c.on('reset', (m) => {
      const now = clock.now()
      feed.reset(m.items, now)
      // the counts start again with the reset: what it left out is not this desk's now
      deskCounts.clear()
      for (const item of feed.items.values()) take(item)
      cursors.clear()
      cursors.set('', m.more)
      refreshCounts()
      scheduleRender()
    })
    render()
  }

  login.addEventListener('submit', (ev) => {
    ev.preventDefault()
    const token = tokenInput.value.trim()
    if (!token) return
    sessionStorage.setItem(TOKEN_KEY, token)
    sessionStorage.setItem(SINCE_KEY, String(Date.now()))
    tokenInput.value = ''
    start(token)
  })
  signout.addEventListener('click', () => {
    localStorage.setItem(FORGOT_KEY, String(Date.now()))
    signOut('')
  })
  addEventListener('storage', (e) => {
    if (e.key !== FORGOT_KEY || tabToken()) return
    // a desk refused for good (refused) keeps its token in the form: it goes too
    if (client || tokenInput.value) signOut('Signed out: "Forget token" in another tab of this browser.')
  })
  for (const select of [stateSelect, categorySelect, languageSelect]) select.addEventListener('change', onFilter)
  olderButton.addEventListener('click', () => void loadPage(false))
  feedList.addEventListener('click', (ev) => {
    const id = (ev.target as Element).closest?.('button.open-story')?.getAttribute('data-story')
    if (!id) return
    panel.open(id)
    render()
  })
  setInterval(scheduleRender, TICK_MS)
  // The back/forward cache: a page restored from it showed the desk as the editor left it, a story
  // killed, held or embargoed again meanwhile still running, until the SDK had reconnected and
  // resumed (about a second; red15 attack run). So the session ends as the page goes into the
  // cache, and a restore starts as a reload would: this tab's token, its own snapshot.
  let cached = false
  addEventListener('pagehide', (e) => {
    if (!e.persisted || !client) return
    cached = true
    endSession()
  })
  addEventListener('pageshow', (e) => {
    if (!e.persisted || !cached) return
    cached = false
    const again = tabToken()
    if (again) start(again)
    else showLogin('')
  })

  const { token, inAddress } = takeToken()
  if (token) start(token)
  else showLogin(inAddress ? ADDRESS_TOKEN : '')
  // For tests and debugging in the console
  Object.assign(globalThis, { newswireDashboard: { feed, counts: deskCounts, client: () => client, desk: () => desk } })
}

main()
