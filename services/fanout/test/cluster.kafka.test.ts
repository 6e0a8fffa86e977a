// FANOUT_WORKERS (src/cluster.ts): several fan-outs behind one port, each reading every
// partition. Every worker serves the stream; a position one worker signed resumes on any other;
// SIGTERM stops the workers, then the primary, cleanly.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { workerCount } from '../src/workers.ts'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, connect, eventsOf, fanoutEnv, publish } from './helpers.ts'

const root = fileURLToPath(new URL('../../../', import.meta.url))

test('FANOUT_WORKERS: a count, or auto for one per core', () => {
  assert.equal(workerCount({}, 8), 1)
  assert.equal(workerCount({ FANOUT_WORKERS: '3' }, 8), 3)
  assert.equal(workerCount({ FANOUT_WORKERS: 'auto' }, 8), 8)
  assert.throws(() => workerCount({ FANOUT_WORKERS: '0' }, 8), /FANOUT_WORKERS must be an integer from 1 to 256/)
  assert.throws(() => workerCount({ FANOUT_WORKERS: 'two' }, 8), /FANOUT_WORKERS/)
})

test('two workers behind one port: both serve, a position resumes on either, SIGTERM stops all cleanly', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'services/fanout/src/cluster.ts'], {
    cwd: root,
    env: { ...process.env, ...fanoutEnv(prefix), FANOUT_HOST: '127.0.0.1', FANOUT_WORKERS: '2', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  t.after(() => child.kill('SIGKILL'))
  let out = ''
  const ready = new Promise<{ url: string; workers: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready:\n${out.slice(-3000)}`)), 60_000)
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
      const line = out.split('\n').find((l) => l.includes('"fanout cluster ready"'))
      if (line) {
        clearTimeout(timer)
        resolve(JSON.parse(line) as { url: string; workers: number })
      }
    })
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString()
    })
  })
  const { url, workers } = await ready
  assert.equal(workers, 2)
  // each worker read the log and said so (its own log line may reach the pipe after the primary's)
  const readyLines = () => out.split('\n').filter((l) => l.includes('"fanout ready"')).length
  for (let i = 0; i < 100 && readyLines() < 2; i++) await new Promise((r) => setTimeout(r, 50))
  assert.equal(readyLines(), 2)
  const wsUrl = `${url.replace(/^http/, 'ws')}/v1/stream`

  const first = await connect(t, wsUrl)
  first.send({ type: 'subscribe', id: 'b', channels: ['breaking'] })
  await first.next((m) => m.type === 'subscribed')
  await publish(ingest.url, article('c-1', { urgency: 1 }))
  const got = await first.until((all) => eventsOf(all).length === 1)
  const position = eventsOf(got)[0]?.position as string
  first.ws.close()

  await publish(ingest.url, article('c-2', { urgency: 1 }))
  await publish(ingest.url, article('c-3', { urgency: 1 }))
  // new connections go to the workers in turn: four resumes reach both
  const resumed = await Promise.all(
    [0, 1, 2, 3].map(async () => {
      const c = await connect(t, wsUrl)
      c.send({ type: 'subscribe', id: 'b', channels: ['breaking'], since: position })
      const all = await c.until((m) => eventsOf(m).length >= 2)
      return { c, ids: eventsOf(all).map((m) => m.event.article.id) }
    }),
  )
  for (const r of resumed) {
    assert.deepEqual(r.ids, ['c-2', 'c-3'], 'what was missed, exactly once, from whichever worker took the connection')
    const sub = r.c.messages.find((m) => m.type === 'subscribed')
    assert.equal(sub?.replay, 'memory')
  }

  child.kill('SIGTERM')
  const [code] = await exited
  assert.equal(code, 0, out.slice(-2000))
  for (const r of resumed) assert.equal((await r.c.closed).code, 1012, 'clients are told the service restarts')
})
