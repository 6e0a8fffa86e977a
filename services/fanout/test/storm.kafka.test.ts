// Reconnect storms: resumes are admitted at FANOUT_RESUME_RATE (then queued, then told when to
// come back with 1013) so the live stream stays on time; a restart spreads reconnects with
// jittered hints.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, connect, eventsOf, publish, publishBatch, startTestFanout } from './helpers.ts'

test('a storm of resumes is admitted at the resume rate while a live client stays on time', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, { FANOUT_RESUME_RATE: '20', FANOUT_RESUME_QUEUE: '40' })
  const live = await connect(t, fanout.wsUrl)
  live.send({ type: 'subscribe', id: 'live', channels: ['category:national'] })
  await live.next((m) => m.type === 'subscribed')
  await publish(ingest.url, article('seed'))
  const since = (await live.next((m) => m.type === 'event')).position as string
  const missed = await publishBatch(
    ingest.url,
    Array.from({ length: 5 }, (_, i) => article(`missed-${i}`)),
  )
  await live.until((all) => eventsOf(all).length >= 6)

  const n = 120
  const clients = await Promise.all(Array.from({ length: n }, () => connect(t, fanout.wsUrl)))
  const t0 = Date.now()
  for (const c of clients) c.send({ type: 'subscribe', id: 's1', channels: ['category:national'], since })

  // live events during the storm: latency from publish to receipt
  const latencies: number[] = []
  for (let i = 0; i < 10; i++) {
    const before = eventsOf(live.messages).length
    const sent = Date.now()
    await publish(ingest.url, article(`during-${i}`, { category: 'national' }))
    await live.until((all) => eventsOf(all).length > before, 5000)
    latencies.push(Date.now() - sent)
    await new Promise((r) => setTimeout(r, 150))
  }

  const outcome = await Promise.all(
    clients.map(async (c) => {
      const closed = () => c.ws.readyState === c.ws.CLOSED
      await c.until((all) => closed() || all.some((m) => m.type === 'subscribed'), 20_000)
      return { kind: closed() ? ('closed' as const) : ('subscribed' as const), at: Date.now() }
    }),
  )
  const subscribed = outcome.filter((o) => o.kind === 'subscribed')
  const rejected = clients.filter((_, i) => outcome[i]?.kind === 'closed')
  t.diagnostic(`admitted ${subscribed.length}, told to retry ${rejected.length}, live latencies ${latencies.join(',')} ms`)
  assert.equal(subscribed.length + rejected.length, n)
  // burst of 20 + a queue of 40 (plus what the bucket refills while they arrive); the rest is turned away
  assert.ok(subscribed.length >= 60 && subscribed.length <= 75, `admitted ${subscribed.length}`)
  const spread = Math.max(...subscribed.map((o) => o.at)) - t0
  assert.ok(spread >= 1500, `the queue drains at the rate (last admitted after ${spread} ms)`)
  for (const c of rejected) {
    const hint = c.messages.find((m) => m.type === 'reconnect') as { retryAfterMs: number } | undefined
    assert.ok(hint && hint.retryAfterMs >= 1000 && hint.retryAfterMs <= 10_000, JSON.stringify(hint))
    const closed = await c.closed
    assert.equal(closed.code, 1013)
    assert.match(closed.reason, new RegExp(`^too many resumes; retry after ${hint.retryAfterMs} ms$`))
  }
  assert.ok(new Set(rejected.map((c) => c.messages.find((m) => m.type === 'reconnect')?.retryAfterMs)).size > 1, 'jittered')
  // the admitted ones got exactly what they missed (then the live events)
  await Promise.all(
    clients.filter((_, i) => outcome[i]?.kind === 'subscribed').map((c) => c.until((all) => eventsOf(all).length >= 15, 15_000)),
  )
  for (const c of clients.filter((_, i) => outcome[i]?.kind === 'subscribed')) {
    const ids = eventsOf(c.messages).map((m) => m.event.eventId)
    assert.deepEqual(ids.slice(0, 5).sort(), [...missed].sort())
    assert.equal(ids.length, 15)
  }
  assert.ok(Math.max(...latencies) < 1000, `live latency stayed low: ${latencies.join(',')}`)
})

test('a restart sends every client a jittered retry hint before 1012; SSE gets retry:', async (t) => {
  const prefix = uniquePrefix()
  await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const clients = await Promise.all(Array.from({ length: 20 }, () => connect(t, fanout.wsUrl)))
  for (const c of clients) c.send({ type: 'subscribe', id: 's1', channels: ['breaking'] })
  await Promise.all(clients.map((c) => c.next((m) => m.type === 'subscribed')))
  const ac = new AbortController()
  t.after(() => ac.abort())
  const res = await fetch(`${fanout.url}/v1/sse?channels=breaking`, { signal: ac.signal })
  // fetch resolved on the headers: the stream is registered
  const sse = res.text()
  await fanout.close()
  const hints: number[] = []
  for (const c of clients) {
    const closed = await c.closed
    assert.equal(closed.code, 1012)
    assert.equal(closed.reason, 'service restart')
    const hint = c.messages.find((m) => m.type === 'reconnect') as { retryAfterMs: number; reason: string } | undefined
    assert.ok(hint, 'a reconnect message before the close')
    assert.equal(hint.reason, 'service restart')
    assert.ok(hint.retryAfterMs >= 250 && hint.retryAfterMs < 1250, String(hint.retryAfterMs))
    hints.push(hint.retryAfterMs)
  }
  assert.ok(new Set(hints).size > 1, 'jittered')
  const text = await sse
  const retry = /\nretry: (\d+)\n\nevent: close\ndata: (.*)\n/.exec(text)
  assert.ok(retry, text)
  const close = JSON.parse(retry[2] as string) as { code: number; reason: string; retryAfterMs: number }
  assert.equal(close.code, 1012)
  assert.equal(close.retryAfterMs, Number(retry[1]))
})
