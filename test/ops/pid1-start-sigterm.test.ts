// Each service as a container's PID 1 (the base runs node without an init): the kernel delivers a
// signal to a PID namespace's first process only if it has a handler for it. A service that set
// its SIGTERM handler only once started ignored a SIGTERM while it was still starting (connecting
// to Kafka, catching up), so a rollout or scale-in waited for the grace period's SIGKILL. Here each
// service runs as PID 1 of a namespace of its own (unshare), its Kafka unreachable so it stays in
// its start; a SIGTERM then stops it at once, with 0 (it has taken and served nothing yet).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { repoRoot } from './helpers.ts'

/** A loopback port nothing listens on: Kafka there refuses every connection. */
async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as { port: number }
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** The process `unshare --fork` started: the namespace's PID 1, by its pid out here. */
function childOf(pid: number): number | null {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
    return kids === '' ? null : Number(kids.split(' ')[0])
  } catch {
    return null
  }
}

for (const service of ['ingest', 'fanout'] as const) {
  test(`${service} as PID 1 stops at once on a SIGTERM during its start`, { timeout: 60_000 }, async () => {
    const env = {
      ...process.env,
      NODE_ENV: 'development',
      KAFKA_BROKERS: `127.0.0.1:${await closedPort()}`,
      INGEST_PORT: '0',
      FANOUT_PORT: '0',
      LOG_LEVEL: 'info',
    }
    const child = spawn(
      'unshare',
      [
        '--user',
        '--map-root-user',
        '--pid',
        '--fork',
        '--kill-child',
        process.execPath,
        '--conditions=development',
        '--import',
        'tsx',
        `services/${service}/src/main.ts`,
      ],
      { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    child.stdout.on('data', (b: Buffer) => (out += b.toString()))
    child.stderr.on('data', (b: Buffer) => (out += b.toString()))
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
    // starting: it has tried Kafka (and will keep trying for seconds)
    const t0 = Date.now()
    while (!/ECONNREFUSED/.test(out) && Date.now() - t0 < 20_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 50))
    assert.match(out, /ECONNREFUSED/, 'the service was trying Kafka')
    const pid1 = childOf(child.pid as number)
    assert.ok(pid1 !== null, 'the service runs under unshare')
    const sent = Date.now()
    process.kill(pid1, 'SIGTERM')
    const stopped = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 3000))])
    if (stopped === 'still running') child.kill('SIGKILL')
    assert.deepEqual(stopped, [0, null], `${service} ignored the SIGTERM while starting (PID 1 without a handler)`)
    assert.ok(Date.now() - sent < 3000)
    assert.match(out, /"msg":"shutdown complete"/)
  })
}
