// red16 attack run (2026-12-06): the network changes (a laptop moved to another Wi-Fi, a phone
// from Wi-Fi to mobile data) a few seconds after a regular ping was answered. The `online` event's
// ping (red8) had no check of its own: one check waited at a time, the regular ping's, and it passed
// on that ping's pong. So the socket the change left dead was found only after the next regular
// ping, up to 35 s after the network came back instead of 10 s, and a ticker kept showing a story
// killed meanwhile for that long.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { articleEvent, FakeWebSocket, flush } from './fakes.ts'
import { accept, start, windowEvents } from './harness.ts'

const events = windowEvents()

for (const afterPongMs of [1, 3_000, 9_000])
  test(`the network back ${afterPongMs} ms after a regular ping was answered: the dead socket is found within pongTimeoutMs, and the kill comes`, async (t) => {
    const { client, clock, log } = start(t)
    const shown = new Set<string>()
    client.on('event', (m) => shown.add(m.event.article.id))
    client.on('withdrawn', (m) => shown.delete(m.articleId))
    const ws = accept('p1', [articleEvent('a', 1)])
    assert.deepEqual([...shown], ['a'], 'the reader sees the story')

    clock.advance(25_000) // the regular ping
    const ping = ws.sent.findLast((m) => m.type === 'ping')
    assert.ok(ping, 'a regular ping went out')
    ws.push({ type: 'pong', id: ping.id })
    clock.advance(afterPongMs)

    // the network changes: this socket is dead without a word; the story is killed meanwhile
    events().dispatchEvent(new Event('online'))
    clock.advance(10_000)
    await flush()
    assert.equal(client.state, 'reconnecting', `dead within 10 s of the network coming back (states: ${log.stateNames.join(' → ')})`)

    clock.advance(1_000) // the first backoff step
    await flush()
    assert.equal(FakeWebSocket.instances.length, 2, 'a new connection')
    const again = FakeWebSocket.last.open()
    const sub = again.subscribes.at(-1)
    assert.equal(sub?.since, 'p1', 'resumed from its position')
    again.push({ type: 'subscribed', id: sub?.id, channels: sub?.channels, position: 'p2', snapshot: [] })
    again.push({ type: 'withdrawn', position: 'p3', articleId: 'a', version: 2, reason: 'legal', cause: 'withdrawn' })
    assert.deepEqual([...shown], [], 'the kill reached the reader')
  })
