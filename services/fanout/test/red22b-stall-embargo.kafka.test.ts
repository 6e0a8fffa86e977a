// red22b attack run (2026-12-07), a stalled fan-out: the real process (main.ts) is stopped with
// SIGSTOP (a long GC pause, a CPU-starved container, a VM paused) shortly before a draft's embargo;
// while it is stopped the desk kills the draft (ingest answers 200: the kill is in the log before
// the embargo), and the embargo passes; the process is continued after it. Its timers all fire at
// once (the release timer, the freshness check's sleep, the heartbeat): a public reader connected
// before the stop, one who subscribes right after it, and the first page must never hold the draft.
// This held: the release clock is the moment of the last freshness check that read the log to its
// end (Store.liveClock), which the stop did not move.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { sleep, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { freePort } from '../../../test/ports.ts'
import { article, connect, fanoutEnv, publish, withdraw } from './helpers.ts'
import type { Msg } from './helpers.ts'

const mentions = (ms: readonly Msg[], id: string) => JSON.stringify(ms).includes(`"${id}"`)

test('a fan-out stopped across an embargo, its draft killed meanwhile, never shows the draft when it runs again', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const port = await freePort()
  const child = spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', join(import.meta.dirname, '..', 'src', 'main.ts')],
    {
      env: { ...process.env, ...fanoutEnv(prefix, { FANOUT_PORT: String(port), LOG_LEVEL: 'warn' }) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  t.after(() => {
    child.kill('SIGCONT')
    child.kill('SIGKILL')
  })
  const url = `http://127.0.0.1:${port}`
  for (const deadline = Date.now() + 60_000; ; ) {
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) break
    assert.ok(Date.now() < deadline, 'ready within 60 s')
    await sleep(200)
  }
  const reader = await connect(t, `ws://127.0.0.1:${port}/v1/stream`)
  reader.send({ type: 'subscribe', id: 's', channels: ['category:national'] })
  await reader.next((m) => m.type === 'subscribed')
  const embargo = Date.now() + 6000
  await publish(ingest.url, article('draft', { urgency: 1, embargoedUntil: new Date(embargo).toISOString() }))
  await publish(ingest.url, article('before', { urgency: 1 }))
  await reader.next((m) => m.type === 'event' && mentions([m], 'before'))
  await sleep(embargo - 3000 - Date.now())
  child.kill('SIGSTOP')
  const stopped = Date.now()
  await sleep(embargo - 2000 - Date.now())
  await withdraw(ingest.url, 'draft', 'legal')
  const killed = Date.now()
  await publish(ingest.url, article('after', { urgency: 1 }))
  await sleep(embargo + 4000 - Date.now())
  child.kill('SIGCONT')
  const continued = Date.now()
  // right after: a new reader, a first page, while the process works through its backlog
  const fresh = await connect(t, `ws://127.0.0.1:${port}/v1/stream`)
  fresh.send({ type: 'subscribe', id: 's', channels: ['category:national'] })
  const subscribed = await fresh.next((m) => m.type === 'subscribed' || m.type === 'error', 20_000)
  const page = await fetch(`${url}/v1/snapshot?channels=category:national`).then(async (r) => ({ status: r.status, body: await r.text() }))
  await reader.next((m) => m.type === 'event' && mentions([m], 'after'), 20_000)
  await sleep(2000)
  console.log(
    `stopped ${embargo - stopped} ms before the embargo, killed ${embargo - killed} ms before it, continued ${continued - embargo} ms after it; ` +
      `the reader got ${reader.messages.length} messages, the new reader ${fresh.messages.length}, the page ${page.status}`,
  )
  assert.ok(
    !mentions(reader.messages, 'draft'),
    `the connected reader was sent the draft: ${JSON.stringify(reader.messages).slice(0, 400)}`,
  )
  assert.ok(!mentions([subscribed, ...fresh.messages], 'draft'), 'the new reader was sent the draft')
  assert.ok(!page.body.includes('"draft"'), `the first page held the draft: ${page.body.slice(0, 300)}`)
})
