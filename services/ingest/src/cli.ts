#!/usr/bin/env node
// newswire import [--url http://127.0.0.1:8081] [--key KEY] [--concurrency 4] FILES_OR_DIRS...
// Sends scraped pages (text files) to POST /v1/import/scraped with a progress bar and a summary.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { DEV_INGEST_KEY } from '@newswire/shared'
import { importIdOf } from './import-id.ts'

const usage = `usage: newswire import [--url URL] [--key KEY] [--concurrency N] [--urgency N] FILES_OR_DIRS...
  --url          ingest base URL (default $INGEST_URL or http://127.0.0.1:8081)
  --key          API key with the import scope (default $NEWSWIRE_API_KEY or ${DEV_INGEST_KEY})
  --concurrency  requests in flight, 1-64 (default 4)
  --urgency      urgency 1-9 for every imported article (default: the service's 5)
Each file's name (without .txt) becomes the article id, so re-importing a file updates it.`

/** Requests in flight at most. */
const MAX_CONCURRENCY = 64

export interface ImportResult {
  file: string
  status: number
  outcome: string
}

function collect(paths: string[]): string[] {
  const files: string[] = []
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const full = join(p, name)
        if (statSync(full).isFile() && ['.txt', '.text', ''].includes(extname(name))) files.push(full)
      }
    } else files.push(p)
  }
  return files
}

function idOf(file: string): string {
  return importIdOf(basename(file, extname(file)))
}

interface Answer {
  type?: unknown
  unchanged?: unknown
  code?: unknown
  detail?: unknown
  line?: unknown
}

/** `created`, `updated`, `unchanged`, or for a refusal the problem's code and detail (what to fix). */
export function outcomeOf(status: number, body: unknown): string {
  const a: Answer = typeof body === 'object' && body !== null ? body : {}
  if (status >= 200 && status < 300) {
    if (a.unchanged === true) return 'unchanged'
    return typeof a.type === 'string' ? a.type.toLowerCase() : 'accepted'
  }
  // A refusal is an RFC 9457 problem: its `type` is a URL, the code and detail say what went wrong
  const code = typeof a.code === 'string' ? a.code : `HTTP ${status}`
  const line = typeof a.line === 'number' ? ` (line ${a.line})` : ''
  return typeof a.detail === 'string' ? `${code}: ${a.detail}${line}` : code
}

export async function importFiles(
  files: string[],
  options: { url: string; key: string; concurrency: number; urgency?: string; onDone?: (r: ImportResult) => void },
): Promise<ImportResult[]> {
  const results: ImportResult[] = new Array(files.length)
  let next = 0
  const worker = async () => {
    for (;;) {
      const i = next++
      const file = files[i]
      if (file === undefined) return
      let r: ImportResult
      try {
        const q = new URLSearchParams({ id: idOf(file) })
        // as written: the service reads it as a JSON number, exactly, or refuses it
        if (options.urgency !== undefined) q.set('urgency', options.urgency)
        const res = await fetch(`${options.url}/v1/import/scraped?${q}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.key}`, 'content-type': 'text/plain; charset=utf-8' },
          body: readFileSync(file),
        })
        r = { file, status: res.status, outcome: outcomeOf(res.status, await res.json().catch(() => null)) }
      } catch (err) {
        r = { file, status: 0, outcome: `network error: ${err instanceof Error ? err.message : String(err)}` }
      }
      results[i] = r
      options.onDone?.(r)
    }
  }
  await Promise.all(Array.from({ length: Math.min(files.length, Math.max(1, options.concurrency)) }, worker))
  return results
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string', default: process.env.INGEST_URL ?? 'http://127.0.0.1:8081' },
      key: { type: 'string', default: process.env.NEWSWIRE_API_KEY ?? DEV_INGEST_KEY },
      concurrency: { type: 'string', default: '4' },
      urgency: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const [command, ...paths] = positionals
  if (values.help || command !== 'import' || paths.length === 0) {
    console.error(usage)
    return values.help ? 0 : 2
  }
  // Number() took `abc` (no worker: the summary crashed on files never sent) and `1e8` (workers
  // until V8 ran out of memory)
  if (!/^[1-9]\d?$/.test(values.concurrency) || Number(values.concurrency) > MAX_CONCURRENCY) {
    console.error(
      `newswire import: --concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got '${values.concurrency}'\n${usage}`,
    )
    return 2
  }
  const files = collect(paths)
  if (files.length === 0) {
    console.error('newswire import: no files found')
    return 2
  }
  const bar = new cliProgress.SingleBar(
    { format: 'importing [{bar}] {value}/{total} {file}', hideCursor: true, noTTYOutput: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  )
  bar.start(files.length, 0, { file: '' })
  const results = await importFiles(files, {
    url: values.url.replace(/\/$/, ''),
    key: values.key,
    concurrency: Number(values.concurrency),
    urgency: values.urgency,
    onDone: (r) => bar.increment(1, { file: basename(r.file) }),
  })
  bar.stop()
  const counts = new Map<string, number>()
  for (const r of results) {
    const key = r.status >= 200 && r.status < 300 ? r.outcome : 'failed'
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  for (const r of results) if (!(r.status >= 200 && r.status < 300)) console.error(`  ${r.file}: ${r.status} ${r.outcome}`)
  console.log(
    `imported ${files.length} file(s): ${['created', 'updated', 'unchanged', 'failed'].map((k) => `${counts.get(k) ?? 0} ${k}`).join(', ')}`,
  )
  return (counts.get('failed') ?? 0) > 0 ? 1 : 0
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli.ts') || process.argv[1]?.endsWith('/cli.js')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err)
      process.exit(1)
    },
  )
}
