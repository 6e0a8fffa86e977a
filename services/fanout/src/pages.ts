// The pages the fan-out serves next to the stream: /dashboard (newsroom), /ticker and /story (demo
// host pages for the embeds), /ticker.js and /story.js (the one-script embeds), /dashboard.js and
// the pages' stylesheets.
// The HTML and CSS are files in services/fanout/web/; the scripts are bundled from web/*.ts by
// esbuild: in development in memory on first use (fresh sources, no build step), in the
// production image from services/fanout/dist/web, which the Dockerfile's build stage writes with
// services/fanout/build/web.ts (esbuild is a devDependency). Static assets are compressed once
// (brotli and gzip) when loaded and served by content negotiation, each encoding with its own ETag.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { Logger } from '@newswire/shared'

/** Entry points in web/, each bundled to `<name>.js`. */
export const webEntries = ['dashboard', 'ticker', 'story'] as const
export type WebEntry = (typeof webEntries)[number]
/** The pages' HTML templates and stylesheets in web/, served (and copied to dist/web) as they are. */
export const pageFiles = ['dashboard.html', 'dashboard.css', 'ticker.html', 'ticker-page.css', 'story.html', 'story-page.css'] as const
type PageFile = (typeof pageFiles)[number]

export const defaultWebSourceDir = fileURLToPath(new URL('../web/', import.meta.url))
export const defaultWebOutDir = fileURLToPath(new URL('../dist/web/', import.meta.url))

export interface PagesOptions {
  log: Logger
  /** TypeScript sources of the page scripts; when present (and esbuild is installed) they are bundled in memory. */
  sourceDir?: string
  /** Pre-built bundles, used when the sources or esbuild are missing (production image). */
  outDir?: string
  /**
   * Where sites load the embed from (FANOUT_PUBLIC_URL), e.g. `https://news.example/wire`. The
   * snippet on /ticker is built from it; without it, from the request's Host once validated.
   */
  publicUrl?: string | null
  /** The desk's time zone (FANOUT_DESK_TIME_ZONE): the dashboard shows every time in it. */
  deskTimeZone?: string | null
  /** Bundle and compress now rather than on the first request (production). */
  preload?: boolean
}

export interface Pages {
  /** Answers GET/HEAD for the page routes; returns false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean
  /** Bundles (or loads) and compresses the page assets now; rejects when they are unavailable. */
  ready(): Promise<void>
}

type Encoding = 'br' | 'gzip' | 'identity'

interface Representation {
  body: Buffer
  etag: string
}

interface Asset {
  type: string
  cacheControl: string
  headers: Record<string, string>
  /** identity always; br and gzip for static assets worth compressing. */
  encodings: Partial<Record<Encoding, Representation>> & { identity: Representation }
}

const etagOf = (body: Buffer, suffix = '') => `"${createHash('sha256').update(body).digest('hex').slice(0, 20)}${suffix}"`

/** Below this, compression saves less than the header costs. */
const MIN_COMPRESS_BYTES = 512

/** An asset served as it is (per-request HTML). */
function plain(body: string, type: string, cacheControl: string, headers: Record<string, string> = {}): Asset {
  const b = Buffer.from(body)
  return { type, cacheControl, headers, encodings: { identity: { body: b, etag: etagOf(b) } } }
}

/** A static asset, compressed once: brotli at its best quality and gzip at 9, both kept only when smaller. */
export function precompressed(body: string, type: string, cacheControl: string, headers: Record<string, string> = {}): Asset {
  const asset = plain(body, type, cacheControl, headers)
  const raw = asset.encodings.identity
  if (raw.body.length < MIN_COMPRESS_BYTES) return asset
  const tag = raw.etag.slice(0, -1)
  const br = brotliCompressSync(raw.body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.body.length },
  })
  const gz = gzipSync(raw.body, { level: 9 })
  if (br.length < raw.body.length) asset.encodings.br = { body: br, etag: `${tag}-br"` }
  if (gz.length < raw.body.length) asset.encodings.gzip = { body: gz, etag: `${tag}-gz"` }
  return asset
}

/** The best encoding the request accepts (Accept-Encoding with q-values; brotli first). */
export function negotiate(acceptEncoding: string | undefined, offered: readonly Encoding[]): Encoding {
  const q = new Map<string, number>()
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';')
    if (!name) continue
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const value = qp === undefined ? 1 : Number(qp.slice(2))
    q.set(name, Number.isFinite(value) ? value : 0)
  }
  const accepts = (e: string) => (q.get(e) ?? q.get('*') ?? 0) > 0
  for (const e of ['br', 'gzip'] as const) if (offered.includes(e) && accepts(e)) return e
  return 'identity'
}

/** A Host header that is a plain host name or IP literal with an optional port, nothing else. */
const validHost = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/i

/**
 * Where the snippet on /ticker loads ticker.js from: the configured public URL, else the address
 * this request reached (protocol-relative), if its Host is a well-formed host; null when it is not.
 */
export function embedBase(publicUrl: string | null, host: string | undefined): string | null {
  if (publicUrl) return publicUrl.replace(/\/+$/, '')
  if (host === undefined || host.length > 260 || !validHost.test(host)) return null
  return `//${host.toLowerCase()}`
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

/** Fills `__NAME__` placeholders (valid HTML wherever they stand) with values already escaped. */
const fill = (template: string, values: Record<string, string>) => template.replace(/__([A-Z_]+)__/g, (m, k: string) => values[k] ?? m)

/** CSP for our own pages: scripts, styles and the stream from this origin only. */
const csp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // CSP3: 'self' also matches ws(s):// on the same host and port
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const htmlHeaders: Record<string, string> = {
  'content-security-policy': csp,
  // A page of another site that opened one of ours (window.open) has no handle on it: it could
  // navigate the signed-in dashboard to a look-alike asking for the token again (red20 attack run)
  'cross-origin-opener-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
}

const html = 'text/html; charset=utf-8'
const js = 'text/javascript; charset=utf-8'
const css = 'text/css; charset=utf-8'

function send(req: IncomingMessage, res: ServerResponse, a: Asset): void {
  const offered = Object.keys(a.encodings) as Encoding[]
  const encoding = offered.length > 1 ? negotiate(req.headers['accept-encoding'], offered) : 'identity'
  const r = a.encodings[encoding] ?? a.encodings.identity
  const headers: Record<string, string> = {
    etag: r.etag,
    'cache-control': a.cacheControl,
    'x-content-type-options': 'nosniff',
    ...a.headers,
  }
  if (offered.length > 1) headers.vary = 'Accept-Encoding'
  const inm = req.headers['if-none-match']
  if (inm !== undefined && (inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === r.etag))) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  if (encoding !== 'identity') headers['content-encoding'] = encoding
  res.writeHead(200, { ...headers, 'content-type': a.type, 'content-length': String(r.body.length) })
  res.end(req.method === 'HEAD' ? undefined : r.body)
}

/** The development bundler (services/fanout/build/bundle.ts): not part of the compiled service. */
interface Bundler {
  buildWebAssets(sourceDir: string): Promise<Map<WebEntry, string>>
}

// Resolved at run time so the compiled service never imports esbuild (a devDependency): in
// development (tsx) this is the TypeScript source; in the image it does not exist and the
// pre-built bundles are served.
const bundlerUrl = new URL('../build/bundle.ts', import.meta.url).href

interface Loaded {
  scripts: Map<WebEntry, string>
  files: Map<PageFile, string>
}

async function load(sourceDir: string, outDir: string, log: Logger): Promise<Loaded> {
  const readFiles = (dir: string) => new Map(pageFiles.map((f) => [f, readFileSync(join(dir, f), 'utf8')]))
  if (existsSync(join(sourceDir, 'dashboard.ts'))) {
    try {
      const t0 = Date.now()
      const { buildWebAssets } = (await import(bundlerUrl)) as Bundler
      const scripts = await buildWebAssets(sourceDir)
      log.debug({ ms: Date.now() - t0 }, 'page scripts bundled in memory')
      return { scripts, files: readFiles(sourceDir) }
    } catch (err) {
      // esbuild missing (production install) or a build error: fall back to pre-built bundles
      if (!existsSync(join(outDir, 'dashboard.js'))) throw err
      log.warn({ err }, 'bundling the page scripts failed; serving the pre-built ones')
    }
  }
  return { scripts: new Map(webEntries.map((e) => [e, readFileSync(join(outDir, `${e}.js`), 'utf8')])), files: readFiles(outDir) }
}

interface Assets {
  byPath: Map<string, Asset>
  tickerTemplate: string
  storyTemplate: string
}

/** An article id as ingest accepts it. */
const articleId = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/

/**
 * The embeds live on other sites: cacheable for a while, loadable cross-origin. A stale copy is
 * run while it is revalidated: within 10 minutes, not a day, so a fix of the SDK reaches every
 * returning reader in that time (a day let one who came back run the old one again: red20).
 */
const embedCaching = 'public, max-age=300, stale-while-revalidate=300'
const embedHeaders = { 'cross-origin-resource-policy': 'cross-origin', 'access-control-allow-origin': '*' }

export function createPages(options: PagesOptions): Pages {
  const { log, sourceDir = defaultWebSourceDir, outDir = defaultWebOutDir, publicUrl = null, deskTimeZone = null } = options
  // Loaded on first use, so instances that never serve a page (tests, benchmarks) pay nothing
  let assets: Promise<Assets> | null = null
  const loadAssets = (): Promise<Assets> => {
    assets ??= load(sourceDir, outDir, log).then(
      ({ scripts, files }) => {
        const file = (name: PageFile) => files.get(name) ?? ''
        const byPath = new Map<string, Asset>([
          ['/ticker.js', precompressed(scripts.get('ticker') ?? '', js, embedCaching, embedHeaders)],
          ['/story.js', precompressed(scripts.get('story') ?? '', js, embedCaching, embedHeaders)],
          ['/dashboard.js', precompressed(scripts.get('dashboard') ?? '', js, 'no-cache')],
          ['/dashboard.css', precompressed(file('dashboard.css'), css, 'no-cache')],
          ['/ticker-page.css', precompressed(file('ticker-page.css'), css, 'no-cache')],
          ['/story-page.css', precompressed(file('story-page.css'), css, 'no-cache')],
          [
            '/dashboard',
            precompressed(fill(file('dashboard.html'), { DESK_TIME_ZONE: escapeHtml(deskTimeZone ?? '') }), html, 'no-cache', htmlHeaders),
          ],
        ])
        return { byPath, tickerTemplate: file('ticker.html'), storyTemplate: file('story.html') }
      },
      (err: unknown) => {
        log.error({ err }, 'page assets unavailable: neither esbuild with web/ sources nor dist/web bundles')
        assets = null // try again on the next request
        throw err
      },
    )
    return assets
  }
  if (options.preload) loadAssets().catch(() => undefined)

  /** Built per request and never cached: the snippet may name the Host this request came with. */
  const tickerPage = (a: Assets, req: IncomingMessage, url: URL): Asset | null => {
    const base = embedBase(publicUrl, req.headers.host)
    if (base === null) return null
    const category = (url.searchParams.get('category') ?? '').slice(0, 200)
    const language = (url.searchParams.get('language') ?? '').slice(0, 50)
    const attrs = `${category ? ` data-category="${escapeHtml(category)}"` : ''}${language ? ` data-language="${escapeHtml(language)}"` : ''}`
    const snippet = `<div id="newswire-ticker"${attrs}></div>\n<script src="${base}/ticker.js" async></script>`
    const values = { CATEGORY: escapeHtml(category), LANGUAGE: escapeHtml(language), SNIPPET: escapeHtml(snippet) }
    return plain(fill(a.tickerTemplate, values), html, 'no-cache', htmlHeaders)
  }

  /**
   * The story embed on a stand-in story page: `?id=` the article (as ingest accepts ids),
   * `version` the one the page shows, `live=1` to start as a live story, `language` its words.
   */
  const storyPage = (a: Assets, req: IncomingMessage, url: URL): Asset | null => {
    const base = embedBase(publicUrl, req.headers.host)
    if (base === null) return null
    const q = url.searchParams
    const rawId = q.get('id') ?? ''
    const id = articleId.test(rawId) ? rawId : ''
    const version = /^\d{1,15}$/.test(q.get('version') ?? '') ? String(q.get('version')) : ''
    const language = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})?$/.test(q.get('language') ?? '') ? String(q.get('language')) : ''
    const live = q.get('live') === '1'
    const attrs = [
      ` data-article="${escapeHtml(id || 'bd-2024-0817-port-fire')}"`,
      version ? ` data-version="${version}"` : '',
      live ? ' data-live' : '',
      language ? ` data-language="${language}"` : '',
    ].join('')
    const snippet = `<div id="newswire-story"${attrs}></div>\n<script src="${base}/story.js" async></script>`
    const values = {
      LANG: language || 'en',
      ATTRS: id ? attrs : '',
      SNIPPET: escapeHtml(snippet),
    }
    return plain(fill(a.storyTemplate, values), html, 'no-cache', htmlHeaders)
  }

  const serve = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    loadAssets().then(
      (a) => {
        const asset =
          url.pathname === '/ticker'
            ? tickerPage(a, req, url)
            : url.pathname === '/story'
              ? storyPage(a, req, url)
              : a.byPath.get(url.pathname)
        if (asset) send(req, res, asset)
        else {
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
          res.end('malformed Host header')
        }
      },
      () => {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
        res.end('page assets unavailable (see the fan-out log)')
      },
    )
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
        case '/dashboard.js':
        case '/dashboard.css':
        case '/ticker':
        case '/ticker.js':
        case '/ticker-page.css':
        case '/story':
        case '/story.js':
        case '/story-page.css':
          serve(req, res, url)
          return true
        default:
          return false
      }
    },
  }
}
