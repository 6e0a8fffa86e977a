// Debian's Chromium started directly, headless, driven over a bare DevTools connection to its one
// page that uses Runtime.evaluate and the Performance domain only. Why not playwright-core here:
// Playwright enables the Network domain on every page it drives, and Chromium then copies every
// WebSocket frame's payload into a DevTools event (Network.webSocketFrameReceived) for the driver,
// work per frame that no reader's browser does. browser-batch runs both (--driver) to show it.
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { WebSocket } from 'ws'
import { track } from './children.ts'

/** Playwright's own headless defaults (chromiumSwitches), those that matter on Linux. */
const switches = [
  '--headless',
  '--no-sandbox',
  '--disable-field-trial-config',
  '--disable-background-networking',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  '--disable-breakpad',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-dev-shm-usage',
  '--disable-extensions',
  '--disable-hang-monitor',
  '--disable-sync',
  '--metrics-recording-only',
  '--no-default-browser-check',
  '--no-first-run',
  '--password-store=basic',
]

interface Pending {
  resolve: (v: unknown) => void
  reject: (e: Error) => void
}

export class CdpChromium {
  readonly version: string
  readonly #proc: ChildProcess
  readonly #ws: WebSocket
  readonly #dir: string
  readonly #pending = new Map<number, Pending>()
  #next = 1

  private constructor(proc: ChildProcess, ws: WebSocket, dir: string, version: string) {
    this.#proc = proc
    this.#ws = ws
    this.#dir = dir
    this.version = version
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } }
      if (m.id === undefined) return
      const p = this.#pending.get(m.id)
      this.#pending.delete(m.id)
      if (m.error) p?.reject(new Error(`cdp: ${m.error.message}`))
      else p?.resolve(m.result)
    })
    ws.on('close', () => {
      for (const p of this.#pending.values()) p.reject(new Error('cdp: connection closed'))
      this.#pending.clear()
    })
  }

  static async launch(executablePath: string, timeoutMs = 30_000): Promise<CdpChromium> {
    const dir = mkdtempSync(join(os.tmpdir(), 'bench-chromium-'))
    const proc = track(
      spawn(executablePath, [...switches, `--user-data-dir=${dir}`, '--remote-debugging-port=0', 'about:blank'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    )
    try {
      const endpoint = await devtoolsEndpoint(proc, timeoutMs)
      const http = `http://${new URL(endpoint).host}`
      const version = ((await (await fetch(`${http}/json/version`)).json()) as { Browser: string }).Browser
      const targets = (await (await fetch(`${http}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[]
      const page = targets.find((t) => t.type === 'page')
      if (!page) throw new Error('bench: Chromium has no page target')
      const ws = new WebSocket(page.webSocketDebuggerUrl, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 })
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve())
        ws.once('error', reject)
      })
      return new CdpChromium(proc, ws, dir, version)
    } catch (err) {
      proc.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
      throw err
    }
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.#ws.send(JSON.stringify({ id, method, params }))
    })
  }

  /** The value of `expression` in the page (a promise is awaited), as JSON. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value?: T }; exceptionDetails?: { exception?: { description?: string }; text: string } }>(
      'Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true },
    )
    if (r.exceptionDetails) throw new Error(`page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`)
    return r.result.value as T
  }

  async close(): Promise<void> {
    this.#ws.close()
    if (this.#proc.exitCode === null && this.#proc.signalCode === null) {
      const exited = new Promise<void>((r) => this.#proc.once('exit', () => r()))
      this.#proc.kill('SIGTERM')
      const timer = setTimeout(() => this.#proc.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    // the renderer and utilities may still be writing to the profile as they exit
    rmSync(this.#dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
  }
}

/** Chromium says where DevTools listens on stderr: "DevTools listening on ws://127.0.0.1:<port>/devtools/browser/<id>". */
function devtoolsEndpoint(proc: ChildProcess, timeoutMs: number): Promise<string> {
  const err = proc.stderr
  if (!err) throw new Error('bench: Chromium has no stderr')
  const tail: string[] = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bench: Chromium did not start within ${timeoutMs} ms:\n${tail.join('\n')}`)),
      timeoutMs,
    )
    createInterface({ input: err }).on('line', (line) => {
      tail.push(line)
      if (tail.length > 20) tail.shift()
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(line)
      if (m?.[1]) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`bench: Chromium exited with code ${code} before DevTools listened:\n${tail.join('\n')}`))
    })
  })
}
