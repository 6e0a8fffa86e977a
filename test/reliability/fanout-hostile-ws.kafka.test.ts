// Issue #7, hostile WebSocket input against a real fan-out process: oversized frames, subscribe
// floods, thousands of channels, binary and non-JSON frames, half-open and slowloris connections,
// too many connections from one address. Each is refused with a clear close code (asserted
// exactly), while a well-behaved client connected all along keeps receiving events on time.
// Distinct loopback source addresses (127.0.0.x) keep the per-IP limit scenario apart.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { request } from 'node:http'
import { connect as tcpConnect } from 'node:net'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { article, publish } from '../../services/fanout/test/helpers.ts'
import { brokers, sleep, startTestIngest, uniquePrefix } from '../helpers.ts'
import type { Cleanup } from './support.ts'
import { mb, metricValue, ms, percentile, rssBytes, spawnFanout } from './support.ts'

const HANDSHAKE_TIMEOUT_MS = 1500
const PER_IP = 5

interface Peer {
  ws: WebSocket
  messages: Record<string, unknown>[]
  closed: Promise<{ code: number; reason: string; afterMs: number }>
  /** Resolves once `pred` holds for the messages so far (checked as each one arrives). */
  until: (pred: (all: Record<string, unknown>[]) => boolean, msLimit: number, what: string) => Promise<void>
}

async function open(t: Cleanup, url: string, localAddress = '127.0.0.1'): Promise<Peer> {
  const ws = new WebSocket(url, { localAddress })
  const t0 = performance.now()
  const messages: Record<string, unknown>[] = []
  const waiters = new Set<() => void>()
  ws.on('message', (d, isBinary) => {
    if (!isBinary) messages.push(JSON.parse(String(d)) as Record<string, unknown>)
    for (const w of [...waiters]) w()
  })
  const until = (pred: (all: Record<string, unknown>[]) => boolean, msLimit: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pred(messages)) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`${what}: nothing within ${msLimit} ms`))
      }, msLimit)
      waiters.add(check)
      check()
    })
  ws.on('error', () => undefined)
  const closed = new Promise<{ code: number; reason: string; afterMs: number }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), afterMs: performance.now() - t0 })),
  )
  t.after(() => ws.terminate())
  await Promise.race([once(ws, 'open'), closed])
  return { ws, messages, closed, until }
}

const within = <T>(p: Promise<T>, msLimit: number, what: string): Promise<T> =>
  Promise.race([p, sleep(msLimit).then(() => Promise.reject(new Error(`${what}: nothing within ${msLimit} ms`)))])

/** A raw TCP peer: what the server answers and when it closes. */
function rawPeer(t: Cleanup, port: number): { socket: Socket; data: () => string; closed: Promise<number> } {
  const socket = tcpConnect(port, '127.0.0.1')
  const t0 = performance.now()
  let data = ''
  socket.on('data', (b) => {
    data += b.toString('latin1')
  })
  socket.on('error', () => undefined)
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now() - t0)))
  t.after(() => socket.destroy())
  return { socket, data: () => data, closed }
}

test('hostile WebSocket input: each abuse refused with its close code; a good client keeps its events on time', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await spawnFanout(t, {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: '3',
    FANOUT_MAX_CONNECTIONS_PER_IP: String(PER_IP),
    FANOUT_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_TIMEOUT_MS),
  })
  const wsUrl = `ws://127.0.0.1:${fanout.port}/v1/stream`
  const rssStart = rssBytes(fanout.pid)

  // The well-behaved client, and a steady publisher (10/s) for the whole test
  const good = await open(t, wsUrl, '127.0.0.1')
  const receivedAt = new Map<string, number>()
  good.ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { type: string; event?: { eventId: string } }
    if (m.type === 'event' && m.event) receivedAt.set(m.event.eventId, performance.now())
  })
  good.ws.send(JSON.stringify({ type: 'subscribe', id: 'good', channels: ['category:national'] }))
  await good.until((all) => all.some((m) => m.type === 'subscribed'), 5000, 'good subscribed')
  const posted = new Map<string, number>()
  let publishing = true
  const publisher = (async () => {
    for (let i = 0; publishing; i++) {
      const sentAt = performance.now()
      const ack = await publish(ingest.url, article(`steady-${i}`))
      posted.set(ack.eventId, sentAt)
      await sleep(100)
    }
  })()

  const scenarios: Record<string, string> = {}
  const peerAddr = (n: number) => `127.0.0.${10 + n}`

  // 1. A text frame over FANOUT_MAX_MESSAGE_BYTES (16 KiB): ws closes with 1009 (the code is the reason; ws sends no text)
  {
    const p = await open(t, wsUrl, peerAddr(1))
    p.ws.send(JSON.stringify({ type: 'ping', id: 'x'.repeat(20_000) }))
    const c = await within(p.closed, 3000, 'oversized')
    assert.deepEqual([c.code, c.reason], [1009, ''], 'oversized frame → 1009')
    scenarios.oversized = `${c.code} in ${ms(c.afterMs)}`
  }

  // 2. Subscribe flood: 150 subscribes at once; over FANOUT_MAX_SUBSCRIBES_PER_10S (100) → 4429
  {
    const p = await open(t, wsUrl, peerAddr(2))
    for (let i = 0; i < 150; i++) p.ws.send(JSON.stringify({ type: 'subscribe', id: `f${i}`, channels: ['breaking'] }))
    const c = await within(p.closed, 3000, 'subscribe flood')
    assert.deepEqual([c.code, c.reason], [4429, 'too many subscribe messages'], 'subscribe flood → 4429')
    const subscribed = p.messages.filter((m) => m.type === 'subscribed').length
    assert.ok(subscribed <= 20, `at most FANOUT_MAX_SUBSCRIPTIONS (20) accepted, got ${subscribed}`)
    assert.ok(
      p.messages.filter((m) => m.type === 'error').every((m) => m.code === 'too_many_subscriptions'),
      'the ones over 20 were refused as too_many_subscriptions',
    )
    scenarios['subscribe flood'] = `${c.code} after ${subscribed} accepted`
  }

  // 3. Thousands of channels: 1000 (10 kB, under the frame limit) → an error frame, connection kept; 5000 → 1009
  {
    const p = await open(t, wsUrl, peerAddr(3))
    const channels = Array.from(
      { length: 1000 },
      (_, i) => `lang:${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + (Math.floor(i / 26) % 26))}`,
    )
    p.ws.send(JSON.stringify({ type: 'subscribe', id: 'many', channels }))
    p.ws.send(JSON.stringify({ type: 'ping', id: 'still-there' }))
    await p.until((all) => all.some((m) => m.type === 'pong'), 3000, 'pong after 1000 channels')
    assert.deepEqual(p.messages[0], {
      type: 'error',
      code: 'bad_message',
      message: 'channels must be a list of at most 50',
      ref: 'many',
    })
    assert.equal(p.ws.readyState, WebSocket.OPEN, 'an over-long channel list is an error, not a close')
    const huge = Array.from({ length: 5000 }, (_, i) => `category:c${i}`)
    p.ws.send(JSON.stringify({ type: 'subscribe', id: 'huge', channels: huge }))
    const c = await within(p.closed, 3000, '5000 channels')
    assert.deepEqual([c.code, c.reason], [1009, ''], '5000 channels (> 16 KiB) → 1009')
    scenarios['1000 channels'] = 'error bad_message, connection kept'
    scenarios['5000 channels'] = String(c.code)
  }

  // 4. Binary garbage → 4400
  {
    const p = await open(t, wsUrl, peerAddr(4))
    p.ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]), { binary: true })
    const c = await within(p.closed, 3000, 'binary')
    assert.deepEqual([c.code, c.reason], [4400, 'binary frames are not accepted; send JSON text'])
    scenarios.binary = String(c.code)
  }

  // 5. Invalid JSON → 4400; valid JSON of the wrong shape → an error frame
  {
    const p = await open(t, wsUrl, peerAddr(5))
    p.ws.send('[1,2')
    const c = await within(p.closed, 3000, 'invalid JSON')
    assert.deepEqual([c.code, c.reason], [4400, 'the frame is not valid JSON'])
    const q = await open(t, wsUrl, peerAddr(5))
    q.ws.send(JSON.stringify({ type: 'launch', id: 'm1' }))
    q.ws.send('"just a string"')
    await q.until((all) => all.length >= 2, 3000, 'errors for wrong shapes')
    assert.deepEqual(q.messages, [
      { type: 'error', code: 'unknown_type', message: "unknown message type 'launch' (subscribe, unsubscribe, ping)", ref: 'm1' },
      { type: 'error', code: 'bad_message', message: 'a message must be a JSON object' },
    ])
    assert.equal(q.ws.readyState, WebSocket.OPEN)
    scenarios['invalid JSON'] = String(c.code)
  }

  // 6. Half-open and slowloris: 100 silent TCP connections, 100 sending header bytes slowly,
  //    one more header byte every 200 ms. The server answers 408 and closes them all at the handshake timeout.
  {
    const silent = Array.from({ length: 100 }, () => rawPeer(t, fanout.port))
    const slow = Array.from({ length: 100 }, () => rawPeer(t, fanout.port))
    const request = `GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Slow: `
    const drip = setInterval(() => {
      for (const s of slow) if (!s.socket.destroyed) s.socket.write('a')
    }, 200)
    for (const s of slow) s.socket.write(request)
    t.after(() => clearInterval(drip))
    const silentClosed = await within(Promise.all(silent.map((s) => s.closed)), HANDSHAKE_TIMEOUT_MS + 4000, 'silent sockets closed')
    const slowClosed = await within(Promise.all(slow.map((s) => s.closed)), HANDSHAKE_TIMEOUT_MS + 4000, 'slowloris sockets closed')
    clearInterval(drip)
    for (const s of slow) assert.match(s.data(), /^HTTP\/1\.1 408 Request Timeout\r\n/, 'slowloris → 408')
    for (const s of silent) assert.match(s.data(), /^HTTP\/1\.1 408 Request Timeout\r\n/, 'a silent connection → 408 too')
    const closedAfter = [...silentClosed, ...slowClosed]
    assert.ok(Math.min(...closedAfter) >= HANDSHAKE_TIMEOUT_MS - 50, `not before the timeout: ${Math.min(...closedAfter)}`)
    scenarios['half-open/slowloris closed after'] =
      `${ms(Math.min(...closedAfter))} – ${ms(Math.max(...closedAfter))} (timeout ${HANDSHAKE_TIMEOUT_MS} ms)`
  }

  // 7. Too many connections from one address: the 6th WebSocket → 4429, SSE → 429; a slot freed is reusable
  {
    const addr = peerAddr(7)
    const peers = await Promise.all(Array.from({ length: PER_IP }, () => open(t, wsUrl, addr)))
    for (const p of peers) assert.equal(p.ws.readyState, WebSocket.OPEN)
    const extra = await open(t, wsUrl, addr)
    const c = await within(extra.closed, 3000, 'over the per-IP limit')
    assert.deepEqual([c.code, c.reason], [4429, 'too many connections from this address'])
    const sse = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: fanout.port, path: '/v1/sse?channels=breaking', localAddress: addr }, (res) => {
        let body = ''
        res.on('data', (b: Buffer) => {
          body += b.toString('utf8')
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      req.end()
    })
    assert.equal(sse.status, 429)
    const problem = JSON.parse(sse.body) as { code: string; detail: string }
    assert.deepEqual([problem.code, problem.detail], ['too_many_connections', 'too many connections from this address'])
    peers[0]?.ws.close(1000)
    await peers[0]?.closed
    // The server frees the slot when it sees the close, just after the client does: try until it has
    let again = await open(t, wsUrl, addr)
    for (const end = Date.now() + 3000; again.ws.readyState !== WebSocket.OPEN && Date.now() < end; ) {
      await again.closed
      again = await open(t, wsUrl, addr)
    }
    assert.equal(again.ws.readyState, WebSocket.OPEN, 'a freed slot is usable again')
    scenarios['per-IP limit'] = `${c.code} / SSE ${sse.status}`
  }

  publishing = false
  await publisher
  // Every event posted reaches the good client (the last ones may still be on their way)
  const delivered = (all: Record<string, unknown>[]) => new Set(all.map((m) => (m.event as { eventId?: string } | undefined)?.eventId))
  await good.until((all) => [...posted.keys()].every((id) => delivered(all).has(id)), 5000, 'every posted event').catch(() => undefined)
  // The good client was never disturbed and got every event on time
  assert.equal(good.ws.readyState, WebSocket.OPEN, 'the good client is still connected')
  const latencies = [...posted].map(([id, sentAt]) => (receivedAt.get(id) ?? Number.POSITIVE_INFINITY) - sentAt)
  const missing = [...posted.keys()].filter((id) => !receivedAt.has(id))
  assert.deepEqual(missing, [], 'the good client received every event posted during the abuse')
  // post → delivered includes the ingest round trip; 2 s leaves room for a loaded CI host
  assert.ok(percentile(latencies, 100) < 2000, `post → delivered under 2 s, max ${ms(percentile(latencies, 100))}`)
  const metrics = await (await fetch(`${fanout.url}/metrics`)).text()
  assert.equal(metricValue(metrics, 'newswire_fanout_connections_rejected_total', { reason: 'per_ip' }), 2)
  assert.equal((await fetch(`${fanout.url}/readyz`)).status, 200)
  const rssEnd = rssBytes(fanout.pid)

  const figures = {
    ...scenarios,
    'good client events': posted.size,
    'post → delivered p50 / p99 / max': `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))} / ${ms(percentile(latencies, 100))}`,
    'fan-out RSS start → end': `${mb(rssStart)} → ${mb(rssEnd)}`,
  }
  t.diagnostic(`figures ${JSON.stringify(figures)}`)
  assert.ok(rssEnd - rssStart < 100 * 1024 * 1024, 'RSS grew by less than 100 MB')
})
