// A reader resuming into a moment the fan-out cannot replay from Kafka (every replay reader busy:
// FANOUT_MAX_KAFKA_REPLAYS=0 here; a small history makes the resume one from the log) used to be
// left connected and subscribed to nothing, never to hear of a kill (red6 attack run,
// 2026-12-04). Now the fan-out says why and starts it over from a fresh snapshot (`reset`), which
// the SDK hands on: the reader replaces what it shows, then follows the live stream.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { article, publishBatch, publish, startTestFanout, withdraw } from '../../fanout/test/helpers.ts'
import { sleep, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { connect, type StateChange } from '../src/index.ts'

/** ws, with every socket the SDK opens kept, so the test can cut one (a network blip). */
class TrackedWebSocket extends WebSocket {
  static opened: TrackedWebSocket[] = []
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args)
    TrackedWebSocket.opened.push(this)
  }
}

async function until(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > end) return false
    await sleep(25)
  }
  return true
}

test('a reader whose resume met replay_unavailable still hears of the kill of a story it shows', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: '6', FANOUT_MAX_KAFKA_REPLAYS: '0' })

  const client = connect(fanout.url, {
    WebSocket: TrackedWebSocket as unknown as typeof WebSocket,
    transport: 'websocket',
    channels: ['category:national'],
    backoff: { minMs: 100, maxMs: 500 },
  })
  t.after(() => client.close())
  const shown = new Set<string>()
  const errors: string[] = []
  const states: StateChange[] = []
  client.on('event', (m) => shown.add(m.event.article.id))
  client.on('withdrawn', (m) => shown.delete(m.articleId))
  const resets: string[][] = []
  client.on('reset', (m) => {
    resets.push(m.items.map((i) => i.event.article.id))
    shown.clear()
    for (const i of m.items) shown.add(i.event.article.id)
  })
  client.on('error', (e) => errors.push(e.message))
  client.on('state', (s) => states.push(s))

  await publish(ingest.url, article('red6-x', { category: 'national', headline: 'Minister resigns' }))
  assert.ok(await until(() => shown.has('red6-x'), 15_000), 'the reader shows the story')

  // routine traffic elsewhere pushes the reader's position out of the fan-out's memory
  await publishBatch(
    ingest.url,
    Array.from({ length: 30 }, (_, i) => article(`red6-filler-${i}`, { category: 'sports' })),
  )
  await fanout.settled([])
  // a network blip: the reader reconnects and resumes from its position
  const first = TrackedWebSocket.opened.length
  TrackedWebSocket.opened.at(-1)?.terminate()
  assert.ok(await until(() => TrackedWebSocket.opened.length > first && states.at(-1)?.state === 'connected', 15_000), 'reconnected')
  assert.ok(await until(() => errors.some((m) => m.includes('replay_unavailable')), 5000), 'told why')
  assert.ok(await until(() => resets.length > 0, 5000), 'a fresh snapshot')
  assert.ok(shown.has('red6-x'), `the story is still shown after the reset: ${JSON.stringify(resets)}`)

  // the story is killed
  await withdraw(ingest.url, 'red6-x', 'legal')
  const heard = await until(() => !shown.has('red6-x'), 15_000)
  assert.ok(heard, `the reader still shows a killed story: state ${states.at(-1)?.state}, errors ${JSON.stringify(errors)}`)
})
