// The esbuild ESM bundle in a real Chromium (native WebSocket, fetch streaming for SSE) against
// the fake fan-out. Skipped when /usr/bin/chromium is missing (`npm test` installs it).
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'
import { articleEvent } from './fakes.ts'
import { FakeNewsServer } from './fake-server.ts'

const executablePath = '/usr/bin/chromium'
const skip = existsSync(executablePath) ? false : `no Chromium at ${executablePath}`

const page = (transport: string) => `<!doctype html><script type="module">
import { connect } from '/client.js'
const client = connect('/', { channels: ['breaking'], transport: '${transport}', backoff: { minMs: 10, maxMs: 50 } })
window.seen = { events: [], states: [], transports: [] }
client.on('event', (m) => window.seen.events.push(m.event.eventId))
client.on('state', (s) => { window.seen.states.push(s.state); window.seen.transports.push(s.transport) })
window.client = client
</script>`

describe('in Chromium', { skip }, () => {
  for (const transport of ['websocket', 'sse']) {
    test(`${transport}: events, a drop, resume without duplicates`, async (t) => {
      const server = await FakeNewsServer.start(t)
      const bundle = await build({
        entryPoints: [join(import.meta.dirname, '..', 'src', 'index.ts')],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        write: false,
      })
      server.files.set('/client.js', { type: 'text/javascript', body: bundle.outputFiles[0]?.text ?? '' })
      server.files.set('/', { type: 'text/html', body: page(transport) })
      server.publish('breaking', articleEvent('a', 1))

      const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
      t.after(() => browser.close())
      const tab = await browser.newPage()
      const pageErrors: string[] = []
      tab.on('pageerror', (err) => pageErrors.push(err.message))
      await tab.goto(`${server.url}/`)
      const count = () => tab.evaluate(() => (globalThis as unknown as { seen: { events: string[] } }).seen.events.length)
      const waitCount = (n: number) =>
        tab.waitForFunction((n) => (globalThis as unknown as { seen: { events: string[] } }).seen.events.length >= n, n)

      await waitCount(1)
      server.publish('breaking', articleEvent('b', 1))
      await waitCount(2)
      server.overlap = 1
      server.dropAll()
      server.publish('breaking', articleEvent('c', 1))
      await waitCount(3)
      server.publish('breaking', articleEvent('a', 2))
      await waitCount(4)
      const seen = await tab.evaluate(
        () => (globalThis as unknown as { seen: { events: string[]; states: string[]; transports: string[] } }).seen,
      )
      assert.deepEqual(seen.events, ['a-v1', 'b-v1', 'c-v1', 'a-v2'])
      assert.equal(await count(), 4)
      assert.deepEqual(seen.states, ['connected', 'reconnecting', 'connected'])
      assert.equal(seen.transports[0], transport)
      assert.equal(server.subscribes[1]?.since, 'pos:2')
      await tab.evaluate(() => (globalThis as unknown as { client: { close(): Promise<void> } }).client.close())
      assert.deepEqual(pageErrors, [])
    })
  }
})
