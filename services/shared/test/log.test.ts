import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'

const logModule = fileURLToPath(new URL('../src/log.ts', import.meta.url))

/** Runs `body` in a fresh Node process (tsx, as the services run) and returns its stdout lines as JSON. */
function run(body: string): { status: number | null; lines: Record<string, unknown>[] } {
  const script = `import { createLogger } from ${JSON.stringify(logModule)}\n${body}`
  const r = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  })
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  return { status: r.status, lines }
}

// The logger writes asynchronously: what a service logs just before process.exit (a fatal
// start-up error, the end of a shutdown) must still reach stdout, whole and in order.
test('lines logged right before process.exit reach stdout, in order', () => {
  const { status, lines } = run(`
    const log = createLogger('ingest', 'info')
    for (let i = 0; i < 2000; i++) log.info({ i }, 'request')
    log.fatal({ code: 'NEWSWIRE_ERR_CONFIG' }, 'cannot start')
    process.exit(3)
  `)
  assert.equal(status, 3)
  assert.equal(lines.length, 2001)
  assert.deepEqual(
    lines.slice(0, 2000).map((l) => l.i),
    Array.from({ length: 2000 }, (_, i) => i),
  )
  assert.deepEqual(
    { level: lines[2000]?.level, msg: lines[2000]?.msg, service: lines[2000]?.service },
    { level: 'fatal', msg: 'cannot start', service: 'ingest' },
  )
})

test('one info line logged right before process.exit reaches stdout (pino flushes fatal lines itself)', () => {
  const { status, lines } = run(`
    createLogger('ingest', 'info').info('shutdown complete')
    process.exit(0)
  `)
  assert.equal(status, 0)
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['shutdown complete'],
  )
})

test('lines logged before an uncaught exception reach stdout', () => {
  const { status, lines } = run(`
    const log = createLogger('fanout', 'info')
    log.info('before the crash')
    setImmediate(() => { throw new Error('boom') })
  `)
  assert.notEqual(status, 0)
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['before the crash'],
  )
})
