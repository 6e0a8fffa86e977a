// A subscription named in the /v1/stream URL (issue 18, connection set-up): made as the connection
// opens, exactly as if it were the client's first message. The real endpoint over a hub harness:
// the same answer as the message gets (snapshot, audience, errors, the refusal of a process behind
// the log), with no message from the client, and the handshake's answer and `subscribed` in one
// write.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { Socket } from 'node:net'
import type { TestContext } from 'node:test'
import { test } from 'node:test'
import { closeCodes, DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { WebSocket } from 'ws'
import { connect } from '../../client/src/index.ts'
import { signNewsroomToken } from '../src/token.ts'
import type { Harness } from './support/harness.ts'
import { openAndHeld, serveEndpoint } from './support/ws-endpoint.ts'

interface Reader {
  ws: WebSocket
  got: Record<string, unknown>[]
  closed: Promise<{ code: number; reason: string }>
}

function open(url: string, protocols: string[] = []): Reader {
  const ws = new WebSocket(url, protocols)
  const got: Record<string, unknown>[] = []
  ws.on('message', (d) => got.push(JSON.parse(String(d)) as Record<string, unknown>))
  ws.on('error', () => undefined)
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  return { ws, got, closed }
}

async function until(h: Harness, done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) {
    await h.settle()
    await new Promise((r) => setTimeout(r, 10))
  }
  assert.ok(done(), what)
}

/** A harness holding a public story and one under embargo, behind the real endpoint. */
async function setUp(t: TestContext, logBehind?: () => boolean, watch?: (socket: Socket) => void) {
  const h = await openAndHeld()
  t.after(() => h.hub.stop())
  const served = await serveEndpoint(t, h, 'url-subscription-test', logBehind, watch)
  return { h, base: `ws://127.0.0.1:${served.port}/v1/stream` }
}

/** The first answer to the subscription `query` names, and to the same subscription sent as a message. */
async function bothWays(
  h: Harness,
  base: string,
  query: string,
  message: Record<string, unknown>,
  protocols: string[] = [],
): Promise<{ byUrl: Record<string, unknown>; byMessage: Record<string, unknown>; url: Reader }> {
  const url = open(`${base}?${query}`, protocols)
  const sent = open(base, protocols)
  await once(sent.ws, 'open')
  sent.ws.send(JSON.stringify({ type: 'subscribe', ...message }))
  await until(h, () => url.got.length > 0 && sent.got.length > 0, `no answer to ${query}`)
  return { byUrl: url.got[0] as Record<string, unknown>, byMessage: sent.got[0] as Record<string, unknown>, url }
}

const idsIn = (m: Record<string, unknown>): string[] =>
  ((m.snapshot ?? []) as { article?: { id: string } }[]).map((x) => x.article?.id ?? '').sort()

test('a subscription in the URL is answered with no message from the client, as the same subscribe message is', {
  timeout: 30_000,
}, async (t) => {
  const { h, base } = await setUp(t)
  const pub = await bothWays(h, base, 'channels=category:news&id=u1', { id: 'u1', channels: ['category:news'] })
  assert.equal(pub.byUrl.type, 'subscribed')
  assert.deepEqual(pub.byUrl, pub.byMessage, 'a public reader: the same answer both ways')
  assert.deepEqual(idsIn(pub.byUrl), ['open1'], 'nothing under embargo for a public reader')

  // a filter alone names one too, and without an id one is made, as for a message without one
  const filtered = await bothWays(h, base, 'languages=en&maxUrgency=9', { filter: { languages: ['en'], maxUrgency: 9 } })
  assert.deepEqual(filtered.byUrl, filtered.byMessage)
  assert.equal(filtered.byUrl.id, 's1')

  // the subscription can be ended by its id, and the connection subscribes on as before
  pub.url.ws.send(JSON.stringify({ type: 'unsubscribe', id: 'u1' }))
  pub.url.ws.send(JSON.stringify({ type: 'subscribe', id: 'u2', channels: ['breaking'] }))
  await until(h, () => pub.url.got.some((m) => m.type === 'subscribed' && m.id === 'u2'), 'no answer to a later subscribe')
})

test("a newsroom token's audience applies to the URL's subscription: embargoed stories only as the token allows", {
  timeout: 30_000,
}, async (t) => {
  const { h, base } = await setUp(t)
  const full = await signNewsroomToken(DEV_NEWSROOM_SECRET)
  const newsroom = await bothWays(h, base, 'channels=all&id=n', { id: 'n', channels: ['all'] }, ['newswire', `newswire.bearer.${full}`])
  assert.deepEqual(newsroom.byUrl, newsroom.byMessage)
  assert.deepEqual(idsIn(newsroom.byUrl), ['held1', 'open1'])

  const limited = await signNewsroomToken(DEV_NEWSROOM_SECRET, { embargo: false })
  const noEmbargo = await bothWays(h, base, 'channels=all&id=n', { id: 'n', channels: ['all'] }, ['newswire', `newswire.bearer.${limited}`])
  assert.deepEqual(noEmbargo.byUrl, noEmbargo.byMessage)
  assert.deepEqual(idsIn(noEmbargo.byUrl), ['open1'], 'a token without embargo rights was shown an embargoed story')

  // a public reader asking for what only the newsroom may see is refused as the message is
  const all = await bothWays(h, base, 'channels=all&id=p', { id: 'p', channels: ['all'] })
  assert.equal(all.byUrl.type, 'error')
  assert.deepEqual(all.byUrl, all.byMessage)
  const states = await bothWays(h, base, 'states=embargoed&id=p', { id: 'p', filter: { states: ['embargoed'] } })
  assert.equal(states.byUrl.type, 'error')
  assert.deepEqual(states.byUrl, states.byMessage)
})

test('a bad subscription in the URL gets the error the same message gets, and the connection stays usable', {
  timeout: 30_000,
}, async (t) => {
  const { h, base } = await setUp(t)
  const cases: [string, Record<string, unknown>][] = [
    ['channels=nowhere:x&id=b1', { id: 'b1', channels: ['nowhere:x'] }],
    ['channels=breaking&id=b2&maxUrgency=12', { id: 'b2', channels: ['breaking'], filter: { maxUrgency: 12 } }],
    ['channels=breaking&id=b3&since=not-a-position', { id: 'b3', channels: ['breaking'], since: 'not-a-position' }],
    ['channels=all&id=b4', { id: 'b4', channels: ['all'] }],
  ]
  for (const [query, message] of cases) {
    const r = await bothWays(h, base, query, message)
    assert.equal(r.byUrl.type, 'error', query)
    assert.deepEqual(r.byUrl, r.byMessage, query)
    r.url.ws.send(JSON.stringify({ type: 'subscribe', id: 'ok', channels: ['category:news'] }))
    await until(
      h,
      () => r.url.got.some((m) => m.type === 'subscribed' && m.id === 'ok'),
      `${query}: the connection is not usable after the error`,
    )
  }
  // an id the message form refuses: the URL's error names no subscription, as the message's does
  const badId = await bothWays(h, base, 'channels=breaking&id=', { id: '', channels: ['breaking'] })
  assert.equal(badId.byUrl.type, 'error')
  assert.deepEqual(badId.byUrl, badId.byMessage)
})

test("the handshake answer and the URL subscription's `subscribed` leave in one write", { timeout: 30_000 }, async (t) => {
  const writes: number[] = []
  const { h, base } = await setUp(t, undefined, (socket) => {
    const i = writes.push(0) - 1
    const s = socket as Socket & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void }
    const write = s._write
    const writev = s._writev
    s._write = function (...a: unknown[]) {
      writes[i] = (writes[i] ?? 0) + 1
      return write.apply(this, a)
    }
    s._writev = function (...a: unknown[]) {
      writes[i] = (writes[i] ?? 0) + 1
      return writev.apply(this, a)
    }
  })
  const r = open(`${base}?channels=breaking&id=w`)
  await until(h, () => r.got.length > 0, 'no subscribed')
  assert.equal(r.got[0]?.type, 'subscribed')
  assert.deepEqual(writes, [1], 'the 101 and `subscribed` took more than one write')
})

test('a process behind the log refuses the URL subscription as it refuses the message: 1013, come back', {
  timeout: 30_000,
}, async (t) => {
  const { base } = await setUp(t, () => true)
  const r = open(`${base}?channels=breaking&id=x`)
  const closed = await r.closed
  assert.equal(closed.code, closeCodes.tryAgainLater)
  assert.match(closed.reason, /not ready: the event log is not read/)
  assert.deepEqual(
    r.got.map((m) => m.type),
    ['reconnect'],
    'it was answered before it was refused',
  )
})

test('a client offering newswire.url-subscription is answered with it when the URL names a subscription, newswire otherwise', {
  timeout: 30_000,
}, async (t) => {
  const { h, base } = await setUp(t)
  const offered = ['newswire', 'newswire.url-subscription']
  const answered = async (url: string, protocols: string[]) => {
    const r = open(url, protocols)
    await once(r.ws, 'open')
    r.ws.close()
    return r.ws.protocol
  }
  assert.equal(await answered(`${base}?channels=breaking&id=a`, offered), 'newswire.url-subscription')
  // the same, the other way round and beside a token: the server picks by name, not by place
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET)
  assert.equal(
    await answered(`${base}?id=a&channels=all`, [`newswire.bearer.${token}`, ...offered.toReversed()]),
    'newswire.url-subscription',
  )
  // no subscription named (batch alone does not name one): the client must send it
  assert.equal(await answered(`${base}?batch=1`, offered), 'newswire')
  assert.equal(await answered(base, offered), 'newswire')
  // a client that does not offer it (the bench's, older SDKs) still has its URL subscription taken
  const plain = open(`${base}?channels=breaking&id=c`, ['newswire'])
  await until(h, () => plain.got.length > 0, 'no subscribed')
  assert.equal(plain.ws.protocol, 'newswire')
  assert.equal(plain.got[0]?.type, 'subscribed')
})

test('the SDK names its subscription in the URL and sends no subscribe: one round trip less, the same answer', {
  timeout: 30_000,
}, async (t) => {
  const { h, base } = await setUp(t)
  const sent: string[] = []
  class Recording extends WebSocket {
    override send(data: string): void {
      sent.push(data)
      super.send(data)
    }
  }
  const client = connect(base.replace('/v1/stream', ''), { channels: ['category:news'], WebSocket: Recording, transport: 'websocket' })
  t.after(() => client.close())
  const snapshot: string[] = []
  client.on('event', (m) => snapshot.push(m.event.article.id))
  await until(h, () => client.position !== null, 'the SDK was never subscribed')
  assert.deepEqual(snapshot, ['open1'], 'nothing under embargo for a public reader')
  assert.deepEqual(
    sent.map((d) => (JSON.parse(d) as { type: string }).type),
    [],
    'the SDK sent its subscription as a message too',
  )
})
