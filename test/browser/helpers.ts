// Browser-test helpers: Debian's Chromium driven by playwright-core (never a downloaded browser),
// closed in t.after; the Bengali sample; screenshots under .cache/screenshots/ (git-ignored) for a person to look at.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { http } from '../helpers.ts'

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
