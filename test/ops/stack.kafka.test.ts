// `npm start` as a person runs it (deploy/local/stack.ts), on the Node running this test, which
// is production's Node in .ci/run's second leg: the stack starts against the test broker and
// prints only its banner (the services' logs go to files under the cache directory); an article
// POSTed to ingest reaches a WebSocket client of the fan-out; a second `npm start` on the same
// ports refuses at once and says where the first one runs; SIGTERM stops both services cleanly.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { repoRoot } from '../../deploy/local/paths.ts'
import { brokers, http, literal, uniquePrefix } from '../helpers.ts'
import { freePort } from './helpers.ts'

/** A child's stdout and stderr as they arrive, with waits on what they print. */
interface Watched {
  child: ChildProcess
  out: () => string
  err: () => string
  printed: (re: RegExp, timeoutMs: number) => Promise<void>
  exited: Promise<number | null>
}

function startStack(env: Record<string, string>): Watched {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'deploy/local/stack.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const waiters = new Set<() => void>()
  const onData = () => {
    for (const w of waiters) w()
  }
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c
    onData()
  })
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err += c
    onData()
  })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const printed = (re: RegExp, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!re.test(out)) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`stack did not print ${re} within ${timeoutMs} ms:\n${out}\n${err}`))
      }, timeoutMs)
      waiters.add(check)
      void exited.then(() => {
        if (!waiters.has(check)) return
        waiters.delete(check)
        clearTimeout(timer)
        reject(new Error(`stack exited before printing ${re}:\n${out}\n${err}`))
      })
      check()
    })
  return { child, out: () => out, err: () => err, printed, exited }
}

function nextMessage(ws: WebSocket, match: (m: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const m = JSON.parse(data.toString()) as Record<string, unknown>
      if (!match(m)) return
      ws.off('message', onMessage)
      clearTimeout(timer)
      resolve(m)
    }
    const timer = setTimeout(() => {
      ws.off('message', onMessage)
      reject(new Error(`no matching WebSocket message within ${timeoutMs} ms`))
    }, timeoutMs)
    ws.on('message', onMessage)
  })
}

test('npm start: banner only, an article from ingest to a WebSocket client, a second start refused, SIGTERM stops cleanly', async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'newswire-stack-'))
  t.after(() => rmSync(cache, { recursive: true, force: true }))
  const [ingestPort, fanoutPort] = [await freePort(), await freePort()]
  const env = {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: uniquePrefix(),
    KAFKA_PARTITIONS: '3',
    INGEST_PORT: String(ingestPort),
    FANOUT_PORT: String(fanoutPort),
    NEWSWIRE_CACHE_DIR: cache,
    LOG_LEVEL: 'info',
  }
  const stack = startStack(env)
  t.after(() => {
    if (stack.child.exitCode === null) stack.child.kill('SIGKILL')
  })
  await stack.printed(/Newswire is running[\s\S]*Demo articles +[1-9]\d* loaded[\s\S]*"urgency":1\}'\n/, 120_000)

  await t.test('it prints the banner and nothing else; the services log to files under the cache', () => {
    assert.equal(stack.err(), '')
    assert.doesNotMatch(stack.out(), /"level"|kafkajs|KafkaJS/)
    assert.match(
      stack.out(),
      new RegExp(`Logs +${literal(join(cache, 'logs', 'ingest.log'))} +${literal(join(cache, 'logs', 'fanout.log'))}`),
    )
    assert.match(readFileSync(join(cache, 'logs', 'ingest.log'), 'utf8'), /"msg":"ingest listening"/)
    assert.match(readFileSync(join(cache, 'logs', 'fanout.log'), 'utf8'), /"msg":"fanout ready"/)
  })

  await t.test('the services run on the Node running this test', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${ingestPort}/metrics`)).text()
    assert.match(metrics, new RegExp(`nodejs_version_info\\{version="${literal(process.version)}"`))
  })

  await t.test('an article POSTed to ingest reaches a WebSocket client of the fan-out', async (t) => {
    const ws = new WebSocket(`ws://127.0.0.1:${fanoutPort}/v1/stream`)
    t.after(() => ws.close())
    await once(ws, 'open')
    const subscribed = nextMessage(ws, (m) => m.type === 'subscribed', 10_000)
    ws.send(JSON.stringify({ type: 'subscribe', id: 's1', channels: ['breaking'] }))
    await subscribed
    const id = `stack-smoke-${Date.now()}`
    const delivered = nextMessage(ws, (m) => m.type === 'event' && (m.event as { article?: { id?: string } }).article?.id === id, 20_000)
    const res = await http(`http://127.0.0.1:${ingestPort}/v1/articles`, {
      method: 'POST',
      json: { id, language: 'bn', headline: 'ঢাকায় ধোঁয়া পরীক্ষা', body: ['এক অনুচ্ছেদ।'], category: 'national', urgency: 1 },
    })
    assert.equal(res.status, 201, res.text)
    const m = await delivered
    assert.equal((m.event as { type: string }).type, 'CREATED')
  })

  await t.test('a second npm start on the same ports refuses at once and says where the first one runs', async () => {
    const second = startStack(env)
    const code = await second.exited
    assert.equal(code, 1)
    assert.doesNotMatch(second.out(), /Newswire is running/)
    assert.match(second.err(), /a Newswire stack is already running/)
    assert.match(second.err(), new RegExp(`ingest +http://127\\.0\\.0\\.1:${ingestPort} \\(pid \\d+ in ${literal(repoRoot)}\\)`))
    assert.match(second.err(), new RegExp(`fan-out +http://127\\.0\\.0\\.1:${fanoutPort} \\(pid \\d+`))
    assert.match(second.err(), new RegExp(`started by pid ${stack.child.pid}:`))
  })

  await t.test('SIGTERM stops both services cleanly: exit 0, each logged "shutdown complete"', async () => {
    stack.child.kill('SIGTERM')
    assert.equal(await stack.exited, 0, stack.err())
    for (const service of ['ingest', 'fanout']) {
      assert.match(readFileSync(join(cache, 'logs', `${service}.log`), 'utf8'), /"msg":"shutdown complete"/, service)
    }
  })
})
