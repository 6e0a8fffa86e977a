// red21 attack run, 2026-12-06: a fan-out cut off from Kafka (a network partition between it and
// the brokers, or its consumer wedged) stays up: its consumer restarts for as long as the broker
// is gone, and its freshness checks (feed.ts keepFresh) fail, which holds its embargo releases
// back. But /readyz stayed 200 (caught up at start, not closing: deploy/README.md's "503 when Kafka
// is unreachable" held for ingest only), and the process went on answering every new reader, page
// and snapshot from the state of when it was cut off: a story killed meanwhile (the other
// processes' readers told of it at once) was shown, content and all, to every new public reader
// the balancer sent there, for as long as the cut lasted. Fixed: not ready (and 503 `not_ready` to
// new streams and pages) once the log has not been known read to its end for 30 s
// (src/readiness.ts), ready again at the next check that confirms it. A connection opened before
// the cut that subscribes during it (a change of view, the SDK's update()) got the same stale
// snapshot: it is now told to come back (`reconnect`, 1013), so it lands on a process that reads the log.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { TestContext } from 'node:test'
import { test } from 'node:test'
import { closeCodes } from '@newswire/shared'
import { WebSocket } from 'ws'
import { createReadiness, STALE_AFTER_MS } from '../src/readiness.ts'
import { SHED_AFTER_MS, shedLook } from '../src/shed-behind.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { subscribe } from './support/live-story.ts'
import { freshLoop } from './support/fresh-loop.ts'
import { serveRoutes } from './support/serve-routes.ts'
import { serveEndpoint } from './support/ws-endpoint.ts'

const START = 1_800_000_000_000
const SEC = 1000

/**
 * The feed's freshness loop (feed.ts keepFresh) as production runs it, over a Kafka that stops
 * answering while `cut`; `passTime` moves the harness's clock and lets the loop run.
 */
function cutOffLoop(t: TestContext, h: Harness): { cut: boolean; passTime(ms: number): Promise<void> } {
  const kafka = {
    cut: false,
    async passTime(ms: number) {
      for (let left = ms; left > 0; left -= 250) {
        h.clock.advance(Math.min(250, left))
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
      }
    },
  }
  const stop = freshLoop(h, () => kafka.cut)
  t.after(() => {
    stop()
    h.hub.stop()
  })
  return kafka
}

/** A process that has read story `doomed`, its freshness loop over a Kafka that may be cut, and its readiness as app.ts composes it (caught up, not closing). */
async function cutOffProcess(t: TestContext) {
  const h = new Harness({ partitions: 1, start: START, fresh: true })
  h.append(event('CREATED', { id: 'doomed', version: 1, updatedAt: START - 60 * SEC }, START - 60 * SEC))
  h.start()
  await h.settle()
  const kafka = cutOffLoop(t, h)
  const ready = createReadiness({
    caughtUp: () => true,
    closing: () => false,
    sinceFresh: () => h.store.sinceFresh(),
    connections: () => h.hub.conns.size,
  })
  return { h, kafka, ready }
}

test('a fan-out cut off from Kafka says not ready and shows new readers nothing once its log is 30 s unconfirmed; ready again once read', async (t) => {
  const { h, kafka, ready } = await cutOffProcess(t)
  const { url } = await serveRoutes(t, h, { allowedOrigins: ['*'], jwtSecret: 'red21-ready-secret-0000000000000001', ...ready })
  const page = async () => {
    const res = await fetch(`${url}/v1/snapshot?channels=category:news`)
    const body = (await res.json()) as { items?: { article: { id: string } }[] }
    return { status: res.status, ids: (body.items ?? []).map((e) => e.article.id) }
  }
  await kafka.passTime(5 * SEC)
  assert.equal((await fetch(`${url}/readyz`)).status, 200)
  assert.deepEqual(await page(), { status: 200, ids: ['doomed'] })

  // Kafka is cut off from this process; the desk kills the story (the other processes read it)
  kafka.cut = true
  h.inKafka(event('WITHDRAWN', { id: 'doomed', version: 2, updatedAt: START + 6 * SEC, pubStatus: 'canceled' }, START + 6 * SEC))
  await kafka.passTime(STALE_AFTER_MS + 5 * SEC)
  const stale = await page()
  assert.deepEqual(stale.ids, [], 'a new public reader was shown a story killed while this process was cut off from the log')
  assert.equal(stale.status, 503)
  const readyz = await fetch(`${url}/readyz`)
  const checks = JSON.stringify(await readyz.json())
  assert.equal(readyz.status, 503, `a process cut off from the log for ${STALE_AFTER_MS / SEC + 5} s said ready: ${checks}`)
  assert.match(checks, /"logRead":false/)
  const sse = await fetch(`${url}/v1/sse?channels=category:news`)
  assert.equal(sse.status, 503, 'a new stream was served from the stale state')
  await sse.body?.cancel()

  // Kafka is back: the consumer reads the kill, the next check confirms the log read
  kafka.cut = false
  h.readOn(0)
  await h.settle()
  await kafka.passTime(3 * SEC)
  assert.equal((await fetch(`${url}/readyz`)).status, 200)
  assert.deepEqual(await page(), { status: 200, ids: [] })
})

test('a connection opened before the cut that subscribes during it is sent elsewhere, not shown the story killed meanwhile', async (t) => {
  const { h, kafka, ready } = await cutOffProcess(t)
  const { port } = await serveEndpoint(t, h, 'red21-ready', ready.logBehind)

  // a reader connected while the process read the log: its ticker on the breaking channel
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/stream`)
  const got: string[] = []
  ws.on('message', (data) => got.push(String(data)))
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)))
  await once(ws, 'open')
  ws.send(JSON.stringify({ type: 'subscribe', id: 'a', channels: ['breaking'] }))
  while (!got.some((m) => m.includes('"type":"subscribed"'))) await new Promise((r) => setTimeout(r, 5))

  // Kafka is cut off from this process; the desk kills the story
  kafka.cut = true
  h.inKafka(event('WITHDRAWN', { id: 'doomed', version: 2, updatedAt: START + 6 * SEC, pubStatus: 'canceled' }, START + 6 * SEC))
  await kafka.passTime(STALE_AFTER_MS + 5 * SEC)
  // the page shows the news desk too (a change of view; the SDK's update() subscribes again alike)
  got.length = 0
  ws.send(JSON.stringify({ type: 'subscribe', id: 'b', channels: ['category:news'] }))
  const deadline = Date.now() + 2000
  while (Date.now() < deadline && !got.some((m) => m.includes('"type":"subscribed"')) && ws.readyState === WebSocket.OPEN)
    await new Promise((r) => setTimeout(r, 5))
  assert.ok(
    !got.some((m) => m.includes('doomed v1')),
    `a story killed while this process was cut off from the log was shown: ${got.join(' ')}`,
  )
  assert.equal(await closed, closeCodes.tryAgainLater)
  assert.ok(
    got.some((m) => m.includes('"type":"reconnect"')),
    'told when to come back',
  )
})

// Readiness stops new readers; those connected before the cut stayed, shown the killed story for as
// long as the cut lasted (red21's report, left to the lead). Past a minute they are told to come
// back (shed-behind.ts), resume on a process that reads the log, and hear of the kill there.
test('readers connected before the cut are told to come back once the log is a minute unconfirmed, and hear of the kill where it is read', async (t) => {
  const created = event('CREATED', { id: 'doomed', version: 1, updatedAt: START - 60 * SEC }, START - 60 * SEC)
  const killed = event('WITHDRAWN', { id: 'doomed', version: 2, updatedAt: START + 6 * SEC, pubStatus: 'canceled' }, START + 6 * SEC)
  const h = new Harness({ partitions: 1, start: START, fresh: true })
  h.append(created)
  h.start()
  await h.settle()
  // another process behind the balancer, reading the log throughout
  const other = new Harness({ partitions: 1, start: START })
  other.append(created)
  other.start()
  t.after(() => other.hub.stop())
  const kafka = cutOffLoop(t, h)
  const state = { shed: false }
  const look = () =>
    shedLook(
      {
        sinceFresh: () => h.store.sinceFresh(),
        active: () => true,
        connections: () => h.hub.conns.size,
        closeAll: (what, retryAfterMs) => {
          const conns = [...h.hub.conns.all()]
          for (const conn of conns) h.hub.conns.closeWithRetryHint(conn, closeCodes.tryAgainLater, what, retryAfterMs())
          return conns.length
        },
        resumeRate: 50,
        random: () => 0.5,
      },
      state,
    )

  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()
  assert.ok(JSON.stringify(reader.t.messages).includes('doomed v1'), 'the reader shows the story')
  await kafka.passTime(5 * SEC)
  assert.equal(look(), false, 'a process reading the log sheds no one')

  kafka.cut = true
  h.inKafka(killed)
  other.append(killed)
  await other.settle()
  await kafka.passTime(STALE_AFTER_MS + 5 * SEC)
  assert.equal(look(), false, 'past readiness, within the minute: readers stay')
  const closed = () => reader.t.closed
  assert.equal(closed(), null)
  await kafka.passTime(SHED_AFTER_MS - STALE_AFTER_MS)
  assert.equal(look(), true)
  assert.equal(closed()?.code, closeCodes.tryAgainLater, 'the reader was not told to come back')
  const hint = reader.t.messages.find((m) => m.type === 'reconnect')
  assert.ok(hint && typeof hint.retryAfterMs === 'number' && hint.retryAfterMs > 0, 'told when to come back')
  assert.equal(look(), false, 'once while behind')

  // the reader resumes from its position on the process that reads the log
  const position = reader.t.messages.findLast((m) => typeof m.position === 'string')?.position as string
  const back = other.connect('public')
  subscribe(other, back.conn, ['category:news'], { since: position })
  await other.settle()
  assert.ok(
    back.t.messages.some((m) => m.type === 'withdrawn' && m.articleId === 'doomed'),
    `the reader did not hear of the kill: ${JSON.stringify(back.t.messages)}`,
  )

  // the log read again, a later cut sheds again
  kafka.cut = false
  h.readOn(0)
  await h.settle()
  await kafka.passTime(3 * SEC)
  assert.equal(look(), false)
  const later = h.connect('public')
  subscribe(h, later.conn, ['category:news'])
  await h.settle()
  kafka.cut = true
  await kafka.passTime(SHED_AFTER_MS + 5 * SEC)
  assert.equal(look(), true)
  assert.equal(later.t.closed?.code, closeCodes.tryAgainLater)
})
