// Ops routes and graceful shutdown: WebSockets close with 1012, SSE streams end, ready turns false.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { test } from 'node:test'
import { uniquePrefix } from '../../../test/helpers.ts'
import { freePort } from '../../../test/ports.ts'
import { connect, fanoutEnv, startTestFanout } from './helpers.ts'

test('ops routes, metrics and graceful close', async (t) => {
  const prefix = uniquePrefix()
  const fanout = await startTestFanout(t, prefix)
  assert.equal((await fetch(`${fanout.url}/healthz`)).status, 200)
  assert.equal((await fetch(`${fanout.url}/readyz`)).status, 200)
  const c = await connect(t, fanout.wsUrl)
  c.send({ type: 'subscribe', id: 's1', channels: ['breaking', 'lang:bn'] })
  await c.next((m) => m.type === 'subscribed')
  const sse = await fetch(`${fanout.url}/v1/sse?channels=breaking`)
  assert.equal(sse.status, 200)
  const metrics = await (await fetch(`${fanout.url}/metrics`)).text()
  assert.match(metrics, /newswire_fanout_connections\{audience="public",transport="ws",service="fanout"\} 1/)
  assert.match(metrics, /newswire_fanout_connections\{audience="public",transport="sse",service="fanout"\} 1/)
  assert.match(metrics, /newswire_fanout_subscriptions\{kind="breaking",service="fanout"\} 2/)
  assert.match(metrics, /newswire_fanout_subscriptions\{kind="lang",service="fanout"\} 1/)
  assert.doesNotMatch(metrics, /article_id|s1/)

  const body = sse.body?.getReader()
  const closing = fanout.close()
  const closed = await c.closed
  assert.equal(closed.code, 1012)
  assert.equal(closed.reason, 'service restart')
  let text = ''
  for (;;) {
    const r = await body?.read()
    if (!r || r.done) break
    text += new TextDecoder().decode(r.value)
  }
  assert.match(text, /event: close/)
  await closing
})

test('main.ts: SIGTERM closes WebSockets with 1012 and exits 0', async (t) => {
  // a port the OS just gave out, not a random one: a random pick met a port in use (EADDRINUSE) in CI
  const port = await freePort()
  const child = spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', join(import.meta.dirname, '..', 'src', 'main.ts')],
    {
      env: { ...process.env, ...fanoutEnv(uniquePrefix(), { FANOUT_PORT: String(port), LOG_LEVEL: 'warn' }) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  t.after(() => child.kill('SIGKILL'))
  let exitedEarly: number | null | undefined
  child.once('exit', (code) => {
    exitedEarly = code
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    assert.equal(exitedEarly, undefined, 'the fan-out exited before it was ready')
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) break
    assert.ok(Date.now() < deadline, 'ready within 30 s')
    await new Promise((r) => setTimeout(r, 200))
  }
  const c = await connect(t, `ws://127.0.0.1:${port}/v1/stream`)
  c.send({ type: 'subscribe', id: 's1', channels: ['breaking'] })
  await c.next((m) => m.type === 'subscribed')
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  assert.equal((await c.closed).code, 1012)
  const [code] = await exited
  assert.equal(code, 0)
})
