// Newest version wins, and retractions reach history: resumes (from memory and from Kafka) with
// conflated catch-up, withdrawn articles never replayed, corrections replacing snapshots.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { TestContext } from 'node:test'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, connect, drain, eventsOf, publish, publishBatch, publishedTo, startTestFanout, withdraw } from './helpers.ts'
import type { Msg } from './helpers.ts'

type Versioned = { event: { article: { id: string; version: number } } }
const idv = (m: Versioned) => `${m.event.article.id}@${m.event.article.version}`

/** Subscribes, sees one event, goes away; `away` publishes; then resumes with `catchUp`. */
async function awayAndBack(
  t: TestContext,
  source: 'memory' | 'kafka',
  catchUp: 'all' | 'latest',
  away: (ingestUrl: string) => Promise<void>,
) {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, source === 'kafka' ? { FANOUT_HISTORY_SIZE: '6' } : {})
  const a = await connect(t, fanout.wsUrl)
  a.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
  await a.next((m) => m.type === 'subscribed')
  await publish(ingest.url, article('before'))
  const last = (await a.next((m) => m.type === 'event')).position as string
  a.ws.close()
  await a.closed
  await away(ingest.url)
  // push the cursor out of memory (history of 6) with events on another channel
  if (source === 'kafka')
    await publishBatch(
      ingest.url,
      Array.from({ length: 12 }, (_, i) => article(`noise-${i}`, { category: 'sports' })),
    )
  await fanout.settled(publishedTo(ingest.url))
  const b = await connect(t, fanout.wsUrl)
  b.send({ type: 'subscribe', id: 's1', channels: ['category:national'], since: last, ...(catchUp === 'latest' ? { catchUp } : {}) })
  const subscribed = await b.next((m) => m.type === 'subscribed' || m.type === 'error' || m.type === 'reset')
  assert.equal(subscribed.replay, source, JSON.stringify(subscribed))
  // a live marker, then everything delivered has reached the client
  const marker = await publish(ingest.url, article('marker'))
  await b.until((all) => eventsOf(all).some((m) => m.event.eventId === marker.eventId), 30_000)
  await drain(fanout, b, ingest.url)
  const replayed = b.messages.filter((m) => m.type !== 'event' || (m as Msg & Versioned).event.article.id !== 'marker')
  return { fanout, ingest, replayed }
}

const eventIds = (ms: Msg[]) => eventsOf(ms).map((m) => idv(m as never))
const withdrawnIds = (ms: Msg[]) => ms.filter((m) => m.type === 'withdrawn').map((m) => m.articleId)

describe('catch-up and retractions', { concurrency: true }, () => {
  for (const source of ['memory', 'kafka'] as const) {
    test(`catchUp latest: only the newest version of each missed article (${source})`, async (t) => {
      const { replayed } = await awayAndBack(t, source, 'latest', async (url) => {
        for (let v = 1; v <= 4; v++) await publish(url, article('edited', { headline: `Edit ${v}` }))
        await publish(url, article('once'))
        await publish(url, article('gone'))
        await publish(url, article('gone', { headline: 'Gone, edited' }))
        await withdraw(url, 'gone', 'legal')
      })
      assert.deepEqual(eventIds(replayed).sort(), ['edited@4', 'once@1'])
      assert.deepEqual(withdrawnIds(replayed), ['gone'])
    })

    test(`catchUp all: every version in order, but a withdrawn article only as its withdrawal (${source})`, async (t) => {
      const { fanout, replayed } = await awayAndBack(t, source, 'all', async (url) => {
        await publish(url, article('kept'))
        await publish(url, article('pulled'))
        await publish(url, article('pulled', { headline: 'Pulled, edited' }))
        await publish(url, article('kept', { headline: 'Kept, corrected' }))
        await withdraw(url, 'pulled', 'legal')
      })
      assert.deepEqual(eventIds(replayed), ['kept@1', 'kept@2'])
      assert.deepEqual(withdrawnIds(replayed), ['pulled'])
      assert.ok(!JSON.stringify(replayed).includes('Pulled, edited'), 'the content of a withdrawn article is never replayed')
      // snapshots: the correction replaces the earlier version, the withdrawn article is gone
      const c = await connect(t, fanout.wsUrl)
      c.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
      const snap = (await c.next((m) => m.type === 'subscribed')).snapshot as {
        article: { id: string; version: number; headline: string }
      }[]
      const byId = new Map(snap.map((e) => [e.article.id, e.article]))
      assert.equal(byId.get('kept')?.version, 2)
      assert.equal(byId.get('kept')?.headline, 'Kept, corrected')
      assert.equal(byId.has('pulled'), false)
      assert.equal(snap.filter((e) => e.article.id === 'kept').length, 1)
    })
  }

  test('killed articles leave public snapshots; the newsroom keeps them, as killed', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    await publish(ingest.url, article('cx'))
    await withdraw(ingest.url, 'cx', 'legal')
    await publish(ingest.url, article('ok'))
    await fanout.settled(publishedTo(ingest.url))
    for (const token of [undefined, 'newsroom'] as const) {
      const c = await connect(t, fanout.wsUrl, token ? { token: await newsroomToken() } : {})
      c.send({ type: 'subscribe', id: 's1', channels: [token ? 'all' : 'category:national'] })
      const snap = (await c.next((m) => m.type === 'subscribed')).snapshot as { article: { id: string; pubStatus: string } }[]
      assert.deepEqual(
        snap.map((e) => `${e.article.id} ${e.article.pubStatus}`),
        token ? ['ok usable', 'cx canceled'] : ['ok usable'],
      )
    }
  })
})

async function newsroomToken(): Promise<string> {
  const { signNewsroomToken } = await import('../src/index.ts')
  const { DEV_NEWSROOM_SECRET } = await import('@newswire/shared')
  return signNewsroomToken(DEV_NEWSROOM_SECRET)
}
