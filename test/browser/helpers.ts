// Browser-test helpers: Debian's Chromium driven by playwright-core (never a downloaded browser),
// closed in t.after; the Bengali sample; screenshots under .cache/screenshots/ (git-ignored) for a person to look at.
import { mkdirSync, readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { createPages } from '../../services/fanout/src/pages.ts'
import { http, literal, testLogger } from '../helpers.ts'

export const executablePath = '/usr/bin/chromium'
export const repoRoot = join(import.meta.dirname, '..', '..')
export const artifactsDir = join(repoRoot, '.cache', 'screenshots')

/** The scraped Bengali page (imported through POST /v1/import/scraped) and what ingest makes of it. */
export const bengaliSample = readFileSync(join(repoRoot, 'test', 'fixtures', 'articles', 'bn-seed-russia-north-korea.txt'), 'utf8')
export const bengaliExpected = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'bn-seed-expected.json'), 'utf8')) as {
  article: { headline: string; category: string; categoryLabel: string; language: string }
}

export async function launch(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--lang=en-GB'] })
  t.after(() => browser.close())
  return browser
}

/**
 * Chromium as readers run it: with the back/forward cache (Playwright turns it off by default, so
 * that `goBack()` always loads). A page restored from it fires `pageshow` with `persisted`, not `load`.
 */
export async function launchWithBackForwardCache(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--lang=en-GB'],
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  })
  t.after(() => browser.close())
  return browser
}

/** Serves `html` at `/` (with `headers`) and a plain page at `/elsewhere`, on localhost; returns the page's URL. */
export async function siteWith(t: TestContext, html: string, headers: Record<string, string> = {}): Promise<string> {
  const port = await serve(t, (req, res) => {
    if (req.url === '/elsewhere') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end('<!doctype html><title>Elsewhere</title><p>Another page of the site.</p>')
      return
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers })
    res.end(html)
  })
  return `http://localhost:${port}/`
}

export interface WatchedPage {
  page: Page
  /** Uncaught exceptions in the page. */
  errors: string[]
  /** Console messages of type error (network failures while the fan-out is down land here too). */
  consoleErrors: string[]
}

export async function openPage(browser: Browser, width: number, height: number): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'en-GB', timezoneId: 'UTC' })
  const page = await context.newPage()
  const errors: string[] = []
  const consoleErrors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  return { page, errors, consoleErrors }
}

/**
 * Signs the dashboard at `base` in as an editor does: the page, then the token pasted into its
 * form. Never `/dashboard#token=…`: the browser keeps that address in its history (red20).
 */
export async function openDashboard(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/dashboard`)
  await page.fill('#token-input', token)
  await page.click('#login button[type=submit]')
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true })
  const path = join(artifactsDir, name)
  await page.screenshot({ path, fullPage: false })
  return path
}

/** Imports the Bengali sample as article `id` with the given urgency (1–2 is breaking). */
export async function importBengali(ingestUrl: string, id: string, urgency: number): Promise<void> {
  const res = await http(`${ingestUrl}/v1/import/scraped?id=${encodeURIComponent(id)}&urgency=${urgency}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: bengaliSample,
  })
  if (res.status !== 200 && res.status !== 201) throw new Error(`import failed: ${res.status} ${res.text}`)
}

/** Serves `handle` on 127.0.0.1, port 0, until the test ends; returns the port. */
export async function serve(t: TestContext, handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer(handle)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => server.close(() => r())))
  return (server.address() as AddressInfo).port
}

/** The fan-out's pages alone (src/pages.ts, no stream behind them) on 127.0.0.1 until the test ends; returns their base URL. */
export async function servePages(t: TestContext, name: string): Promise<string> {
  const pages = createPages({ log: testLogger(name) })
  await pages.ready()
  const port = await serve(t, (req, res) => {
    if (!pages.handle(req, res)) {
      res.writeHead(404)
      res.end()
    }
  })
  return `http://127.0.0.1:${port}`
}

/**
 * A site embedding the ticker: `body` (the container and whatever surrounds it) followed by the
 * script tag, `css` as its one stylesheet, on another origin than the fan-out (localhost rather
 * than 127.0.0.1) and under a strict CSP that allows only the fan-out's script and stream. Returns
 * the page's URL.
 */
export async function hostPageWithTicker(t: TestContext, fanoutUrl: string, body: string, css: string): Promise<string> {
  return hostPageWith(t, fanoutUrl, 'ticker.js', body, css)
}

/** The same for any of the fan-out's embeds (`ticker.js`, `story.js`). */
export async function hostPageWith(t: TestContext, fanoutUrl: string, script: string, body: string, css: string): Promise<string> {
  const f = new URL(fanoutUrl)
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/host.css"></head><body>
${body}
<script src="${fanoutUrl}/${script}" async></script>
</body></html>`
  const port = await serve(t, (req, res) => {
    if (req.url === '/host.css') {
      res.writeHead(200, { 'content-type': 'text/css' })
      res.end(css)
      return
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; style-src 'self'; script-src ${f.origin}; connect-src ${f.origin} ws://${f.host}`,
    })
    res.end(html)
  })
  return `http://localhost:${port}/`
}

/**
 * An embargo time as the dashboard writes it in `timeZone` (web/format.ts `formatClock`, with
 * seconds), as a regular expression's source: the time alone when it is today there, with the
 * date when it is not. An embargo minutes ahead crosses midnight in Dhaka when a test runs just
 * before 18:00 UTC (in UTC, just before 00:00), and the page's clock, not the test's, decides
 * which day "today" is.
 */
export function embargoClock(at: Date, timeZone = 'Asia/Dhaka'): string {
  const zone = { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' } as const
  const time = new Intl.DateTimeFormat('en-GB', zone).format(at)
  const dated = new Intl.DateTimeFormat('en-GB', { ...zone, day: 'numeric', month: 'short', year: 'numeric' }).format(at)
  return `(?:${literal(time)}|${literal(dated)})`
}
