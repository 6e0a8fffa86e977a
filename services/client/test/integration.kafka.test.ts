// The SDK against the real thing: ingest → Kafka → fan-out, with the fan-out stopped and a new
// one started on the same port in the middle of a stream. The consumer must see every event
// exactly once, on WebSocket (newsroom, channel all) and on SSE (public, breaking).
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { WebSocket } from 'ws'
import { signNewsroomToken } from '../../fanout/src/index.ts'
import { article, publish, publishBatch, startTestFanout } from '../../fanout/test/helpers.ts'
import { sleep, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { type Client, type ConnectOptions, connect, type StateChange } from '../src/index.ts'

interface Run {
  client: Client
  delivered: string[]
  states: StateChange[]
}

function consume(t: TestContext, url: string, options: ConnectOptions): Run {
  const client = connect(url, { WebSocket, backoff: { minMs: 100, maxMs: 1000 }, ...options })
  t.after(() => client.close())
  const run: Run = { client, delivered: [], states: [] }
  client.on('event', (m) => run.delivered.push(m.event.eventId))
  client.on('state', (s) => run.states.push(s))
  client.on('reset', () => assert.fail('the fan-out could not resume from the client position'))
  return run
}

async function until(pred: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

/**
 * Publishes `rounds` batches while the fan-out is stopped after `stopAfter` rounds and a new one
 * (same port) is started after `restartAfter`; returns every event id published, in order.
 */
async function streamWithRestart(
  t: TestContext,
  prefix: string,
  ingestUrl: string,
  port: string,
  stop: () => Promise<void>,
  make: (round: number, i: number) => Record<string, unknown>,
): Promise<string[]> {
  const published: string[] = []
  for (let round = 0; round < 12; round++) {
    if (round === 4) await stop()
    if (round === 8) await startTestFanout(t, prefix, { FANOUT_PORT: port })
    published.push(
      ...(await publishBatch(
        ingestUrl,
        Array.from({ length: 10 }, (_, i) => make(round, i)),
      )),
    )
    await sleep(40)
  }
  return published
}

/**
 * One more article the subscription matches, published last and awaited: a late duplicate of an
 * earlier event would reach the client before it. Returns the deliveries without it.
 */
async function afterClosingEvent(run: Run, ingestUrl: string, closing: Record<string, unknown>): Promise<string[]> {
  const { eventId } = await publish(ingestUrl, closing)
  await until(() => run.delivered.includes(eventId), 'the closing event')
  return run.delivered.filter((id) => id !== eventId)
}

function assertExactlyOnce(delivered: string[], published: string[]): void {
  const counts = new Map<string, number>()
  for (const id of delivered) counts.set(id, (counts.get(id) ?? 0) + 1)
  const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id)
  assert.deepEqual(twice, [], 'delivered more than once')
  const missing = published.filter((id) => !counts.has(id))
  assert.deepEqual(missing, [], 'never delivered')
  assert.equal(delivered.length, published.length)
}

async function newsroomRun(t: TestContext, make: (round: number, i: number) => Record<string, unknown>): Promise<void> {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600 })
  const run = consume(t, fanout.url, { channels: ['all'], token, transport: 'websocket' })
  await until(() => run.client.state === 'connected', 'connected')

  const published = await streamWithRestart(t, prefix, ingest.url, new URL(fanout.url).port, () => fanout.close(), make)
  await until(() => run.delivered.length >= published.length, `${published.length} events (have ${run.delivered.length})`, 20_000)
  assertExactlyOnce(await afterClosingEvent(run, ingest.url, article('closing', { urgency: 1 })), published)
  assert.deepEqual(
    run.states.map((s) => s.state).filter((s, i, all) => s !== all[i - 1]),
    ['connected', 'reconnecting', 'connected'],
  )
  assert.equal(run.states.find((s) => s.state === 'reconnecting')?.code, 1012)
  assert.equal(run.client.transport, 'websocket')
  assert.ok(run.client.stats.reconnects >= 1)
}

test('WebSocket, newsroom: a fan-out restart mid-stream, every event exactly once', { timeout: 60_000 }, async (t) => {
  // Creates, then updates of the same ids in every round; embargoed ones included
  await newsroomRun(t, (round, i) =>
    article(`ws-${i}`, {
      headline: `Round ${round} item ${i}`,
      urgency: 1 + (i % 6),
      ...(i === 9 ? { embargoedUntil: new Date(Date.now() + 3600_000).toISOString() } : {}),
    }),
  )
})

test('WebSocket, newsroom: articles escalated and downgraded between versions, restart mid-stream, every version once', {
  timeout: 60_000,
}, async (t) => {
  // Urgency changes from version to version (routine ↔ breaking): the catch-up after the restart
  // must still deliver every version of an article, in order, so none is dropped as stale
  await newsroomRun(t, (round, i) => article(`esc-${i}`, { headline: `Round ${round} item ${i}`, urgency: 1 + ((round + i) % 6) }))
})

test('SSE, public breaking channel: a fan-out restart mid-stream, every event exactly once', { timeout: 60_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const run = consume(t, fanout.url, { channels: ['breaking'], filter: { languages: ['bn'] }, transport: 'sse' })
  await until(() => run.client.state === 'connected', 'connected')

  // Only Bengali breaking items reach this subscriber; the rest is noise it must not see
  const expected: string[] = []
  const published = await streamWithRestart(
    t,
    prefix,
    ingest.url,
    new URL(fanout.url).port,
    () => fanout.close(),
    (round, i) => {
      const breaking = i % 2 === 0
      const bengali = i % 3 !== 0
      return article(`sse-${round}-${i}`, {
        language: bengali ? 'bn' : 'en',
        headline: bengali ? `খবর ${round}-${i}` : `News ${round}-${i}`,
        urgency: breaking ? 1 : 5,
      })
    },
  )
  for (let k = 0; k < published.length; k++) {
    const i = k % 10
    if (i % 2 === 0 && i % 3 !== 0) expected.push(published[k] as string)
  }
  assert.equal(expected.length, 12 * 3)
  await until(() => run.delivered.length >= expected.length, `${expected.length} events (have ${run.delivered.length})`)
  const closing = article('sse-closing', { language: 'bn', headline: 'শেষ খবর', urgency: 1 })
  assertExactlyOnce(await afterClosingEvent(run, ingest.url, closing), expected)
  assert.equal(run.client.transport, 'sse')
  assert.ok(run.states.some((s) => s.state === 'reconnecting'))
  assert.equal(run.client.state, 'connected')
})
