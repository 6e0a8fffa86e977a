// Bundles the page scripts (services/fanout/web/*.ts) with esbuild. Build tooling, not part of
// the compiled service: the fan-out loads it in development only (see src/pages.ts).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultWebOutDir, defaultWebSourceDir, type WebEntry, webEntries } from '../src/pages.ts'

/** Bundles web/<entry>.ts for browsers: classic scripts (the embed is loaded with a plain <script async>), no framework. */
export async function buildWebAssets(sourceDir: string = defaultWebSourceDir): Promise<Map<WebEntry, string>> {
  const esbuild = await import('esbuild')
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(webEntries.map((e) => [e, join(sourceDir, `${e}.ts`)])),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    // workspace packages point their `development` condition at src/: no client build needed first
    conditions: ['development'],
    minify: true,
    charset: 'utf8',
    legalComments: 'none',
    outdir: '/out',
    write: false,
    logLevel: 'silent',
  })
  const out = new Map<WebEntry, string>()
  for (const f of result.outputFiles) {
    const name = webEntries.find((e) => f.path.endsWith(`/${e}.js`))
    if (name) out.set(name, f.text)
  }
  for (const e of webEntries) if (!out.has(e)) throw new Error(`esbuild produced no ${e}.js`)
  return out
}

/** Writes the bundles to `outDir` (the Dockerfile's build stage runs this through build/web.ts). */
export async function writeWebAssets(sourceDir: string = defaultWebSourceDir, outDir: string = defaultWebOutDir): Promise<string[]> {
  const built = await buildWebAssets(sourceDir)
  mkdirSync(outDir, { recursive: true })
  const files: string[] = []
  for (const [name, text] of built) {
    const file = join(outDir, `${name}.js`)
    writeFileSync(file, text)
    files.push(file)
  }
  return files
}
