// red22b attack run (2026-12-07), over real sockets, a real fan-out and a real broker: a public
// reader on a slow link (its socket stops reading) shown a story; a burst of large routine stories
// fills its socket and its queue, so routine updates are shed; then a routine story, a breaking one
// and the kill of the story it saw. When the link drains, the write carries the breaking story ahead
// of the routine one it overtakes. A link that dies anywhere in that write leaves the reader with
// the last position it read, and its SDK resumes from it: from each of them, the reader must hear of
// the kill (in what it read, or in the replay). Before the fix, the breaking story carried the
// gap's position, the newest of the write, past the kill (unit case: red22b-gap-overtake.test.ts).
import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, connect, drain, publish, publishedTo, scrapeMetric, startTestFanout, withdraw } from './helpers.ts'
import type { Msg } from './helpers.ts'

const big = (id: string) => article(id, { urgency: 5, body: ['x'.repeat(49_000), 'y'.repeat(49_000), 'z'.repeat(49_000)] })
const toldKill = (ms: readonly Msg[], id: string) => ms.some((m) => m.type === 'withdrawn' && m.articleId === id)

test('a slow public reader cut anywhere in the write that drains its queue hears of the kill when it resumes', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix, { INGEST_MAX_BODY_BYTES: String(4 * 1024 * 1024) })
  const fanout = await startTestFanout(t, prefix, {
    FANOUT_MAX_BUFFERED_BYTES: String(64 * 1024),
    FANOUT_MAX_PENDING: '20',
    FANOUT_SLOW_CLIENT_MS: '60000',
  })
  const channels = ['category:national']
  const reader = await connect(t, fanout.wsUrl)
  reader.send({ type: 'subscribe', id: 's', channels })
  await reader.next((m) => m.type === 'subscribed')
  await publish(ingest.url, article('b', { urgency: 5 }))
  await reader.next((m) => m.type === 'event' && (m.event as { article: { id: string } }).article.id === 'b')
  const socket = (reader.ws as unknown as { _socket: Socket })._socket
  socket.pause()
  const seen = reader.messages.length

  // large routine stories until the queue sheds some (the socket and its kernel buffers full)
  let burst = 0
  while ((await scrapeMetric(fanout.url, 'newswire_fanout_shed_messages_total')) === 0) {
    assert.ok(burst < 300, 'routine updates were shed within the burst')
    await publish(ingest.url, big(`r${burst++}`))
  }
  await publish(ingest.url, article('a', { urgency: 5 }))
  await publish(ingest.url, article('c', { urgency: 1 }))
  await withdraw(ingest.url, 'b', 'legal')
  await fanout.settled(publishedTo(ingest.url))
  socket.resume()
  await reader.until((all) => all.slice(seen).some((m) => m.type === 'gap') && toldKill(all, 'b'), 30_000)
  assert.equal(await scrapeMetric(fanout.url, 'newswire_fanout_slow_client_disconnects_total'), 0, 'the reader stayed connected')

  // a cut after each message with a position: the SDK resumes from that position
  const got = reader.messages.slice(seen)
  let cuts = 0
  for (let i = 0; i < got.length; i++) {
    const at = got[i]?.position
    if (typeof at !== 'string') continue
    const again = await connect(t, fanout.wsUrl)
    again.send({ type: 'subscribe', id: 's', channels, since: at })
    await again.next((m) => m.type === 'subscribed' || m.type === 'reset')
    await drain(fanout, again, ingest.url)
    cuts++
    assert.ok(
      toldKill(got.slice(0, i + 1), 'b') || toldKill(again.messages, 'b'),
      `cut after message ${i} of ${got.length} (${got[i]?.type} ${JSON.stringify(got[i]).slice(0, 120)}): resumed from its position, never told of the kill`,
    )
    again.ws.close()
  }
  console.log(`burst of ${burst} routine stories of 147 KB; ${got.length} messages after the pause; ${cuts} cuts resumed`)
})
