// Node side of the Chromium reader (browser-batch scenario): Debian's Chromium driven by
// playwright-core (never a downloaded browser, as test/browser/helpers.ts), one about:blank page
// with the reader script (browser-page.ts, bundled by esbuild with the SDK's batch.ts) injected,
// its CPU read from /proc over every Chromium process (proc-tree.ts) and, for the page's renderer
// main thread, from the DevTools Performance domain.
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser, CDPSession, Page } from 'playwright-core'
import type { BenchPage, PageConnectResult, PageCounts } from './browser-page.ts'
import { chromiumCpu } from './proc-tree.ts'
import type { RoleCpu } from './proc-tree.ts'

export const executablePath = '/usr/bin/chromium'

/** The page script as one classic script (the SDK's `development` sources, no build step first). */
export async function bundlePageScript(): Promise<string> {
  const esbuild = await import('esbuild')
  const result = await esbuild.build({
    entryPoints: [join(import.meta.dirname, 'browser-page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120'],
    conditions: ['development'],
    write: false,
    logLevel: 'silent',
  })
  const out = result.outputFiles[0]
  if (!out) throw new Error('bench: esbuild produced no page script')
  return out.text
}

/** Renderer main-thread time so far (Performance.getMetrics), microseconds. */
export interface RendererTime {
  taskUs: number
  scriptUs: number
}

export class BrowserReader {
  readonly #browser: Browser
  readonly #page: Page
  readonly #cdp: CDPSession

  private constructor(browser: Browser, page: Page, cdp: CDPSession) {
    this.#browser = browser
    this.#page = page
    this.#cdp = cdp
  }

  static async launch(): Promise<BrowserReader> {
    const script = await bundlePageScript()
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
    try {
      const page = await browser.newPage()
      await page.addScriptTag({ content: script })
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('Performance.enable', { timeDomain: 'threadTicks' })
      return new BrowserReader(browser, page, cdp)
    } catch (err) {
      await browser.close()
      throw err
    }
  }

  version(): string {
    return this.#browser.version()
  }

  connect(url: string, count: number, batch: boolean, channels: string[], timeoutMs: number): Promise<PageConnectResult> {
    return this.#page.evaluate(
      ([u, n, b, ch, t]) => (globalThis as unknown as { benchPage: BenchPage }).benchPage.connect(u, n, b, ch, t),
      [url, count, batch, channels, timeoutMs] as const,
    )
  }

  track(tag: string, count: number): Promise<void> {
    return this.#page.evaluate(([t, n]) => (globalThis as unknown as { benchPage: BenchPage }).benchPage.track(t, n), [tag, count] as const)
  }

  waitComplete(timeoutMs: number): Promise<boolean> {
    return this.#page.evaluate((t) => (globalThis as unknown as { benchPage: BenchPage }).benchPage.waitComplete(t), timeoutMs)
  }

  counts(): Promise<PageCounts> {
    return this.#page.evaluate(() => (globalThis as unknown as { benchPage: BenchPage }).benchPage.counts())
  }

  disconnect(): Promise<void> {
    return this.#page.evaluate(() => (globalThis as unknown as { benchPage: BenchPage }).benchPage.disconnect())
  }

  /** Every Chromium process's CPU so far, by role. */
  cpu(): RoleCpu {
    return chromiumCpu()
  }

  async rendererTime(): Promise<RendererTime> {
    const { metrics } = (await this.#cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }
    const get = (name: string) => (metrics.find((m) => m.name === name)?.value ?? Number.NaN) * 1e6
    return { taskUs: get('TaskDuration'), scriptUs: get('ScriptDuration') }
  }

  async close(): Promise<void> {
    await this.#browser.close()
  }
}
