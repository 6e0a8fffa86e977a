// Node side of the Chromium reader (browser-batch scenario): Debian's Chromium (never a downloaded
// browser, as test/browser/helpers.ts), one about:blank page with the reader script
// (browser-page.ts, bundled by esbuild with the SDK's batch.ts) injected, its CPU read from /proc
// over every Chromium process (proc-tree.ts) and, for the page's renderer main thread, from the
// DevTools Performance domain. Driven bare over DevTools (cdp-chromium.ts, the default) or by
// playwright-core, whose per-frame WebSocket instrumentation is part of what it measures.
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser, CDPSession, Page } from 'playwright-core'
import type { PageConnectResult, PageCounts } from './browser-page.ts'
import { CdpChromium } from './cdp-chromium.ts'
import type { CdpCommand } from './phone.ts'
import { chromiumCpu, chromiumThreads } from './proc-tree.ts'
import type { RoleCpu, ThreadTime } from './proc-tree.ts'

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

export const drivers = ['cdp', 'playwright'] as const
export type Driver = (typeof drivers)[number]

/** What the reader needs of a driven page: an expression's value, and a DevTools command. */
interface PageDriver {
  version: string
  evaluate<T>(expression: string): Promise<T>
  send<T>(method: string, params?: Record<string, unknown>): Promise<T>
  close(): Promise<void>
}

async function playwrightDriver(script: string): Promise<PageDriver> {
  const browser: Browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
  try {
    const page: Page = await browser.newPage()
    await page.addScriptTag({ content: script })
    const cdp: CDPSession = await page.context().newCDPSession(page)
    // CDPSession.send is typed per method; the reader names its two methods itself
    const send = cdp.send.bind(cdp) as unknown as (method: string, params?: Record<string, unknown>) => Promise<unknown>
    return {
      version: browser.version(),
      evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
      send: <T>(method: string, params?: Record<string, unknown>) => send(method, params) as Promise<T>,
      close: () => browser.close(),
    }
  } catch (err) {
    await browser.close()
    throw err
  }
}

async function cdpDriver(script: string): Promise<PageDriver> {
  const c = await CdpChromium.launch(executablePath)
  try {
    await c.evaluate(script)
    return { version: c.version, evaluate: (e) => c.evaluate(e), send: (m, p) => c.send(m, p), close: () => c.close() }
  } catch (err) {
    await c.close()
    throw err
  }
}

const call = (fn: string, ...args: unknown[]) => `globalThis.benchPage.${fn}(${args.map((a) => JSON.stringify(a)).join(',')})`

export class BrowserReader {
  readonly #d: PageDriver

  private constructor(d: PageDriver) {
    this.#d = d
  }

  static async launch(driver: Driver): Promise<BrowserReader> {
    const script = await bundlePageScript()
    const d = driver === 'playwright' ? await playwrightDriver(script) : await cdpDriver(script)
    await d.send('Performance.enable', { timeDomain: 'threadTicks' })
    return new BrowserReader(d)
  }

  version(): string {
    return this.#d.version
  }

  connect(url: string, count: number, batch: boolean, channels: string[], timeoutMs: number): Promise<PageConnectResult> {
    return this.#d.evaluate(call('connect', url, count, batch, channels, timeoutMs))
  }

  async track(tag: string, count: number): Promise<void> {
    await this.#d.evaluate(call('track', tag, count))
  }

  waitComplete(timeoutMs: number): Promise<boolean> {
    return this.#d.evaluate(call('waitComplete', timeoutMs))
  }

  counts(): Promise<PageCounts> {
    return this.#d.evaluate(call('counts'))
  }

  async disconnect(): Promise<void> {
    await this.#d.evaluate(call('disconnect'))
  }

  /** Every Chromium process's CPU so far, by role. */
  cpu(): RoleCpu {
    return chromiumCpu()
  }

  /** Every Chromium thread's CPU so far, to the nanosecond (proc-tree.ts threadDelta for a phase's). */
  threads(): Map<number, ThreadTime> {
    return chromiumThreads()
  }

  /** DevTools commands for the page, in order (phone.ts: a phone-like reader). */
  async emulate(commands: readonly CdpCommand[]): Promise<void> {
    for (const c of commands) await this.#d.send(c.method, c.params)
  }

  async rendererTime(): Promise<RendererTime> {
    const { metrics } = await this.#d.send<{ metrics: { name: string; value: number }[] }>('Performance.getMetrics')
    const get = (name: string) => (metrics.find((m) => m.name === name)?.value ?? Number.NaN) * 1e6
    return { taskUs: get('TaskDuration'), scriptUs: get('ScriptDuration') }
  }

  close(): Promise<void> {
    return this.#d.close()
  }
}
