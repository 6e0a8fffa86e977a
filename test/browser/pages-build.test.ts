// The production path of the page scripts: bundles written ahead of time (what the Dockerfile's
// build stage does with build/web.ts) and served without web/ sources or esbuild at hand.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { writeWebAssets } from '../../services/fanout/build/bundle.ts'
import { createPages } from '../../services/fanout/src/pages.ts'
import { testLogger } from '../helpers.ts'
import { serve } from './helpers.ts'

test('pre-built bundles are served when the sources are absent', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'newswire-web-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const files = await writeWebAssets(undefined, join(dir, 'web'))
  assert.deepEqual(files.map((f) => f.slice(dir.length)).sort(), [
    '/web/dashboard.css',
    '/web/dashboard.html',
    '/web/dashboard.js',
    '/web/story-page.css',
    '/web/story.html',
    '/web/story.js',
    '/web/ticker-page.css',
    '/web/ticker.html',
    '/web/ticker.js',
  ])

  const pages = createPages({ log: testLogger('pages'), sourceDir: join(dir, 'no-sources'), outDir: join(dir, 'web') })
  await pages.ready()
  const port = await serve(t, (req, res) => {
    if (!pages.handle(req, res)) {
      res.writeHead(404)
      res.end()
    }
  })
  const base = `http://127.0.0.1:${port}`
  const res = await fetch(`${base}/ticker.js`)
  assert.equal(res.status, 200)
  assert.equal(await res.text(), readFileSync(join(dir, 'web', 'ticker.js'), 'utf8'))
  // The pages come from the built copies too
  const dashboard = await fetch(`${base}/dashboard`)
  assert.equal(dashboard.status, 200)
  assert.match(await dashboard.text(), /<link rel="stylesheet" href="\/dashboard.css">/)
  assert.equal(await (await fetch(`${base}/dashboard.css`)).text(), readFileSync(join(dir, 'web', 'dashboard.css'), 'utf8'))
  assert.match(await (await fetch(`${base}/ticker`)).text(), /ticker\.js&quot; async&gt;/)
  assert.equal((await fetch(`${base}/v1/sse`)).status, 404, 'other routes are left to the server')

  // Neither sources nor bundles: the script routes say so instead of hanging
  const broken = createPages({ log: testLogger('pages'), sourceDir: join(dir, 'none'), outDir: join(dir, 'none') })
  await assert.rejects(broken.ready())
})
