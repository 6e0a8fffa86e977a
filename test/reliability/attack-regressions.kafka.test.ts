// The eight cases of the outside attack run on the fan-out (issue 13), against the real broker,
// ingest and fan-out, over WebSocket and SSE. The in-process versions (services/fanout/test/
// hub.test.ts) and the model-based test (confidentiality.test.ts) prove the class of bug gone;
// these prove it through the real transports.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import type { TestContext } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { DEV_POSITION_KEY } from '../../services/fanout/src/config.ts'
import { PositionCodec } from '../../services/fanout/src/position.ts'
import { signNewsroomToken } from '../../services/fanout/src/token.ts'
import {
  article,
  connect,
  eventsOf,
  openSse,
  publish,
  publishBatch,
  startTestFanout,
  withdraw,
} from '../../services/fanout/test/helpers.ts'
import type { Msg } from '../../services/fanout/test/helpers.ts'
import { brokers, startTestIngest, uniquePrefix } from '../helpers.ts'
import { spawnFanout } from './support.ts'

const SECRET = DEV_NEWSROOM_SECRET
const forge = (position: string, change: Record<string, unknown>) => {
  const [prefix, body, mac] = position.split('.')
  const p = JSON.parse(Buffer.from(body as string, 'base64url').toString()) as Record<string, unknown>
  return `${prefix}.${Buffer.from(JSON.stringify({ ...p, ...change })).toString('base64url')}.${mac}`
}
const hasSecret = (messages: unknown[]) => JSON.stringify(messages).includes('EMBARGOED-HEADLINE')

/** One live event's position, then an embargoed story, then noise that pushes the position out of a small memory. */
async function setup(t: TestContext, history: string) {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: history })
  const a = await connect(t, fanout.wsUrl)
  a.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
  await a.next((m) => m.type === 'subscribed')
  await publish(ingest.url, article('before'))
  const real = (await a.next((m) => m.type === 'event')).position as string
  a.ws.close()
  await publish(
    ingest.url,
    article('secret', { headline: 'EMBARGOED-HEADLINE', embargoedUntil: new Date(Date.now() + 3_600_000).toISOString() }),
  )
  await publishBatch(
    ingest.url,
    Array.from({ length: 12 }, (_, i) => article(`noise-${i}`, { category: 'sports' })),
  )
  return { ingest, fanout, real }
}

describe('the outside attack run, through the real transports', { concurrency: true }, () => {
  for (const history of ['50000', '6']) {
    test(`1. a forged watermark releases nothing: WebSocket since, SSE Last-Event-ID and ?since=, catchUp latest, embargo-limited token (history ${history})`, async (t) => {
      const { fanout, real } = await setup(t, history)
      const limited = await signNewsroomToken(SECRET, { ttlSeconds: 600, embargo: false })
      for (const forged of [forge(real, { t: Date.now() + 7_200_000 }), forge(real, { t: 2 ** 53 - 1 })]) {
        for (const catchUp of ['all', 'latest']) {
          for (const token of [undefined, limited]) {
            const c = await connect(t, fanout.wsUrl, token ? { token } : {})
            c.send({ type: 'subscribe', id: 's1', channels: ['category:national'], since: forged, catchUp })
            await c.next((m) => m.type === 'reset')
            assert.equal(c.messages[0]?.type, 'error')
            assert.equal(c.messages[0]?.code, 'invalid_position')
            const tq = token ? `&token=${token}` : ''
            const viaHeader = await openSse(t, `${fanout.url}/v1/sse?channels=category:national&catchUp=${catchUp}${tq}`, {
              'last-event-id': forged,
            })
            const viaQuery = await openSse(
              t,
              `${fanout.url}/v1/sse?channels=category:national&catchUp=${catchUp}${tq}&since=${encodeURIComponent(forged)}`,
            )
            for (const s of [viaHeader, viaQuery]) {
              await s.until((all) => all.some((e) => e.event === 'reset'))
              assert.equal(s.events[0]?.event, 'error')
              assert.ok(!hasSecret(s.events), 'SSE')
            }
            await new Promise((r) => setTimeout(r, 200))
            assert.ok(!hasSecret(c.messages), 'WebSocket')
          }
        }
      }
    })
  }

  test('2. a hundred absurd watermarks cost nothing and log no TimeoutOverflowWarning; a position ahead of the log is reset, not stuck', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await spawnFanout(t, { KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: prefix })
    const wsUrl = `${fanout.url.replace('http', 'ws')}/v1/stream`
    await publish(ingest.url, article('seed'))
    const sign = new PositionCodec([DEV_POSITION_KEY])
    const cpu = () => {
      const f = readFileSync(`/proc/${fanout.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      return (Number(f[11]) + Number(f[12])) * 10 // ms (USER_HZ 100)
    }
    const before = cpu()
    const t0 = Date.now()
    const clients = await Promise.all(Array.from({ length: 100 }, () => connect(t, wsUrl)))
    for (const [i, c] of clients.entries()) {
      // half forged (a signature that cannot match), half signed with the right key but absurd
      const since =
        i % 2 === 0 ? forge(sign.encode({ o: [0, 0, 0], t: 1 }), { t: 2 ** 53 - 1 }) : sign.encode({ o: [0, 0, 0], t: 2 ** 53 - 1 })
      c.send({ type: 'subscribe', id: 's1', channels: ['breaking'], since })
    }
    await Promise.all(clients.map((c) => c.next((m) => m.type === 'reset')))
    await new Promise((r) => setTimeout(r, 2000))
    const cpuMs = cpu() - before
    const wallMs = Date.now() - t0
    t.diagnostic(`100 absurd resumes: fan-out CPU ${cpuMs} ms over ${wallMs} ms`)
    assert.ok(cpuMs < wallMs * 0.5, `the fan-out spun: ${cpuMs} ms CPU in ${wallMs} ms`)
    assert.ok(!fanout.output().includes('TimeoutOverflowWarning'), 'no timer past 2^31-1 ms')
    // signed, in range, but ahead of the log (no other instance has read that far)
    const ahead = await connect(t, wsUrl)
    ahead.send({
      type: 'subscribe',
      id: 's1',
      channels: ['category:national'],
      since: sign.encode({ o: [1000, 1000, 1000], t: Date.now() }),
    })
    const err = await ahead.next((m) => m.type === 'error')
    assert.match(String(err.message), /ahead of the log/)
    await ahead.next((m) => m.type === 'reset')
    const live = await publish(ingest.url, article('after-reset'))
    await ahead.next((m) => m.type === 'event' && (m.event as { eventId: string }).eventId === live.eventId)
  })

  test('3. a kill or withhold accepted 2–30 ms before the embargo reaches every public reader who got the release', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    const pub = await connect(t, fanout.wsUrl)
    pub.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
    await pub.next((m) => m.type === 'subscribed')
    const at = Date.now() + 2000
    const ids: string[] = []
    // each kill or hold, once acknowledged (a 2xx: durably in Kafka); the wait below is for all of them
    const acts: Promise<unknown>[] = []
    for (const [i, before] of [2, 5, 10, 20, 30, 2, 5, 10, 20, 30].entries()) {
      const id = `race-${i}`
      ids.push(id)
      await publish(ingest.url, article(id, { embargoedUntil: new Date(at).toISOString() }))
      acts.push(
        new Promise((r) => setTimeout(r, Math.max(0, at - before - Date.now()))).then(async () => {
          if (i % 2 === 0) await withdraw(ingest.url, id, 'legal')
          else await publish(ingest.url, article(id, { pubStatus: 'withheld', embargoedUntil: new Date(at).toISOString() }))
        }),
      )
    }
    await new Promise((r) => setTimeout(r, at - Date.now() + 2000))
    await Promise.all(acts)
    // on a loaded machine a kill may be acknowledged (and reach the fan-out) seconds after the
    // release: whoever got the release must hear of it all the same, however late
    for (const id of ids) {
      const released = eventsOf(pub.messages).some((m) => m.event.article.id === id)
      const retracted = released
        ? await pub
            .next((m) => m.type === 'withdrawn' && m.articleId === id, 10_000)
            .then(
              () => true,
              () => false,
            )
        : pub.messages.some((m) => m.type === 'withdrawn' && m.articleId === id)
      assert.equal(retracted, released, `${id}: released ${released}, retracted ${retracted}`)
    }
    t.diagnostic(
      `released then retracted: ${ids.filter((id) => eventsOf(pub.messages).some((m) => m.event.article.id === id)).length} of ${ids.length}`,
    )
  })

  test('4. an SSE newsroom stream ends with 4401 when its token expires, and carries nothing after', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    const token = await signNewsroomToken(SECRET, { ttlSeconds: 2 })
    const expiresAt = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).exp * 1000
    const sse = await openSse(t, `${fanout.url}/v1/sse?channels=all&token=${token}`)
    await sse.until((all) => all.some((e) => e.event === 'subscribed'))
    const closed = await sse.until((all) => all.some((e) => e.event === 'close'), 5000)
    const close = closed.find((e) => e.event === 'close')
    assert.equal(close?.data.code, 4401)
    assert.equal(close?.data.reason, 'token expired')
    assert.ok(Date.now() >= expiresAt - 50)
    await publish(ingest.url, article('after-expiry', { pubStatus: 'withheld' }))
    await new Promise((r) => setTimeout(r, 500))
    assert.ok(!JSON.stringify(sse.events).includes('after-expiry'))
  })

  test('5. a story moved out of a filtered view and then withdrawn is retracted there: channel, filter, language, newsroom desk', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    const desk = await signNewsroomToken(SECRET, { ttlSeconds: 600, desks: ['national'] })
    const clients = [
      { name: 'category channel', c: await connect(t, fanout.wsUrl), sub: { channels: ['category:national'] } },
      { name: 'category filter', c: await connect(t, fanout.wsUrl), sub: { filter: { categories: ['national'] } } },
      { name: 'language channel', c: await connect(t, fanout.wsUrl), sub: { channels: ['lang:bn'] } },
      { name: 'newsroom desk', c: await connect(t, fanout.wsUrl, { token: desk }), sub: { channels: ['all'] } },
    ]
    for (const { c, sub } of clients) {
      c.send({ type: 'subscribe', id: 's1', ...sub })
      await c.next((m) => m.type === 'subscribed')
    }
    await publish(ingest.url, article('mover', { language: 'bn' }))
    await publish(ingest.url, article('mover', { language: 'en', category: 'sports' }))
    await withdraw(ingest.url, 'mover', 'legal')
    for (const { name, c } of clients) {
      await c.until((all) => all.filter((m) => m.type === 'withdrawn').length >= 2)
      assert.deepEqual(
        c.messages.filter((m) => m.type === 'withdrawn').map((m) => m.cause),
        ['left', 'withdrawn'],
        name,
      )
    }
  })

  test('6. a newsroom token valid for 30 days is not closed at once', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    const token = await signNewsroomToken(SECRET, { ttlSeconds: 30 * 86_400 })
    const ws = await connect(t, fanout.wsUrl, { token })
    ws.send({ type: 'subscribe', id: 's1', channels: ['all'] })
    const sse = await openSse(t, `${fanout.url}/v1/sse?channels=all&token=${token}`)
    await ws.next((m) => m.type === 'subscribed')
    const e = await publish(ingest.url, article('month-long'))
    await ws.next((m) => m.type === 'event' && (m.event as { eventId: string }).eventId === e.eventId)
    await sse.until((all) => all.some((x) => x.data.event?.eventId === e.eventId))
    assert.ok(!sse.events.some((x) => x.event === 'close'))
    assert.equal(ws.ws.readyState, ws.ws.OPEN)
  })

  test('7. a replay from Kafka tells the public nothing of a story that was only ever withheld', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: '6' })
    const a = await connect(t, fanout.wsUrl)
    a.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
    await a.next((m) => m.type === 'subscribed')
    await publish(ingest.url, article('open'))
    const since = (await a.next((m) => m.type === 'event')).position as string
    a.ws.close()
    await publish(ingest.url, article('hidden-one', { pubStatus: 'withheld' }))
    await publish(ingest.url, article('hidden-one', { pubStatus: 'withheld', headline: 'Still held' }))
    await withdraw(ingest.url, 'hidden-one', 'spiked')
    await publishBatch(
      ingest.url,
      Array.from({ length: 12 }, (_, i) => article(`noise-${i}`, { category: 'sports' })),
    )
    const b = await connect(t, fanout.wsUrl)
    b.send({ type: 'subscribe', id: 's1', channels: ['category:national'], since })
    const subscribed = await b.next((m) => m.type === 'subscribed')
    assert.equal(subscribed.replay, 'kafka')
    const marker = await publish(ingest.url, article('marker'))
    await b.next((m) => m.type === 'event' && (m.event as { eventId: string }).eventId === marker.eventId, 20_000)
    assert.ok(!JSON.stringify(b.messages).includes('hidden-one'))
  })

  test('8. the subscribe rate limit sends the answers already queued before closing with 4429', async (t) => {
    const prefix = uniquePrefix()
    const fanout = await startTestFanout(t, prefix)
    const c = await connect(t, fanout.wsUrl)
    for (let i = 0; i < 101; i++) c.send({ type: 'subscribe', id: `f${i}`, channels: ['breaking'] })
    const closed = await c.closed
    assert.deepEqual(closed, { code: 4429, reason: 'too many subscribe messages' })
    // FANOUT_MAX_SUBSCRIPTIONS (20) accepted, the other 80 refused with an error each: all 100 answered
    const answers = c.messages.filter((m: Msg) => (m.type === 'subscribed' || m.type === 'error') && String(m.id ?? m.ref).startsWith('f'))
    assert.equal(answers.length, 100)
    assert.equal(c.messages.filter((m) => m.type === 'subscribed').length, 20)
  })
})
