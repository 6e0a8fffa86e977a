// Graceful shutdown with real processes, started like production starts them (their own process,
// main.ts, JSON logs on stdout) and stopped with SIGTERM under load.
//   ingest: exit 0 within SHUTDOWN_TIMEOUT_MS; every request answered 2xx is in Kafka (with its
//           trace id in the `trace-id` header); every other request got 503 or a refused connection.
//   fan-out: exit 0; WebSocket clients closed with 1012 "service restart"; SSE streams end.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { brokers, readTopic, startTestIngest, uniquePrefix } from '../helpers.ts'
import { freePort, startService } from './helpers.ts'
import type { ServiceProcess } from './helpers.ts'

const SHUTDOWN_TIMEOUT_MS = 10_000

function baseEnv(prefix: string): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: '3',
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    NODE_ENV: 'development',
  }
}

function killOnFailure(t: { after: (fn: () => void) => void }, p: ServiceProcess): void {
  t.after(() => {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
  })
}

function checkLogLines(p: ServiceProcess, service: string): void {
  assert.deepEqual(p.otherLines, [], 'every stdout line is a JSON object')
  assert.ok(p.logs.length > 0)
  for (const l of p.logs) {
    assert.equal(typeof l.level, 'string', JSON.stringify(l))
    assert.ok(typeof l.time === 'string' && !Number.isNaN(Date.parse(l.time)), JSON.stringify(l))
    assert.equal(l.service, service, JSON.stringify(l))
    assert.equal(typeof l.msg, 'string', JSON.stringify(l))
  }
  assert.ok(
    p.logs.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM'),
    'logs the signal',
  )
  assert.ok(
    p.logs.some((l) => l.msg === 'shutdown complete'),
    'logs the end of the drain',
  )
}

interface Outcome {
  id: string
  traceId: string
  sentAt: number
  doneAt: number
  status: number | null
  body: Record<string, unknown> | null
  traceHeader: string | null
  error: string | null
}

test('ingest: SIGTERM during a burst drains in-flight requests, exits 0, and every 2xx is in Kafka', async (t) => {
  const prefix = uniquePrefix()
  const port = await freePort()
  const ingest = await startService(
    'ingest',
    { ...baseEnv(prefix), INGEST_HOST: '127.0.0.1', INGEST_PORT: String(port), INGEST_RATE_LIMIT: '100000' },
    port,
  )
  killOnFailure(t, ingest)

  const outcomes: Outcome[] = []
  let n = 0
  const post = async (): Promise<Outcome> => {
    const i = n++
    const id = `ops-shutdown-${i}`
    const traceId = `ops-trace-${prefix.replace(/\W/g, '')}-${i}`
    const o: Outcome = { id, traceId, sentAt: Date.now(), doneAt: 0, status: null, body: null, traceHeader: null, error: null }
    try {
      const res = await fetch(`${ingest.url}/v1/articles`, {
        method: 'POST',
        headers: { authorization: 'Bearer dev-ingest-key', 'content-type': 'application/json', 'x-trace-id': traceId },
        body: JSON.stringify({ id, language: 'en', headline: `Shutdown test ${i}`, body: ['One paragraph.'], urgency: 4 }),
      })
      o.status = res.status
      o.traceHeader = res.headers.get('x-trace-id')
      o.body = (await res.json()) as Record<string, unknown>
    } catch (err) {
      o.error = String((err as { cause?: { code?: string } }).cause?.code ?? err)
    }
    o.doneAt = Date.now()
    outcomes.push(o)
    return o
  }

  // One request first, for the trace id checks below
  const first = await post()
  assert.equal(first.status, 201, JSON.stringify(first))
  assert.equal(first.traceHeader, first.traceId, 'X-Trace-Id is echoed')

  // 16 clients send back to back; SIGTERM once 80 answers are in, with requests in flight; the
  // clients go on until the process has exited and each has seen the door closed.
  let sigtermAt = 0
  let exitedAt = 0
  void ingest.exited.then((e) => {
    exitedAt = e.at
  })
  const deadline = Date.now() + 60_000
  const worker = async () => {
    for (;;) {
      const o = await post()
      if (sigtermAt === 0 && outcomes.length >= 80) {
        sigtermAt = Date.now()
        ingest.child.kill('SIGTERM')
      }
      if ((exitedAt > 0 && o.sentAt > exitedAt) || Date.now() > deadline || n > 5000) return
      if (o.error !== null) await new Promise((r) => setTimeout(r, 10))
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  const exit = await ingest.exited

  assert.equal(exit.signal, null, `ingest was killed by ${exit.signal}; stderr: ${ingest.stderr()}`)
  assert.equal(exit.code, 0, `exit code; stderr: ${ingest.stderr()}`)
  assert.ok(sigtermAt > 0)
  assert.ok(exit.at - sigtermAt < SHUTDOWN_TIMEOUT_MS, `exited ${exit.at - sigtermAt} ms after SIGTERM`)

  const ok = outcomes.filter((o) => o.status !== null && o.status >= 200 && o.status < 300)
  const unavailable = outcomes.filter((o) => o.status === 503)
  const refused = outcomes.filter((o) => o.error !== null)
  const other = outcomes.filter((o) => !ok.includes(o) && !unavailable.includes(o) && !refused.includes(o))
  t.diagnostic(`${outcomes.length} requests: ${ok.length} 2xx, ${unavailable.length} 503, ${refused.length} connection errors`)
  assert.deepEqual(
    other.map((o) => `${o.id}: ${o.status}`),
    [],
    'every request got 2xx, 503 or a connection error',
  )
  for (const o of unavailable) assert.ok(['not_ready', 'kafka_unavailable'].includes(String(o.body?.code)), JSON.stringify(o.body))
  assert.ok(refused.length > 0, 'requests after the exit were refused')
  assert.ok(
    ok.some((o) => o.sentAt < sigtermAt && o.doneAt > sigtermAt),
    'a request in flight when SIGTERM was sent still got its 2xx',
  )
  assert.ok(!ok.some((o) => o.sentAt > exit.at), 'nothing succeeded after the exit')

  // Every 2xx is committed to Kafka, once, with the request's trace id in the header
  const topic = `${prefix}news.article-events`
  const want = new Map(ok.map((o) => [String(o.body?.eventId), o]))
  const records = await readTopic(topic, (all) => {
    const seen = new Set(all.map((r) => r.event.eventId))
    return [...want.keys()].every((id) => seen.has(id))
  })
  const counts = new Map<string, number>()
  for (const r of records) counts.set(r.event.eventId, (counts.get(r.event.eventId) ?? 0) + 1)
  for (const [eventId, o] of want) {
    assert.equal(counts.get(eventId), 1, `event ${eventId} of ${o.id} committed once`)
    const r = records.find((x) => x.event.eventId === eventId)
    assert.equal(r?.event.article.id, o.id)
    assert.equal(r?.event.traceId, o.traceId)
    assert.equal(r?.message.headers?.['trace-id']?.toString(), o.traceId, 'trace-id Kafka header')
  }
  // A 503 says nothing was published (checked against what was read)
  const published = new Set(records.map((r) => r.event.article.id))
  for (const o of unavailable) assert.ok(!published.has(o.id), `${o.id} answered 503 but was published`)

  await t.test('logs are JSON lines with the shutdown sequence', () => checkLogLines(ingest, 'ingest'))

  await t.test("each request's X-Trace-Id is on its access log line", () => {
    for (const o of [first, ...ok]) {
      const line = ingest.logs.find((l) => l.traceId === o.traceId && l.msg === 'request')
      assert.ok(line, `no access log line with traceId ${o.traceId}`)
      assert.equal(line.route, '/v1/articles')
      assert.equal(line.method, 'POST')
      assert.equal(line.status, o.status)
    }
  })

  // Requests refused before a route runs: the 503s of the drain (closing middleware) and bodies
  // the body parser rejects (413 here) carry a trace id too, but no log line has it today.
  await t.test('requests refused while draining are logged with their trace id', () => {
    const drained = unavailable.filter((o) => o.body?.code === 'not_ready')
    assert.ok(drained.length > 0, 'some requests got 503 not_ready')
    for (const o of drained)
      assert.ok(
        ingest.logs.some((l) => l.traceId === o.traceId),
        `no log line with traceId ${o.traceId}`,
      )
  })
})

test('ingest: a body the parser rejects (413) is logged with its trace id', {}, async (t) => {
  const prefix = uniquePrefix()
  const port = await freePort()
  const ingest = await startService(
    'ingest',
    { ...baseEnv(prefix), INGEST_HOST: '127.0.0.1', INGEST_PORT: String(port), INGEST_MAX_BODY_BYTES: '2048' },
    port,
  )
  killOnFailure(t, ingest)
  const traceId = `ops-trace-413-${prefix.replace(/\W/g, '')}`
  const res = await fetch(`${ingest.url}/v1/articles`, {
    method: 'POST',
    headers: { authorization: 'Bearer dev-ingest-key', 'content-type': 'application/json', 'x-trace-id': traceId },
    body: JSON.stringify({ id: 'too-large', language: 'en', headline: 'x'.repeat(4096) }),
  })
  assert.equal(res.status, 413)
  ingest.child.kill('SIGTERM')
  assert.equal((await ingest.exited).code, 0)
  assert.equal(res.headers.get('x-trace-id'), traceId, 'X-Trace-Id echoed on the 413')
  assert.ok(
    ingest.logs.some((l) => l.traceId === traceId),
    `no log line with traceId ${traceId}: ${JSON.stringify(ingest.logs.filter((l) => l.msg === 'request'))}`,
  )
})

test('fan-out: SIGTERM closes WebSockets with 1012 "service restart", ends SSE streams, exits 0', async (t) => {
  const prefix = uniquePrefix()
  const port = await freePort()
  const fanout = await startService('fanout', { ...baseEnv(prefix), FANOUT_HOST: '127.0.0.1', FANOUT_PORT: String(port) }, port)
  killOnFailure(t, fanout)
  const ingest = await startTestIngest(t, prefix)
  const traceId = `ops-fanout-trace-${prefix.replace(/\W/g, '')}`

  // Three live WebSocket clients that have received an event, and one SSE stream
  const clients = await Promise.all(
    [0, 1, 2].map(async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/stream`)
      t.after(() => ws.terminate())
      ws.on('error', () => undefined)
      const messages: { type: string; [k: string]: unknown }[] = []
      ws.on('message', (d) => messages.push(JSON.parse(String(d)) as { type: string }))
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      )
      await once(ws, 'open')
      ws.send(JSON.stringify({ type: 'subscribe', id: 's1', channels: ['lang:en'] }))
      return { ws, messages, closed }
    }),
  )
  const sse = await fetch(`http://127.0.0.1:${port}/v1/sse?channels=lang:en`)
  assert.equal(sse.status, 200)
  const sseText = (async () => {
    let text = ''
    const reader = sse.body?.getReader()
    for (;;) {
      const r = await reader?.read().catch(() => undefined)
      if (!r || r.done) return text
      text += new TextDecoder().decode(r.value)
    }
  })()

  const res = await fetch(`${ingest.url}/v1/articles`, {
    method: 'POST',
    headers: { authorization: 'Bearer dev-ingest-key', 'content-type': 'application/json', 'x-trace-id': traceId },
    body: JSON.stringify({ id: 'ops-fanout-1', language: 'en', headline: 'Fan-out shutdown', body: ['One paragraph.'] }),
  })
  assert.equal(res.status, 201)
  assert.equal(res.headers.get('x-trace-id'), traceId)
  const waitFor = async (pred: () => boolean, what: string) => {
    const until = Date.now() + 20_000
    while (!pred()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  await waitFor(() => clients.every((c) => c.messages.some((m) => m.type === 'event')), 'the event on every client')

  const sigtermAt = Date.now()
  fanout.child.kill('SIGTERM')
  const closes = await Promise.all(clients.map((c) => c.closed))
  for (const c of closes) assert.deepEqual(c, { code: 1012, reason: 'service restart' })
  assert.match(await sseText, /event: close/)
  const exit = await fanout.exited
  assert.equal(exit.signal, null, `fan-out was killed by ${exit.signal}; stderr: ${fanout.stderr()}`)
  assert.equal(exit.code, 0, `exit code; stderr: ${fanout.stderr()}`)
  assert.ok(exit.at - sigtermAt < SHUTDOWN_TIMEOUT_MS, `exited ${exit.at - sigtermAt} ms after SIGTERM`)
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'nothing listens after the exit')

  await t.test('logs are JSON lines with the shutdown sequence', () => checkLogLines(fanout, 'fanout'))

  await t.test("the ingest request's trace id is on the fan-out's delivery line", () => {
    const line = fanout.logs.find((l) => l.msg === 'event delivered' && l.traceId === traceId)
    assert.ok(line, `no 'event delivered' line with traceId ${traceId}`)
    assert.equal(line.articleId, 'ops-fanout-1')
    assert.equal(line.type, 'CREATED')
    // three WebSocket subscriptions and the SSE stream
    assert.equal(line.deliveries, 4)
  })
})
