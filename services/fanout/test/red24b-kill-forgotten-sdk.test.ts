// red24b attack run, 2026-12-07: the SDK's duplicate filter forgot a kill among the day's stories.
// A public app reads the news on process A, which reads a kill; process B has not (a partition
// whose fetch stalled there). Then more stories than the filter holds (`dedupeCapacity`; a big news
// day at the default 50 000, or anyone with a write key publishing that many into the view); then
// the app adds a section (`update()`), its connection drops and comes back on B, and the fresh
// subscription's snapshot (a `reset` to the app) is B's: the story before its kill. The SDK keeps
// a kill across resets for exactly this (red14), but the kill had been pushed out of its memory by
// the other stories' marks, and the app showed the killed story as running.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { connect } from '../../client/src/index.ts'
import { event } from './support/events.ts'
import type { Harness } from './support/harness.ts'
import { hubSocket, Line, pairOnHubs, untilSettled } from './support/sdk-bridge.ts'

const START = 1_800_000_000_000
const CAPACITY = 40

test('a kill pushed out of the SDK’s filter by more stories than it holds: a fresh snapshot from a process behind the kill does not show the story again', async (t) => {
  const both = pairOnHubs(t, START)
  const { a, b } = both
  const at = () => both.clock.now()
  both.append(event('CREATED', { id: 'minister', version: 1, category: 'news', headline: 'Minister resigns' }, at()))
  await Promise.all([a.settle(), b.settle()])

  // the app's socket goes to whichever process the balancer picks: A first
  const line = new Line()
  let target: Harness = a
  const Balanced = function (this: unknown, url: string) {
    const S = hubSocket(target, 'public', line)
    return new S(url)
  } as unknown as typeof WebSocket
  const client = connect('ws://hub.test', {
    channels: ['category:news'],
    WebSocket: Balanced,
    transport: 'websocket',
    backoff: { minMs: 1, maxMs: 5 },
    pingIntervalMs: 0,
    dedupeCapacity: CAPACITY,
  })
  t.after(() => client.close())
  const shows = new Map<string, number>()
  client.on('event', ({ event: e }) => {
    if (e.type === 'WITHDRAWN' || e.article.pubStatus === 'canceled') shows.delete(e.article.id)
    else shows.set(e.article.id, e.article.version)
  })
  client.on('withdrawn', ({ articleId }) => shows.delete(articleId))
  client.on('reset', (r) => {
    shows.clear()
    for (const m of r.items) shows.set(m.event.article.id, m.event.article.version)
  })
  await untilSettled([a, b], () => shows.get('minister') === 1, 'the app shows the story')

  // the desk kills it; A reads the kill, B does not yet
  both.lagging = true
  both.append(event('WITHDRAWN', { id: 'minister', version: 2, category: 'news', pubStatus: 'canceled' }, at()))
  await untilSettled([a], () => !shows.has('minister'), 'the app took the story down')

  // the day goes on: more stories than the filter holds
  for (let i = 0; i < CAPACITY + 5; i++) both.append(event('CREATED', { id: `day-${i}`, version: 1, category: 'news' }, at()))
  await untilSettled([a], () => shows.size === CAPACITY + 5, 'the app shows the day’s stories')

  // the app adds a section while its connection is down; it comes back on B
  line.down()
  target = b
  client.update(['category:news', 'category:sport'])
  line.up = true
  let resets = 0
  client.on('reset', () => resets++)
  await untilSettled([a, b], () => resets > 0, 'the new view’s snapshot came')
  assert.equal(shows.has('minister'), false, `the killed story is not shown again: ${JSON.stringify([...shows].slice(0, 5))}`)

  // B reads on: the kill, then the day; the story stays down
  b.readOn(0)
  await untilSettled([a, b], () => b.hub.liveSeq === b.store.history.nextSeq && !b.hub.busy, 'B read everything')
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(shows.has('minister'), false)
})
