// The pages the fan-out serves next to the stream: /dashboard (newsroom), /ticker (demo host page
// for the embed), /ticker.js (the one-script embed) and /dashboard.js. The scripts are bundled
// from services/fanout/web/*.ts by esbuild: in development in memory on first use (fresh sources,
// no build step), in the production image from services/fanout/dist/web, which the Dockerfile's
// build stage writes with services/fanout/build/web.ts (esbuild is a devDependency).
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Logger } from '@newswire/shared'

/** Entry points in web/, each bundled to `<name>.js`. */
export const webEntries = ['dashboard', 'ticker'] as const
export type WebEntry = (typeof webEntries)[number]

export const defaultWebSourceDir = fileURLToPath(new URL('../web/', import.meta.url))
export const defaultWebOutDir = fileURLToPath(new URL('../dist/web/', import.meta.url))

export interface PagesOptions {
  log: Logger
  /** TypeScript sources of the page scripts; when present (and esbuild is installed) they are bundled in memory. */
  sourceDir?: string
  /** Pre-built bundles, used when the sources or esbuild are missing (production image). */
  outDir?: string
}

export interface Pages {
  /** Answers GET/HEAD for the page routes; returns false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean
  /** Bundles (or loads) the page scripts now instead of on the first request; rejects when they are unavailable. */
  ready(): Promise<void>
}

interface Asset {
  body: Buffer
  type: string
  etag: string
  cacheControl: string
  headers: Record<string, string>
}

const hash = (data: string | Buffer, encoding: 'base64' | 'hex' = 'base64') => createHash('sha256').update(data).digest(encoding)
const etagOf = (body: Buffer) => `"${hash(body, 'hex').slice(0, 20)}"`

/** The development bundler (services/fanout/build/bundle.ts): not part of the compiled service. */
interface Bundler {
  buildWebAssets(sourceDir: string): Promise<Map<WebEntry, string>>
}

// Resolved at run time so the compiled service never imports esbuild (a devDependency): in
// development (tsx) this is the TypeScript source; in the image it does not exist and the
// pre-built bundles are served.
const bundlerUrl = new URL('../build/bundle.ts', import.meta.url).href

async function loadScripts(sourceDir: string, outDir: string, log: Logger): Promise<Map<WebEntry, string>> {
  if (existsSync(join(sourceDir, 'dashboard.ts'))) {
    try {
      const t0 = Date.now()
      const { buildWebAssets } = (await import(bundlerUrl)) as Bundler
      const built = await buildWebAssets(sourceDir)
      log.debug({ ms: Date.now() - t0 }, 'page scripts bundled in memory')
      return built
    } catch (err) {
      // esbuild missing (production install) or a build error: fall back to pre-built bundles
      if (!existsSync(join(outDir, 'dashboard.js'))) throw err
      log.warn({ err }, 'bundling the page scripts failed; serving the pre-built ones')
    }
  }
  return new Map(webEntries.map((e) => [e, readFileSync(join(outDir, `${e}.js`), 'utf8')]))
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

const FONT_STACK = `system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans Bengali', 'Noto Sans Bengali UI', sans-serif`

const DASHBOARD_CSS = `
:root { color-scheme: light; --bg: #f6f7f9; --fg: #1b1f24; --muted: #5b6470; --line: #d9dde3; --card: #fff;
  --breaking: #b3261e; --breaking-bg: #fdecea; --ok: #1e7d32; --warn: #a15c00; --embargo: #6a3fb5; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 ${FONT_STACK}; background: var(--bg); color: var(--fg); }
header { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center;
  padding: 10px 20px; background: #10243e; color: #fff; }
header h1 { margin: 0; font-size: 18px; font-weight: 600; }
#status { display: inline-flex; align-items: center; gap: 6px; font-size: 14px; }
#status::before { content: ''; width: 10px; height: 10px; border-radius: 50%; background: #9aa4b1; }
#status[data-state=connected]::before { background: #4caf50; }
#status[data-state=reconnecting]::before, #status[data-state=connecting]::before { background: #ffb300; }
#status[data-state=failed]::before { background: #e53935; }
#latency { font-size: 14px; color: #cfd8e3; font-variant-numeric: tabular-nums; }
header .spacer { flex: 1; }
header button { font: inherit; font-size: 13px; background: transparent; color: #fff; border: 1px solid #6b7f99; border-radius: 4px; padding: 2px 10px; cursor: pointer; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 280px; gap: 20px; padding: 16px 20px; max-width: 1280px; margin: 0 auto; }
@media (max-width: 820px) { main { grid-template-columns: minmax(0, 1fr); } }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin-bottom: 12px; }
.filters label { font-size: 14px; color: var(--muted); display: inline-flex; gap: 6px; align-items: center; }
select, input { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
#feed { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
.item { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.item.breaking { border-left-color: var(--breaking); background: var(--breaking-bg); }
.item.withdrawn { opacity: .65; }
.item.withdrawn .headline { text-decoration: line-through; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; font-size: 13px; color: var(--muted); }
.badge { display: inline-block; font-size: 11px; font-weight: 700; letter-spacing: .04em; text-transform: uppercase; padding: 1px 6px; border-radius: 3px; background: #e7ebf0; color: #334; }
.badge.new { background: #e3f2e6; color: var(--ok); }
.badge.updated { background: #fff3e0; color: var(--warn); }
.badge.withdrawn { background: #eceff1; color: #455a64; }
.badge.breaking { background: var(--breaking); color: #fff; }
.badge.embargoed { background: #efe7fb; color: var(--embargo); }
.headline { margin: 4px 0 2px; font-size: 17px; font-weight: 600; line-height: 1.5; }
.changed, .embargo, .reason { font-size: 13px; color: var(--muted); }
.embargo { color: var(--embargo); }
.latency { font-variant-numeric: tabular-nums; }
aside section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
aside h2 { margin: 0 0 8px; font-size: 15px; }
#counts { width: 100%; border-collapse: collapse; font-size: 14px; }
#counts td { padding: 3px 0; border-bottom: 1px solid #eef0f3; }
#counts td.n { text-align: right; font-variant-numeric: tabular-nums; }
.empty { color: var(--muted); font-style: italic; }
#login { max-width: 520px; margin: 60px auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 20px 24px; }
#login h2 { margin-top: 0; }
#login input { width: 100%; margin: 8px 0 12px; }
#login .error { color: var(--breaking); }
[hidden] { display: none !important; }
`

const TICKER_PAGE_CSS = `
body { margin: 0; font: 16px/1.5 ${FONT_STACK}; color: #1b1f24; background: #fff; }
.page { max-width: 880px; margin: 0 auto; padding: 24px 20px; }
h1 { font-size: 24px; margin: 0 0 8px; }
pre { background: #f3f4f6; border: 1px solid #e1e4e8; border-radius: 6px; padding: 12px; overflow-x: auto; font-size: 13px; white-space: pre-wrap; word-break: break-all; }
.host-article { color: #555; }
`

function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Newswire — newsroom</title>
<style>${DASHBOARD_CSS}</style>
<script src="/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>Newswire newsroom</h1>
  <span id="status" data-state="disconnected" role="status">Not connected</span>
  <span id="latency" title="now − ingestedAt of the latest live event">end-to-end latency: –</span>
  <span class="spacer"></span>
  <button id="signout" type="button" hidden>Forget token</button>
</header>
<form id="login" hidden>
  <h2>Newsroom token</h2>
  <p>Paste a newsroom token (a JWT with the <code>newsroom</code> scope; <code>npm start</code> prints one),
  or open <code>/dashboard#token=…</code>. It is kept in this tab's session storage only.</p>
  <p class="error" id="login-error" role="alert"></p>
  <label for="token-input">Token</label>
  <input id="token-input" name="token" type="password" autocomplete="off" spellcheck="false" required>
  <button type="submit">Connect</button>
</form>
<main id="app" hidden>
  <section aria-labelledby="feed-title">
    <h2 id="feed-title" hidden>Live feed</h2>
    <div class="filters">
      <label>Category <select id="filter-category"><option value="">all</option></select></label>
      <label>Language <select id="filter-language"><option value="">all</option></select></label>
      <span id="shown" class="meta"></span>
    </div>
    <ol id="feed" aria-live="polite" aria-relevant="additions"></ol>
  </section>
  <aside>
    <section aria-labelledby="counts-title">
      <h2 id="counts-title">Last hour, per category</h2>
      <table id="counts"><tbody></tbody></table>
    </section>
  </aside>
</main>
</body>
</html>
`
}

function tickerHtml(host: string, category: string, language: string): string {
  const attrs = `${category ? ` data-category="${escapeHtml(category)}"` : ''}${language ? ` data-language="${escapeHtml(language)}"` : ''}`
  const snippet = `<div id="newswire-ticker"${attrs}></div>\n<script src="${host}/ticker.js" async></script>`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Newswire — breaking news ticker</title>
<style>${TICKER_PAGE_CSS}</style>
</head>
<body>
<div class="page">
  <h1>Breaking news ticker</h1>
  <p>Embed it on any page with one container element and one script tag. <code>data-category</code> and
  <code>data-language</code> are optional (comma lists work); <code>data-max-items</code> defaults to 5.
  Try <code>/ticker?category=international&amp;language=bn</code>.</p>
  <pre><code>${escapeHtml(snippet)}</code></pre>
  <div id="newswire-ticker"${attrs}></div>
  <p class="host-article">This paragraph stands for the host page's own content: the ticker above keeps a fixed
  height, so nothing here moves when headlines arrive or are withdrawn.</p>
</div>
<script src="/ticker.js" async></script>
</body>
</html>
`
}

/** CSP for our own pages: scripts from this origin only, the one inline <style> by hash, the stream on this origin. */
function csp(style: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'sha256-${hash(style)}'`,
    // CSP3: 'self' also matches ws(s):// on the same host and port
    "connect-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

const htmlHeaders = (style: string): Record<string, string> => ({
  'content-security-policy': csp(style),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
})

function asset(body: string, type: string, cacheControl: string, headers: Record<string, string> = {}): Asset {
  const b = Buffer.from(body)
  return { body: b, type, etag: etagOf(b), cacheControl, headers }
}

function send(req: IncomingMessage, res: ServerResponse, a: Asset): void {
  const headers = { etag: a.etag, 'cache-control': a.cacheControl, 'x-content-type-options': 'nosniff', ...a.headers }
  if (req.headers['if-none-match'] === a.etag) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(200, { ...headers, 'content-type': a.type, 'content-length': String(a.body.length) })
  res.end(req.method === 'HEAD' ? undefined : a.body)
}

export function createPages(options: PagesOptions): Pages {
  const { log, sourceDir = defaultWebSourceDir, outDir = defaultWebOutDir } = options
  const dashboard = asset(dashboardHtml(), 'text/html; charset=utf-8', 'no-cache', htmlHeaders(DASHBOARD_CSS))
  const tickerPages = new Map<string, Asset>()
  // Bundled on first use, so instances that never serve a page (tests, benchmarks) pay nothing
  let scripts: Promise<Map<string, Asset>> | null = null
  const loadAssets = (): Promise<Map<string, Asset>> => {
    scripts ??= loadScripts(sourceDir, outDir, log).then(
      (built) =>
        new Map([
          // The embed lives on other sites: cacheable for a while, loadable cross-origin
          [
            '/ticker.js',
            asset(built.get('ticker') ?? '', 'text/javascript; charset=utf-8', 'public, max-age=300, stale-while-revalidate=86400', {
              'cross-origin-resource-policy': 'cross-origin',
              'access-control-allow-origin': '*',
            }),
          ],
          ['/dashboard.js', asset(built.get('dashboard') ?? '', 'text/javascript; charset=utf-8', 'no-cache')],
        ]),
      (err: unknown) => {
        log.error({ err }, 'page scripts unavailable: neither esbuild with web/ sources nor dist/web bundles')
        scripts = null // try again on the next request
        throw err
      },
    )
    return scripts
  }

  const tickerPage = (req: IncomingMessage, url: URL): Asset => {
    const category = (url.searchParams.get('category') ?? '').slice(0, 200)
    const language = (url.searchParams.get('language') ?? '').slice(0, 50)
    const key = `${category}\n${language}`
    let a = tickerPages.get(key)
    if (!a) {
      // The snippet shows the address this page was reached at (Host header, escaped)
      const host = `//${req.headers.host ?? 'fanout'}`
      a = asset(tickerHtml(host, category, language), 'text/html; charset=utf-8', 'no-cache', htmlHeaders(TICKER_PAGE_CSS))
      if (tickerPages.size < 100) tickerPages.set(key, a)
    }
    return a
  }

  return {
    ready: () => loadAssets().then(() => undefined),
    handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false
      const url = new URL(req.url ?? '/', 'http://fanout')
      switch (url.pathname) {
        case '/':
          res.writeHead(302, { location: '/ticker' })
          res.end()
          return true
        case '/favicon.ico':
          // no icon, and no 404 noise in the browser console
          res.writeHead(204, { 'cache-control': 'public, max-age=86400' })
          res.end()
          return true
        case '/dashboard':
          send(req, res, dashboard)
          return true
        case '/ticker':
          send(req, res, tickerPage(req, url))
          return true
        case '/ticker.js':
        case '/dashboard.js':
          loadAssets().then(
            (assets) => {
              const a = assets.get(url.pathname)
              if (a) send(req, res, a)
            },
            () => {
              res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
              res.end('page scripts unavailable (see the fan-out log)')
            },
          )
          return true
        default:
          return false
      }
    },
  }
}
