// /story.js: the story-page embed a site adds with one container and one script tag:
//
//   <div id="newswire-story" data-article="bd-2024-0817-port-fire" data-version="3"></div>
//   <script src="https://fanout.example/story.js" async></script>
//
// It follows the article (`article:<id>`) and tells the reader, while they read, that the story
// was updated ("Updated 2 min ago — headline and body changed", with a reload button), corrected
// ("Correction: …") or withdrawn. A live story (`live: true`, or `data-live` to start so) is
// followed on `story:<id>` instead, and the container also shows its feed: the pinned summary,
// the key events, the entries newest first, older ones on request, and new ones behind an
// "N new entries" button that never moves the text being read (story-feed.ts). It renders into
// a shadow root reset from the page (story.css), themed by custom properties, in the story's
// language (English or Bengali), and reports its state on the container (`data-story-state`:
// current, updated, withdrawn, unavailable) for the page's own CSS. The stream URL is derived
// from this script's own src.
import {
  type ArticleGone,
  type ArticleUpdate,
  type Client,
  connect,
  followArticle,
  followStory,
  type StoryFollower,
} from '@newswire/client'
import { claim, h, mountEmbeds } from './dom.ts'
import { articleTimeZone } from './format.ts'
import { anchoring } from './reading-position.ts'
import { StoryBanner } from './story-banner.ts'
import { LiveFeed } from './story-feed.ts'
import { type Ui, uiFor, wordsFor } from './story-text.ts'
import CSS from './story.css'
import { keepTrying } from './staying.ts'

const SELECTOR = '#newswire-story, [data-newswire-story]'
/** Relative times move on this often. */
const TICK_MS = 30_000
/** Older entries per "Show older entries". */
const PAGE = 20

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

const bounded = (v: string | undefined, fallback: number, min: number, max: number) => Math.min(max, Math.max(min, Number(v) || fallback))

function mount(host: HTMLElement, base: string): void {
  if (!claim(host)) return
  // A single-page site's router keeps the container for the next story and changes its attributes
  // (React and the like): read once, the embed followed the first story on the next one's page,
  // whose kill never reached its reader (red24c attack run, 2026-12-07). So it starts over, and
  // watches a container with no story too: a router that takes data-article off while the next
  // story loads stopped the embed for good, and that story's page said nothing of its kill (red24e)
  let end = () => {}
  const watch = new MutationObserver(() => {
    watch.disconnect()
    end()
    claim(host, false)
    mount(host, base)
  })
  watch.observe(host, { attributeFilter: ['data-article', 'data-version', 'data-live', 'data-language', 'data-entries'] })
  const id = host.dataset.article ?? ''
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/.test(id)) return
  const pageVersion = Number.isInteger(Number(host.dataset.version)) && host.dataset.version ? Number(host.dataset.version) : null
  const entries = bounded(host.dataset.entries, 20, 1, 100)
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' })
  styleShadow(root)
  const box = h('div', { class: 'nw', part: 'story' })
  root.replaceChildren(...[...root.childNodes].filter((n) => n.nodeName === 'STYLE'), box)
  host.dataset.storyState = 'current'

  let ui: Ui | null = null
  let banner: StoryBanner | null = null
  let feed: LiveFeed | null = null
  let liveHead: HTMLElement | null = null
  let state: HTMLElement | null = null
  let client: Client | null = null
  let story: StoryFollower | null = null

  /** The words are the story's language unless the page says (data-language). */
  const setUp = (language: string | undefined) => {
    if (banner) return banner
    ui = uiFor(host.dataset.language || language || document.documentElement.lang)
    box.lang = ui
    banner = new StoryBanner(ui, pageVersion)
    box.append(banner.el)
    return banner
  }

  const onStory = (u: ArticleUpdate) => {
    setUp(u.article.language).update(u, Date.now())
    feed?.setStory(u.article.language, articleTimeZone(u.article.language, u.article.timeZone))
    host.dataset.storyState = banner?.state ?? 'current'
    if (u.article.live === true && !story) followLive(u.article.language, u.article.timeZone ?? null)
    if (liveHead && ui) liveHead.textContent = u.article.live === false ? wordsFor(ui).ended : wordsFor(ui).live
    liveHead?.classList.toggle('ended', u.article.live === false)
  }
  const onGone = (g: ArticleGone) => {
    setUp(undefined).gone(g, Date.now())
    host.dataset.storyState = banner?.state ?? 'current'
    feed?.clear()
    if (feed) feed.el.hidden = banner?.state !== 'current'
  }

  const track = (c: Client) => {
    client = c
    c.on('state', (s) => {
      host.dataset.state = s.state
      if (state && ui) state.textContent = s.state === 'reconnecting' ? wordsFor(ui).reconnecting : ''
      // Refused for good (1008, HTTP 403 or 400), it hears of no deletion or kill any more: none of
      // what it was sent stays, entries nor the newsroom's correction notes (red16 attack run)
      if (s.state === 'failed') {
        banner?.hush()
        if (feed) {
          feed.clear()
          feed.el.hidden = true
        }
      }
    })
  }

  /** A live story: its own channel, which carries the story's versions too. */
  function followLive(language: string | undefined, timeZone: string | null): void {
    void client?.close()
    host.dataset.mode = 'live'
    setUp(language)
    const w = wordsFor(ui as Ui)
    const c = connect(base, { channels: [`story:${id}`], entries, ...keepTrying })
    track(c)
    const f = new LiveFeed({
      ui: ui as Ui,
      lang: language,
      timeZone: articleTimeZone(language, timeZone),
      older: async () => {
        await s.older(PAGE)
        return s.hasOlder
      },
      anchoring: anchoring(host),
    })
    host.dataset.anchoring = anchoring(host)
    feed = f
    liveHead = h('span', { class: 'live-head' }, w.live)
    state = h('span', { class: 'conn' })
    box.append(h('section', { class: 'live', 'aria-label': w.live }, h('header', {}, liveHead, state), f.el))
    const s = followStory(c, id, {
      story: onStory,
      gone: onGone,
      entry: (u) => {
        if (f.el.hidden) f.el.hidden = false
        f.upsert(u.entry, u.source === 'live')
      },
      entryRemoved: (r) => f.remove(r.entryId),
    })
    story = s
    // The snapshot's entries follow `subscribed` in the same task: where paging starts is known after
    c.on('subscribed', () => queueMicrotask(() => f.setHasOlder(s.hasOlder)))
  }

  if (host.hasAttribute('data-live')) followLive(host.dataset.language, null)
  else {
    host.dataset.mode = 'article'
    const c = connect(base, { channels: [`article:${id}`], ...keepTrying })
    track(c)
    followArticle(c, id, { update: onStory, gone: onGone })
  }

  // The back/forward cache: a page restored from it showed the entries it held when the reader
  // left, of a story killed meanwhile too, until the SDK had reconnected and resumed (about a
  // second; red8 attack run, 2026-12-04). So the feed goes into the cache empty, and a live story
  // comes back asking for a fresh snapshot (update(): a `reset` brings what may be shown now; a
  // story gone meanwhile reads "not available"). A story followed for its banner alone resumes,
  // and a kill reads "withdrawn" with the newsroom's words. The banner's correction notes, text of
  // the story, go into the cache too, and come back when the server speaks of the story again
  // (they showed until the kill came, red15 attack run).
  const stop = new AbortController()
  const { signal } = stop
  addEventListener(
    'pagehide',
    (e) => {
      if (!e.persisted) return
      feed?.clear()
      banner?.hush()
    },
    { signal },
  )
  addEventListener(
    'pageshow',
    (e) => {
      if (e.persisted && feed && client) client.update([...client.channels])
    },
    { signal },
  )

  const tick = setInterval(() => {
    const now = Date.now()
    banner?.tick(now)
    feed?.refreshTimes(now)
  }, TICK_MS)
  let queued = false
  const onScroll = () => {
    feed?.scrolled()
    if (queued) return
    queued = true
    requestAnimationFrame(() => {
      queued = false
      feed?.onScroll()
    })
  }
  // capture: a page that scrolls in an element of its own reports it here too
  const passive = { capture: true, passive: true, signal }
  document.addEventListener('scroll', onScroll, passive)
  for (const type of ['wheel', 'touchstart', 'touchmove', 'pointerdown', 'keydown'])
    addEventListener(type, () => feed?.userInput(), passive)

  end = () => {
    stop.abort()
    clearInterval(tick)
    void client?.close()
    root.replaceChildren()
    delete host.dataset.storyState
  }
}

mountEmbeds('story.js', SELECTOR, mount)
