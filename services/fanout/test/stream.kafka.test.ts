// The WebSocket stream against a real broker: ingest publishes, fan-out delivers.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { signNewsroomToken } from '../src/index.ts'
import { article, connect, eventsOf, publish, startTestFanout, withdraw } from './helpers.ts'
import type { Msg } from './helpers.ts'

describe('fan-out WebSocket stream', { concurrency: true }, () => {
  test('subscribe, publish through ingest, receive; withdraw reaches the ticker; newsroom sees everything, flagged', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    const pub = await connect(t, fanout.wsUrl)
    const nr = await connect(t, fanout.wsUrl, { token: await signNewsroomToken(DEV_NEWSROOM_SECRET) })
    pub.send({
      type: 'subscribe',
      id: 's1',
      channels: ['breaking', 'category:international'],
      filter: { languages: ['bn'], maxUrgency: 3 },
    })
    nr.send({ type: 'subscribe', id: 'n1', channels: ['all'] })
    const sub = await pub.next((m) => m.type === 'subscribed')
    assert.equal(sub.id, 's1')
    assert.deepEqual(sub.channels, ['breaking', 'category:international'])
    assert.ok(typeof sub.position === 'string' && sub.position.startsWith('2.'))
    assert.deepEqual(sub.snapshot, [])
    await nr.next((m) => m.type === 'subscribed')

    // not matching: wrong language; matching: bn + international; matching: bn + breaking; withheld: never public
    await publish(ingest.url, article('en-1', { language: 'en', category: 'international' }))
    const created = await publish(ingest.url, article('bn-1', { language: 'bn', category: 'international' }))
    await publish(ingest.url, article('bn-2', { language: 'bn-BD', category: 'sports', urgency: 1 }))
    await publish(ingest.url, article('bn-3', { language: 'bn', category: 'international', pubStatus: 'withheld' }))
    await publish(
      ingest.url,
      article('bn-4', { language: 'bn', category: 'international', embargoedUntil: new Date(Date.now() + 3_600_000).toISOString() }),
    )
    const got = await pub.until((all) => eventsOf(all).length >= 2)
    const first = eventsOf(got)[0] as unknown as Msg & { event: { eventId: string; type: string; article: { id: string } } }
    assert.equal(first.channel, 'category:international')
    assert.equal(first.event.eventId, created.eventId)
    assert.equal(first.event.type, 'CREATED')
    assert.equal(typeof first.position, 'string')
    assert.equal((eventsOf(got)[1] as Msg).channel, 'breaking')

    // the newsroom gets all five, the embargoed one flagged
    const nrGot = await nr.until((all) => eventsOf(all).length >= 5)
    const embargoed = eventsOf(nrGot).find((m) => m.event.article.id === 'bn-4')
    assert.equal(embargoed?.embargoed, true)
    assert.ok(eventsOf(nrGot).find((m) => m.event.article.id === 'bn-3'))

    await withdraw(ingest.url, 'bn-1', 'legal')
    const w = await pub.next((m) => m.type === 'withdrawn')
    assert.equal(w.articleId, 'bn-1')
    assert.equal(w.reason, 'legal')
    await nr.next((m) => m.type === 'withdrawn' && m.articleId === 'bn-1')
    // nothing withheld, embargoed or off-filter ever reached the public client
    const ids = eventsOf(pub.messages).map((m) => m.event.article.id)
    assert.deepEqual(ids, ['bn-1', 'bn-2'])

    // a new public subscriber gets the ticker snapshot: bn-2 only (bn-1 withdrawn)
    const late = await connect(t, fanout.wsUrl)
    late.send({ type: 'subscribe', id: 'x', channels: ['breaking', 'category:international'], filter: { languages: ['bn'] } })
    const snap = await late.next((m) => m.type === 'subscribed')
    assert.deepEqual(
      (snap.snapshot as { article: { id: string } }[]).map((e) => e.article.id),
      ['bn-2'],
    )
  })

  test('an embargoed article is held from the public and released at embargo time', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    const pub = await connect(t, fanout.wsUrl)
    pub.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
    await pub.next((m) => m.type === 'subscribed')
    const releaseAt = Date.now() + 2500
    await publish(ingest.url, article('emb-1', { embargoedUntil: new Date(releaseAt).toISOString() }))
    await publish(ingest.url, article('now-1'))
    const now1 = await pub.next((m) => m.type === 'event')
    assert.equal((now1.event as { article: { id: string } }).article.id, 'now-1')
    const released = await pub.next((m) => m.type === 'event' && (m.event as { article: { id: string } }).article.id === 'emb-1', 10_000)
    assert.ok(Date.now() >= releaseAt, 'not before the embargo')
    assert.ok(Date.now() < releaseAt + 1500, 'released on time')
    assert.equal(released.released, true)
    assert.equal(eventsOf(pub.messages).length, 2)
  })

  test('bad tokens close with 4401; a forbidden channel is an error and the connection stays', async (t) => {
    const prefix = uniquePrefix()
    const fanout = await startTestFanout(t, prefix)
    const bad = await connect(t, fanout.wsUrl, { token: 'not-a-jwt' })
    assert.equal((await bad.closed).code, 4401)
    const expired = await connect(t, fanout.wsUrl, { token: await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: -10 }) })
    const e = await expired.closed
    assert.equal(e.code, 4401)
    assert.match(e.reason, /expired/)
    const wrongAud = await connect(t, fanout.wsUrl, { token: await signNewsroomToken(DEV_NEWSROOM_SECRET, { audience: 'other' }) })
    assert.equal((await wrongAud.closed).code, 4401)
    const noScope = await connect(t, fanout.wsUrl, { token: await signNewsroomToken(DEV_NEWSROOM_SECRET, { scope: 'reader' }) })
    assert.equal((await noScope.closed).code, 4401)
    const wrongKey = await connect(t, fanout.wsUrl, { token: await signNewsroomToken('another-secret-of-some-length') })
    assert.equal((await wrongKey.closed).code, 4401)

    const pub = await connect(t, fanout.wsUrl)
    pub.send({ type: 'subscribe', id: 's1', channels: ['all'] })
    const err = await pub.next((m) => m.type === 'error')
    assert.equal(err.code, 'forbidden_channel')
    assert.equal(err.ref, 's1')
    pub.send({ type: 'subscribe', id: 's2', channels: ['nonsense'] })
    assert.equal((await pub.next((m) => m.type === 'error' && m.ref === 's2')).code, 'bad_channel')
    pub.send({ type: 'dance' })
    assert.equal((await pub.next((m) => m.type === 'error' && m.code === 'unknown_type')).code, 'unknown_type')
    pub.send({ type: 'ping', id: 'p1' })
    assert.equal((await pub.next((m) => m.type === 'pong')).id, 'p1')
    pub.send({ type: 'subscribe', id: 's3', channels: ['breaking'], since: 'garbage' })
    assert.equal((await pub.next((m) => m.type === 'error' && m.ref === 's3')).code, 'invalid_position')
    // the array-scope form of the claim works
    const nr = await connect(t, fanout.wsUrl, { token: await signNewsroomToken(DEV_NEWSROOM_SECRET, { scope: ['reader', 'newsroom'] }) })
    nr.send({ type: 'subscribe', id: 'n', channels: ['all'] })
    assert.equal((await nr.next((m) => m.type === 'subscribed' || m.type === 'error')).type, 'subscribed')
  })

  test('binary and unparseable frames close with 4400; oversized with 1009; limits per connection', async (t) => {
    const prefix = uniquePrefix()
    const fanout = await startTestFanout(t, prefix, { FANOUT_MAX_SUBSCRIPTIONS: '2', FANOUT_ALLOWED_ORIGINS: 'https://news.example' })
    const a = await connect(t, fanout.wsUrl)
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    assert.equal((await a.closed).code, 4400)
    const b = await connect(t, fanout.wsUrl)
    b.send('{not json')
    assert.equal((await b.closed).code, 4400)
    const c = await connect(t, fanout.wsUrl)
    c.send({ type: 'subscribe', channels: ['breaking'], pad: 'x'.repeat(20_000) })
    assert.equal((await c.closed).code, 1009)
    const d = await connect(t, fanout.wsUrl)
    for (const id of ['a', 'b', 'c']) d.send({ type: 'subscribe', id, channels: ['breaking'] })
    const err = await d.next((m) => m.type === 'error')
    assert.equal(err.code, 'too_many_subscriptions')
    assert.equal(err.ref, 'c')
    d.send({ type: 'unsubscribe', id: 'a' })
    await d.next((m) => m.type === 'unsubscribed')
    d.send({ type: 'subscribe', id: 'c', channels: ['breaking'] })
    await d.next((m) => m.type === 'subscribed' && m.id === 'c')
    const evil = await connect(t, fanout.wsUrl, { headers: { origin: 'https://evil.example' } })
    assert.equal((await evil.closed).code, 1008)
    const good = await connect(t, fanout.wsUrl, { headers: { origin: 'https://news.example' } })
    assert.equal(good.ws.readyState, good.ws.OPEN)
  })
})
