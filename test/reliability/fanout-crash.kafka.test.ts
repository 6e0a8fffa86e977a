// Issue #7, fan-out crash: two real fan-out processes behind a small TCP balancer; 24 clients of
// the real SDK (services/client) spread over both, on public channels and the newsroom `all`.
// While articles are posted at a steady rate through ingest, instance A is killed with SIGKILL.
// Its clients reconnect (through the balancer, to B) with their last position and every client
// ends with exactly the acknowledged events its channels match: complete, in order, no duplicate.
import { peekPosition } from '../../services/fanout/src/position.ts'
import assert from 'node:assert/strict'
import { createServer, connect as tcpConnect } from 'node:net'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { connect } from '@newswire/client'
import type { Client } from '@newswire/client'
import { isBreaking } from '@newswire/shared'
import { WebSocket } from 'ws'
import { signNewsroomToken } from '../../services/fanout/src/token.ts'
import { brokers, http, sleep, uniquePrefix } from '../helpers.ts'
import { freePort, longestGap, ms, spawnFanout, spawnIngest } from './support.ts'
import type { Cleanup } from './support.ts'

const RATE = 25 // posts per second
const POSTS = 150
const KILL_AT_MS = 2_000
const CLIENTS = 24
const channelSets = [['category:national'], ['category:international'], ['breaking'], ['all']] as const

interface Ack {
  eventId: string
  id: string
  version: number
  category: string
  urgency: number
  at: number
}

interface Seen {
  eventId: string
  id: string
  version: number
  offsets: number[]
  at: number
}

/**
 * A TCP balancer like the one in front of real instances: connection n goes to backend n % 2, or
 * to the other one when that refuses. When either side closes, so does the other.
 */
async function balancer(t: Cleanup, backends: number[]): Promise<{ port: number; routed: number[] }> {
  const routed = backends.map(() => 0)
  const open = new Set<Socket>()
  let n = 0
  const server = createServer((client) => {
    open.add(client)
    client.on('close', () => open.delete(client))
    client.on('error', () => undefined)
    client.pause()
    const first = n++ % backends.length
    const tryBackend = (k: number) => {
      if (k === backends.length) return client.destroy()
      const i = (first + k) % backends.length
      const upstream = tcpConnect(backends[i] as number, '127.0.0.1')
      upstream.once('error', () => tryBackend(k + 1))
      upstream.once('connect', () => {
        routed[i] = (routed[i] ?? 0) + 1
        open.add(upstream)
        upstream.removeAllListeners('error')
        upstream.on('error', () => client.destroy())
        upstream.on('close', () => {
          open.delete(upstream)
          client.destroy()
        })
        client.on('close', () => upstream.destroy())
        client.pipe(upstream)
        upstream.pipe(client)
        client.resume()
      })
    }
    tryBackend(0)
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  t.after(async () => {
    for (const s of open) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { port, routed }
}

const offsetsOf = (position: string): number[] => peekPosition(position).o

test('fan-out crash: kill -9 one of two instances; its SDK clients resume on the other, complete and duplicate-free', async (t) => {
  const prefix = uniquePrefix()
  const env = { KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '3' }
  const ingest = await spawnIngest(t, env)
  const [a, b] = await Promise.all([spawnFanout(t, env), spawnFanout(t, env)])
  const lb = await balancer(t, [a.port, b.port])
  const token = await signNewsroomToken('dev-newsroom-secret', { ttlSeconds: 600 })

  const t0 = performance.now()
  const clients: { client: Client; channels: readonly string[]; seen: Seen[]; subscribedAt: number[] }[] = []
  for (let i = 0; i < CLIENTS; i++) {
    const channels = channelSets[i % channelSets.length] as readonly string[]
    const client = connect(`ws://127.0.0.1:${lb.port}`, {
      channels: [...channels],
      token: channels.includes('all') ? token : undefined,
      WebSocket,
      transport: 'websocket',
      backoff: { minMs: 200, maxMs: 1000, factor: 2 },
    })
    t.after(() => client.close())
    const entry = { client, channels, seen: [] as Seen[], subscribedAt: [] as number[] }
    client.on('event', (m) => {
      if (m.snapshot) return
      const ev = m.event as { eventId: string; article: { id: string; version: number } }
      entry.seen.push({
        eventId: ev.eventId,
        id: ev.article.id,
        version: ev.article.version,
        offsets: offsetsOf(m.position),
        at: performance.now() - t0,
      })
    })
    client.on('subscribed', () => entry.subscribedAt.push(performance.now() - t0))
    clients.push(entry)
  }
  const deadline = Date.now() + 15_000
  while (clients.some((c) => c.subscribedAt.length === 0) && Date.now() < deadline) await sleep(20)
  assert.equal(clients.filter((c) => c.subscribedAt.length === 1).length, CLIENTS, 'every client subscribed once')
  const routedBefore = [...lb.routed]
  assert.deepEqual(routedBefore, [CLIENTS / 2, CLIENTS / 2], 'clients spread over both instances')

  // Steady load; request i is due at start + i/RATE; A is killed at KILL_AT_MS
  const acks: Ack[] = []
  const failures: string[] = []
  const start = performance.now()
  let killedAt = 0
  const chaos = (async () => {
    await sleep(KILL_AT_MS)
    killedAt = performance.now() - t0
    await a.kill()
  })()
  for (let i = 0; i < POSTS; i++) {
    const wait = start + (i * 1000) / RATE - performance.now()
    if (wait > 0) await sleep(wait)
    const n = i % 50
    const art = {
      id: `crash-${n}`,
      language: 'en',
      headline: `Story ${n}, take ${Math.floor(i / 50) + 1}`,
      body: ['First paragraph.'],
      category: n % 2 === 0 ? 'national' : 'international',
      urgency: i % 4 === 0 ? 1 : 4,
    }
    // sequential: versions of one article are acknowledged in order
    const r = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: art })
    if (r.status !== 201 && r.status !== 200) failures.push(`${art.id}: ${r.status} ${r.text}`)
    else {
      const body = r.body as { eventId?: string; version: number }
      if (body.eventId === undefined) failures.push(`${art.id}: no event (${r.text})`)
      acks.push({
        eventId: body.eventId ?? '',
        id: art.id,
        version: body.version,
        category: art.category,
        urgency: art.urgency,
        at: performance.now() - t0,
      })
    }
  }
  await chaos
  assert.deepEqual(failures, [], 'ingest acknowledged every post')

  const expectedFor = (channels: readonly string[]) =>
    acks.filter(
      (k) =>
        channels.includes('all') ||
        channels.includes(`category:${k.category}`) ||
        (channels.includes('breaking') && isBreaking({ urgency: k.urgency, breaking: false })),
    )
  const done = () => clients.every((c) => c.seen.length >= expectedFor(c.channels).length)
  const until = Date.now() + 20_000
  while (!done() && Date.now() < until) await sleep(50)
  // Closing events, one per category and both breaking, so every client matches one or two of
  // them: anything late (a duplicate) reaches a client before its closing events do
  const closing = new Set<string>()
  for (const category of ['national', 'international']) {
    const json = { id: `closing-${category}`, language: 'en', headline: `Closing ${category}`, body: ['Last.'], category, urgency: 1 }
    const r = await http(`${ingest.url}/v1/articles`, { method: 'POST', json })
    assert.equal(r.status, 201, r.text)
    closing.add((r.body as { eventId: string }).eventId)
  }
  const closingFor = (channels: readonly string[]) => (channels.some((ch) => ch.startsWith('category:')) ? 1 : 2)
  const closed = () => clients.every((c) => c.seen.filter((s) => closing.has(s.eventId)).length >= closingFor(c.channels))
  const closeBy = Date.now() + 20_000
  while (!closed() && Date.now() < closeBy) await sleep(50)
  assert.ok(closed(), 'every client got its closing events')
  for (const c of clients) c.seen = c.seen.filter((s) => !closing.has(s.eventId))

  const reconnected = clients.filter((c) => c.client.stats.reconnects > 0)
  const resumeTimes = reconnected.map((c) => (c.subscribedAt[1] ?? Number.NaN) - killedAt)
  const figures = {
    clients: CLIENTS,
    'clients on A / B': routedBefore.join(' / '),
    posts: acks.length,
    'killed A at': ms(killedAt),
    'clients reconnected': reconnected.length,
    'kill → resubscribed on B (min/max)': `${ms(Math.min(...resumeTimes))} / ${ms(Math.max(...resumeTimes))}`,
    'longest gap without an event, A clients': ms(
      Math.max(
        ...reconnected.map((c) =>
          longestGap(
            c.seen.map((s) => s.at),
            killedAt,
            killedAt + 3000,
          ),
        ),
      ),
    ),
    'events delivered': clients.reduce((s, c) => s + c.seen.length, 0),
    'duplicates dropped by the SDK': clients.reduce((s, c) => s + c.client.stats.duplicates, 0),
  }
  t.diagnostic(`figures ${JSON.stringify(figures)}`)

  assert.equal(reconnected.length, CLIENTS / 2, 'exactly the clients of A reconnected')
  for (const c of reconnected) assert.equal(c.subscribedAt.length, 2, 'one resubscribe each')
  for (const c of clients) {
    const expected = expectedFor(c.channels)
    const label = c.channels.join(',')
    assert.ok(expected.length > 10, `${label}: enough traffic to mean something`)
    assert.equal(c.client.stats.duplicates, 0, `${label}: the server sent no duplicate (the SDK dropped none)`)
    // complete and duplicate-free: exactly the acknowledged events its channels match
    assert.deepEqual(
      c.seen.map((s) => s.eventId).sort(),
      expected.map((k) => k.eventId).sort(),
      `${label}: exactly the acknowledged events`,
    )
    // ordered: positions never go back on any partition, and each article's versions only grow
    for (let i = 1; i < c.seen.length; i++) {
      const prev = c.seen[i - 1] as Seen
      const cur = c.seen[i] as Seen
      assert.ok(
        cur.offsets.every((o, p) => o >= (prev.offsets[p] ?? 0)),
        `${label}: position went back at ${i}: ${prev.offsets} → ${cur.offsets}`,
      )
    }
    const lastVersion = new Map<string, number>()
    for (const s of c.seen) {
      assert.ok(s.version > (lastVersion.get(s.id) ?? 0), `${label}: ${s.id} v${s.version} after v${lastVersion.get(s.id)}`)
      lastVersion.set(s.id, s.version)
    }
  }
})
