// Resume without gaps: from memory, across a restart of the fan-out, and from Kafka.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { TestContext } from 'node:test'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { peekPosition, PositionCodec } from '../src/index.ts'
import { DEV_POSITION_KEY } from '../src/config.ts'
import type { FanoutInstance } from '../src/index.ts'
import { article, connect, eventsOf, publish, publishBatch, publishedTo, startTestFanout } from './helpers.ts'

const subscribeMsg = (since?: string) => ({ type: 'subscribe', id: 's1', channels: ['category:national'], ...(since ? { since } : {}) })

/** Exactly the expected events, no duplicates, positions moving forward with every event. */
function assertExactlyInOrder(got: ReturnType<typeof eventsOf>, expected: string[]): void {
  const ids = got.map((m) => m.event.eventId)
  assert.equal(new Set(ids).size, ids.length, 'no duplicates')
  assert.deepEqual([...ids].sort(), [...expected].sort(), 'exactly the missed events')
  let prev: number[] | null = null
  for (const m of got) {
    const o = peekPosition(m.position).o
    if (prev) {
      assert.ok(
        o.every((x, p) => x >= (prev?.[p] ?? 0)),
        'positions never go back',
      )
      assert.ok(
        o.some((x, p) => x > (prev?.[p] ?? 0)),
        'each event moves the position on',
      )
    }
    prev = o
  }
}

async function missThenResume(
  t: TestContext,
  prefix: string,
  restart: (f: FanoutInstance) => Promise<FanoutInstance>,
  extra: Record<string, string> = {},
) {
  const ingest = await startTestIngest(t, prefix)
  let fanout = await startTestFanout(t, prefix, extra)
  const a = await connect(t, fanout.wsUrl)
  a.send(subscribeMsg())
  await a.next((m) => m.type === 'subscribed')
  await publish(ingest.url, article('before-1'))
  const seen = await a.next((m) => m.type === 'event')
  const last = seen.position as string
  a.ws.close()
  await a.closed

  // 100 events while away: 60 new articles and 40 updates of them, plus noise on another channel
  const batch1 = await publishBatch(
    ingest.url,
    Array.from({ length: 60 }, (_, i) => article(`r-${i}`)),
  )
  await publishBatch(
    ingest.url,
    Array.from({ length: 10 }, (_, i) => article(`other-${i}`, { category: 'sports' })),
  )
  const batch2 = await publishBatch(
    ingest.url,
    Array.from({ length: 40 }, (_, i) => article(`r-${i}`, { headline: `Update of r-${i}` })),
  )
  const missed = [...batch1, ...batch2]
  assert.equal(missed.length, 100)
  fanout = await restart(fanout)

  const b = await connect(t, fanout.wsUrl)
  b.send(subscribeMsg(last))
  const subscribed = await b.next((m) => m.type === 'subscribed' || m.type === 'reset' || m.type === 'error')
  assert.equal(subscribed.type, 'subscribed', JSON.stringify(subscribed))
  await b.until((all) => eventsOf(all).length >= 100, 30_000)
  // then live ones
  const live = await publish(ingest.url, article('after-1'))
  await b.until((all) => eventsOf(all).length >= 101)
  const got = eventsOf(b.messages)
  assertExactlyInOrder(got.slice(0, 100), missed)
  assert.equal(got[100]?.event.eventId, live.eventId)
  assert.equal(got.length, 101)
  // per article, versions arrive in order
  const versions = new Map<string, number>()
  for (const m of got) {
    const v = (m.event as unknown as { article: { id: string; version: number } }).article
    assert.ok((versions.get(v.id) ?? 0) < v.version)
    versions.set(v.id, v.version)
  }
  return subscribed
}

describe('resume with since', { concurrency: true }, () => {
  test('reconnect with since gets exactly the 100 missed events in order, then live ones (memory)', async (t) => {
    const s = await missThenResume(t, uniquePrefix(), async (f) => f)
    assert.equal(s.replay, 'memory')
  })

  test('the same across a restart of the fan-out instance', async (t) => {
    const prefix = uniquePrefix()
    const s = await missThenResume(t, prefix, async (f) => {
      await f.close()
      return startTestFanout(t, prefix)
    })
    assert.equal(s.replay, 'memory')
  })

  test('positions older than memory are replayed from Kafka, then handed over to memory', async (t) => {
    const s = await missThenResume(t, uniquePrefix(), async (f) => f, { FANOUT_HISTORY_SIZE: '30' })
    assert.equal(s.replay, 'kafka')
  })

  test('a position for another partition count gets reset with the snapshot', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    await publish(ingest.url, article('snap-1'))
    await fanout.settled(publishedTo(ingest.url))
    const c = await connect(t, fanout.wsUrl)
    c.send(subscribeMsg(new PositionCodec([DEV_POSITION_KEY]).encode({ o: [0, 0], t: 0 })))
    const reset = await c.next((m) => m.type === 'reset')
    assert.deepEqual(
      (reset.snapshot as { article: { id: string } }[]).map((e) => e.article.id),
      ['snap-1'],
    )
    await publish(ingest.url, article('snap-2'))
    const e = await c.next((m) => m.type === 'event')
    assert.equal((e.event as { article: { id: string } }).article.id, 'snap-2')
  })
})
