// FANOUT_WORKERS (src/cluster.ts): several fan-outs behind one port, each reading every
// partition. Every worker serves the stream; a position one worker signed resumes on any other;
// SIGTERM stops the workers, then the primary, cleanly. The workers share the port as
// workers.ts portSharing decides for this Node: each binds it (SO_REUSEPORT) or the primary does.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { listeningInodes } from '../../../deploy/local/port-owner.ts'
import { freePort } from '../../../test/ports.ts'
import { portSharing, workerCount } from '../src/workers.ts'
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

interface Cluster {
  child: ChildProcessByStdio<null, Readable, Readable>
  exited: Promise<[number | null, string | null]>
  url: string
  wsUrl: string
  workers: number
  /** Everything it printed so far. */
  out: () => string
}

/** cluster.ts as `npm start` runs it: two workers unless `env` says otherwise; killed after the test. */
function spawnCluster(t: TestContext, env: Record<string, string>): ChildProcessByStdio<null, Readable, Readable> {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'services/fanout/src/cluster.ts'], {
    cwd: root,
    env: { ...process.env, FANOUT_HOST: '127.0.0.1', FANOUT_WORKERS: '2', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.after(() => child.kill('SIGKILL'))
  return child
}

/** spawnCluster, once the primary says every worker is ready. */
async function startCluster(t: TestContext, env: Record<string, string>): Promise<Cluster> {
  const child = spawnCluster(t, env)
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  let out = ''
  child.stderr.on('data', (b: Buffer) => {
    out += b.toString()
  })
  const { url, workers } = await new Promise<{ url: string; workers: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready:\n${out.slice(-3000)}`)), 60_000)
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
      const line = out.split('\n').find((l) => l.includes('"fanout cluster ready"'))
      if (line) {
        clearTimeout(timer)
        resolve(JSON.parse(line) as { url: string; workers: number })
      }
    })
  })
  // each worker read the log and said so (its own log line may reach the pipe after the primary's)
  const readyLines = () => out.split('\n').filter((l) => l.includes('"fanout ready"')).length
  for (let i = 0; i < 100 && readyLines() < 2; i++) await new Promise((r) => setTimeout(r, 50))
  assert.equal(readyLines(), workers)
  return { child, exited, url, wsUrl: `${url.replace(/^http/, 'ws')}/v1/stream`, workers, out: () => out }
}

test('two workers behind one port: both serve, a position resumes on either, SIGTERM stops all cleanly', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const { child, exited, wsUrl, workers, out } = await startCluster(t, fanoutEnv(prefix))
  assert.equal(workers, 2)

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
  assert.equal(code, 0, out().slice(-2000))
  for (const r of resumed) assert.equal((await r.c.closed).code, 1012, 'clients are told the service restarts')
})

/** How many established connections to `port` each of the processes `pids` holds. */
function acceptedBy(pids: number[], port: number): number[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const accepted = new Set<string>()
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f[1]?.endsWith(`:${hexPort}`) && f[3] === '01') accepted.add(`socket:[${f[9]}]`)
  }
  return pids.map((pid) => {
    let n = 0
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (accepted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) n++
      } catch {
        // closed while we looked
      }
    }
    return n
  })
}

test('two workers on a set port: the socket(s) as portSharing says, both take connections, a second service on the port stops', async (t) => {
  const prefix = uniquePrefix()
  const port = await freePort()
  const sharing = portSharing(2, port, process.platform, process.version)
  const env = { ...fanoutEnv(prefix), FANOUT_PORT: String(port) }
  const { child, exited, wsUrl, out } = await startCluster(t, env)
  assert.match(out(), new RegExp(`"sharing":"${sharing}"`))
  // own: one listening socket per worker, none in the primary; primary: the primary's alone
  assert.equal(listeningInodes(readFileSync('/proc/net/tcp', 'utf8'), port).length, sharing === 'own' ? 2 : 1)

  const conns = await Promise.all(
    Array.from({ length: 16 }, async () => {
      const c = await connect(t, wsUrl)
      c.send({ type: 'subscribe', id: 'b', channels: ['breaking'] })
      await c.next((m) => m.type === 'subscribed')
      return c
    }),
  )
  const workerPids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number)
  assert.equal(workerPids.length, 2)
  // spread by address hash when each worker has its own socket: all 16 on one worker is 1 in 32,768
  const counts = acceptedBy(workerPids, port)
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    16,
  )
  for (const n of counts) assert.ok(n > 0, `a worker took no connection: ${counts}`)

  if (sharing === 'own') {
    // SO_REUSEPORT would let a second service share the port and take half the connections
    const second = spawnCluster(t, env)
    let secondOut = ''
    second.stdout.on('data', (b: Buffer) => {
      secondOut += b.toString()
    })
    // a second service that starts would never exit: the wait ends in an AbortError
    const [code] = (await once(second, 'exit', { signal: AbortSignal.timeout(30_000) })) as [number | null]
    assert.equal(code, 1)
    assert.match(secondOut, /the fan-out port is in use/)
    assert.equal(listeningInodes(readFileSync('/proc/net/tcp', 'utf8'), port).length, 2)
  }

  child.kill('SIGTERM')
  const [code] = await exited
  assert.equal(code, 0, out().slice(-2000))
  for (const c of conns) assert.equal((await c.closed).code, 1012)
})
