// Bundles the page scripts (services/fanout/web/*.ts) with esbuild. Build tooling, not part of
// the compiled service: the fan-out loads it in development only (see src/pages.ts).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Plugin } from 'esbuild'
import { defaultWebOutDir, defaultWebSourceDir, pageFiles, type WebEntry, webEntries } from '../src/pages.ts'

/**
 * Browsers the scripts must run in (2021 on). Each has class private fields and optional chaining,
 * so esbuild leaves both as they are: lowering private fields to WeakMaps costs ~3 KB in every
 * embed, and esbuild lowers `?.` for Chrome 90 (a V8 bug there).
 */
export const browserTargets = ['chrome91', 'edge91', 'firefox90', 'safari15']

export async function buildWebAssets(sourceDir: string = defaultWebSourceDir): Promise<Map<WebEntry, string>> {
  const esbuild = await import('esbuild')
  // `import css from './x.css'` in a page script: the minified stylesheet as a string (shadow roots)
  const cssAsText: Plugin = {
    name: 'css-as-text',
    setup(build) {
      build.onLoad({ filter: /\.css$/ }, async (args) => {
        const css = await esbuild.transform(await readFile(args.path, 'utf8'), { loader: 'css', minify: true, target: browserTargets })
        return { contents: css.code.trim(), loader: 'text' }
      })
    },
  }
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(webEntries.map((e) => [e, join(sourceDir, `${e}.ts`)])),
    bundle: true,
    // classic scripts: the embed is loaded with a plain <script async>
    format: 'iife',
    platform: 'browser',
    target: browserTargets,
    // workspace packages point their `development` condition at src/: no client build needed first
    conditions: ['development'],
    minify: true,
    charset: 'utf8',
    legalComments: 'none',
    plugins: [cssAsText],
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

/** Writes the bundles and the pages' HTML and CSS to `outDir` (the Dockerfile's build stage runs this through build/web.ts). */
export async function writeWebAssets(sourceDir: string = defaultWebSourceDir, outDir: string = defaultWebOutDir): Promise<string[]> {
  const built = await buildWebAssets(sourceDir)
  mkdirSync(outDir, { recursive: true })
  const files: string[] = []
  for (const [name, text] of built) {
    const file = join(outDir, `${name}.js`)
    writeFileSync(file, text)
    files.push(file)
  }
  for (const name of pageFiles) {
    copyFileSync(join(sourceDir, name), join(outDir, name))
    files.push(join(outDir, name))
  }
  return files
}
