// src must bundle for browsers as ESM with no Node built-ins and no `ws` (Node users inject it).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { build } from 'esbuild'

const src = join(import.meta.dirname, '..', 'src')

test('every import in src is relative and ends in .ts', () => {
  for (const file of readdirSync(src).filter((f) => f.endsWith('.ts'))) {
    // Comments may show usage (`import … from '@newswire/client'`); only code counts
    const text = readFileSync(join(src, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '')
    for (const [, spec] of text.matchAll(/(?:from|import)\s+'([^']+)'/g)) {
      assert.match(spec ?? '', /^\.\/[\w-]+\.ts$/, `${file} imports ${spec}`)
    }
    assert.doesNotMatch(text, /\b(?:process|Buffer|require)\s*[.(]/, `${file} uses a Node global`)
  }
})

test('esbuild bundles src/index.ts for the browser as ESM', async () => {
  const result = await build({
    entryPoints: [join(src, 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // the bundle's file comments name paths from here: the same size from any working directory
    // (from the repository root they were 16 bytes longer a module)
    absWorkingDir: join(src, '..'),
    write: false,
    logLevel: 'silent',
  })
  assert.deepEqual(result.errors, [])
  assert.deepEqual(result.warnings, [])
  const code = result.outputFiles[0]?.text ?? ''
  assert.match(code, /export\s*\{[^}]*\bconnect\b/)
  assert.doesNotMatch(code, /\brequire\(|from\s*["'](?:node:|ws["'])/)
  // Unminified, every export (live-story followers included): a bound that catches a dependency pulled in by mistake
  // (80,000 until the `online` handling of the red8 attack run, 2026-12-04: 80,216 bytes; 82,000 until
  // pages carried the stream's position and asked again on 503, red9: 82,039 bytes; 84,000 until
  // pages waited for the stream's first position, red14: 84,628 bytes; 85,000 until every ping had
  // a check of its own, red16: 85,176 bytes; 86,000 until the red18 attack run's fixes to live
  // stories and the duplicate filter: 86,263 bytes; 87,000 until the red20 attack run's SSE stream
  // held back by a proxy: 87,831 bytes; 88,000 until a newsroom token left the stream's URL, a
  // subprotocol on the WebSocket and Authorization on SSE: 88,300 bytes; 89,000 until the
  // subscription went in the stream's URL, with its fallback for older servers: 89,035 bytes)
  assert.ok(code.length < 90_000, `bundle is ${code.length} bytes`)
})
