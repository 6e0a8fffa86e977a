// red18 attack run, 2026-12-06: the newest page of stories (GET /v1/snapshot without a cursor, the
// SDK's older(client, null)) beside a stream that is behind the process answering it. The page is
// that process's state now, with `at` as without: it held a story at the version that lifted a
// hold the reader's stream had still to bring. The stream then brought the hold (`withdrawn`) and
// the lift at that same version, which the SDK dropped as a duplicate of the page's: the reader,
// having done everything the SDK asks, no longer showed a story the public may see.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { connect, older } from '../../client/src/index.ts'
import { event } from './support/events.ts'
import { hubFetch, hubSocket, Line, pairOnHubs, untilSettled } from './support/sdk-bridge.ts'

const START = 1_800_000_000_000

test('the newest page from a process ahead of the reader’s stream, then the stream: the reader ends showing every story it may see', async (t) => {
  const both = pairOnHubs(t, START)
  const { a, b } = both
  const at = () => both.clock.now()
  both.append(event('CREATED', { id: 'k', version: 1, category: 'news', headline: 'first' }, at()))
  both.append(event('CREATED', { id: 'm', version: 1, category: 'news', headline: 'other' }, at()))
  await Promise.all([a.settle(), b.settle()])

  // the reader's stream is on B; its pages go to A (another worker behind the same address)
  const client = connect('ws://hub.test', {
    channels: ['category:news'],
    WebSocket: hubSocket(b, 'public', new Line()),
    fetch: hubFetch(a),
    transport: 'websocket',
    backoff: { minMs: 1, maxMs: 5 },
    pingIntervalMs: 0,
  })
  t.after(() => client.close())
  const shows = new Map<string, number>()
  client.on('event', ({ event: e }) => shows.set(e.article.id, e.article.version))
  client.on('withdrawn', ({ articleId }) => shows.delete(articleId))
  let subscribed = false
  client.on('subscribed', () => {
    subscribed = true
  })
  await untilSettled([a, b], () => subscribed && shows.get('k') === 1, 'the reader shows k')

  // the desk holds k and lifts the hold; A reads both, B (the reader's stream) not yet
  both.lagging = true
  both.append(event('UPDATED', { id: 'k', version: 2, category: 'news', headline: 'first', pubStatus: 'withheld' }, at()))
  both.append(event('UPDATED', { id: 'k', version: 3, category: 'news', headline: 'first, again' }, at()))
  await a.settle()

  // the app reloads its list: the newest page, with the stream's position
  const page = await older(client, null)
  for (const m of page.items) shows.set(m.event.article.id, m.event.article.version)
  assert.equal(shows.get('k'), 3, 'the page holds k as A has it')

  // B reads on: its stream brings the hold and the lift
  b.readOn(0)
  await untilSettled([a, b], () => b.hub.liveSeq === b.store.history.nextSeq && !b.hub.busy, 'B read everything')
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(shows.get('k'), 3, `the reader shows k, public at version 3: ${JSON.stringify([...shows])}`)
})
