// Embargoes survive restarts and resumes: a held article is released at its time exactly once.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, connect, drain, eventsOf, publish, publishedTo, startTestFanout, withdraw } from './helpers.ts'

const idOf = (m: { event: { article: { id: string } } }) => m.event.article.id

describe('embargo', { concurrency: true }, () => {
  test('held articles are released at embargo time after a restart of the fan-out', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const first = await startTestFanout(t, prefix)
    const releaseAt = Date.now() + 3000
    await publish(ingest.url, article('emb-r', { embargoedUntil: new Date(releaseAt).toISOString() }))
    await first.settled(publishedTo(ingest.url))
    await first.close()
    const second = await startTestFanout(t, prefix)
    const c = await connect(t, second.wsUrl)
    c.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
    const sub = await c.next((m) => m.type === 'subscribed')
    assert.deepEqual(sub.snapshot, [], 'not in the public snapshot while embargoed')
    const released = await c.next((m) => m.type === 'event', 10_000)
    assert.ok(Date.now() >= releaseAt)
    assert.equal(released.released, true)
    assert.equal(idOf(released as never), 'emb-r')
    // and it is in the snapshot now
    const d = await connect(t, second.wsUrl)
    d.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
    const snap = await d.next((m) => m.type === 'subscribed')
    assert.equal((snap.snapshot as unknown[]).length, 1)
  })

  test('a release that happened while the client was away comes with the resume, once', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    const a = await connect(t, fanout.wsUrl)
    a.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
    await a.next((m) => m.type === 'subscribed')
    const embargoAt = Date.now() + 2000
    await publish(ingest.url, article('emb-a', { embargoedUntil: new Date(embargoAt).toISOString() }))
    await publish(ingest.url, article('plain-a'))
    const seen = await a.next((m) => m.type === 'event')
    assert.equal(idOf(seen as never), 'plain-a')
    a.ws.close()
    await a.closed
    // away until the embargo has passed (the release happens while the client is gone)
    await new Promise((r) => setTimeout(r, embargoAt - Date.now() + 100))
    await fanout.settled(publishedTo(ingest.url))
    await publish(ingest.url, article('plain-b'))
    const b = await connect(t, fanout.wsUrl)
    b.send({ type: 'subscribe', id: 's1', channels: ['category:national'], since: seen.position })
    await b.until((all) => eventsOf(all).length >= 2)
    await drain(fanout, b, ingest.url)
    assert.deepEqual(eventsOf(b.messages).map(idOf).sort(), ['emb-a', 'plain-b'])
    // the one that went out while connected is not repeated
    assert.ok(!eventsOf(b.messages).some((m) => idOf(m) === 'plain-a'))
  })

  test('withdrawing a released article reaches the public; withdrawing a held one does not', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    const c = await connect(t, fanout.wsUrl)
    c.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
    await c.next((m) => m.type === 'subscribed')
    await publish(ingest.url, article('held', { embargoedUntil: new Date(Date.now() + 3_600_000).toISOString() }))
    await publish(ingest.url, article('soon', { embargoedUntil: new Date(Date.now() + 1500).toISOString() }))
    await c.next((m) => m.type === 'event' && m.released === true, 10_000)
    await withdraw(ingest.url, 'held', 'never mind')
    await withdraw(ingest.url, 'soon', 'error in story')
    const w = await c.next((m) => m.type === 'withdrawn')
    assert.equal(w.articleId, 'soon')
    await drain(fanout, c, ingest.url)
    assert.equal(c.messages.filter((m) => m.type === 'withdrawn').length, 1)
  })
})
