// `npm start`: the whole stack on its local default. Starts the local broker unless
// KAFKA_BROKERS is set, then ingest and fan-out as child processes, loads demo articles,
// prints the URLs and the development credentials, and on Ctrl-C / SIGTERM stops what it started.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEV_INGEST_KEY, DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { signNewsroomToken } from '@newswire/fanout'
import { repoRoot, start, stop } from './broker.ts'
import { demoArticles } from './demo.ts'

const env = { ...process.env }
const ingestPort = env.INGEST_PORT ?? '8081'
const fanoutPort = env.FANOUT_PORT ?? '8082'
const ingestUrl = `http://127.0.0.1:${ingestPort}`
const fanoutUrl = `http://127.0.0.1:${fanoutPort}`
const children: ChildProcess[] = []
let startedBroker = false
let stopping = false

function service(name: string, main: string): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', main], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`newswire: ${name} exited (${signal ?? code}); stopping the stack`)
      void shutdown(1)
    }
  })
  children.push(child)
  return child
}

async function waitReady(url: string, name: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    try {
      const res = await fetch(`${url}/readyz`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${name} not ready at ${url}/readyz after ${timeoutMs / 1000}s`)
    await sleep(250)
  }
}

async function post(path: string, body: string, contentType: string): Promise<{ status: number; text: string }> {
  const key = env.INGEST_API_KEYS ? undefined : DEV_INGEST_KEY
  const res = await fetch(`${ingestUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body,
  })
  return { status: res.status, text: await res.text() }
}

async function loadDemo(): Promise<number> {
  if (env.INGEST_API_KEYS) return 0 // custom keys: we do not know one to use
  let n = 0
  const dir = join(repoRoot, 'test', 'fixtures', 'articles')
  let files: string[] = []
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.txt'))
  } catch {
    // no shared fixtures next to this checkout: the built-in demo articles still load
  }
  for (const f of files) {
    const r = await post(
      `/v1/import/scraped?id=demo-${f.replace(/\.txt$/, '')}&urgency=2`,
      readFileSync(join(dir, f), 'utf8'),
      'text/plain',
    )
    if (r.status < 300) n++
    else console.error(`newswire: demo import of ${f} failed: ${r.status} ${r.text}`)
  }
  for (const a of demoArticles(Date.now())) {
    const r = await post('/v1/articles', JSON.stringify(a), 'application/json')
    if (r.status < 300) n++
    else console.error(`newswire: demo article ${a.id} failed: ${r.status} ${r.text}`)
  }
  return n
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return
  stopping = true
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM')
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)))
  if (startedBroker) await stop(1)
  process.exit(code)
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0))
  process.on('SIGTERM', () => void shutdown(0))
  if (!env.KAFKA_BROKERS) {
    const r = await start(1)
    startedBroker = r.started
    env.KAFKA_BROKERS = r.brokers.join(',')
  }
  service('ingest', 'services/ingest/src/main.ts')
  service('fanout', 'services/fanout/src/main.ts')
  await Promise.all([waitReady(ingestUrl, 'ingest'), waitReady(fanoutUrl, 'fanout')])
  const loaded = await loadDemo()
  const token = await signNewsroomToken(env.NEWSROOM_JWT_SECRET ?? DEV_NEWSROOM_SECRET, {
    ttlSeconds: 12 * 3600,
    audience: env.NEWSROOM_JWT_AUDIENCE ?? 'newswire',
    scope: 'newsroom',
    sub: 'dev-editor',
  })
  const usingDevKey = !env.INGEST_API_KEYS
  console.log(`
Newswire is running (Ctrl-C stops everything this command started)

  Kafka            ${env.KAFKA_BROKERS}${startedBroker ? ' (local broker started by npm start)' : ''}
  Ingest API       ${ingestUrl}/v1/articles        OpenAPI: ${ingestUrl}/openapi.json
  Stream           ws://127.0.0.1:${fanoutPort}/v1/stream   SSE: ${fanoutUrl}/v1/sse?channels=breaking
  Newsroom         ${fanoutUrl}/dashboard#token=${token}
  Public ticker    ${fanoutUrl}/ticker?category=international&language=bn   (embed: ${fanoutUrl}/ticker.js)
  Metrics          ${ingestUrl}/metrics  ${fanoutUrl}/metrics
  Demo articles    ${loaded} loaded

Development credentials (refused when NODE_ENV=production):
  ingest API key   ${usingDevKey ? DEV_INGEST_KEY : '(INGEST_API_KEYS is set)'}
  newsroom secret  ${env.NEWSROOM_JWT_SECRET ? '(NEWSROOM_JWT_SECRET is set)' : DEV_NEWSROOM_SECRET}
  newsroom token   ${token}

Try:
  curl -s -X POST ${ingestUrl}/v1/articles -H 'authorization: Bearer ${DEV_INGEST_KEY}' \\
    -H 'content-type: application/json' \\
    -d '{"id":"hello-1","language":"en","headline":"Hello, Newswire","body":["First paragraph."],"urgency":1}'
`)
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  await shutdown(1)
})
