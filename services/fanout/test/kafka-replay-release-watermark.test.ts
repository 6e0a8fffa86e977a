// A resume older than memory replays from the log (cursor.ts replayEvent), deciding each record by
// the ledger now: a version whose embargo passed since the cursor's watermark goes out released.
// The position it carried kept the cursor's old watermark, from before that release (the memory
// replay steps its releases first, stepMemory; the log's did not), so it claimed the release still
// owed: a reader resuming from it got the version again, `released: true`, a version it showed
// released already (a newsroom reader: unflagged, then released); a story reader its entry. Found
// by the confidentiality model (seed -589650041, 2026-12-06; known-runs.ts), where a live newsroom
// subscription fell behind a backfill and replayed from the log through a 30-day tick. A
// duplicate, never an early release: every decision is the ledger's now, the old watermark only
// claimed less. Each case fails without the fix, by its position and by the repeat.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import type { Audience } from '../src/visibility.ts'
import { Harness, POSITION_KEY } from './support/harness.ts'
import { event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { entries, goneReaderAt, lastPosition, Story, subscribe } from './support/live-story.ts'
import { PositionCodec } from '../src/position.ts'

const START = 1_800_000_000_000
const MIN = 60_000

const of = (ms: Message[], id: string) => ms.filter((m) => m.type === 'event' && (m.event as ArticleEvent).article.id === id)

for (const audience of ['newsroom', 'public'] as const satisfies readonly Audience[]) {
  test(`${audience}: a version the log's replay sends released carries a position past its release; a resume from it is not sent it again`, async () => {
    const h = new Harness({ partitions: 2, start: START, historySize: 3 })
    h.start()
    h.append(event('CREATED', { id: 'old', version: 1 }, START), 0)
    await h.settle()
    const since = await goneReaderAt(h, ['category:news'], audience)

    // a story under embargo for ten minutes on partition 1, then other desks' stories push it out of memory
    h.append(event('CREATED', { id: 'e', version: 1, embargoedUntil: START + 10 * MIN }, START), 1)
    for (let i = 0; i < 4; i++) h.append(event('CREATED', { id: `sport-${i}`, version: 1, category: 'sport' }, START), 1)
    // a record on partition 0 the live consumer has not read: the replay waits for it there (red9)
    h.inKafka(event('CREATED', { id: 'other', version: 1, category: 'sport' }, START), 0)
    await h.settle()

    const back = h.connect(audience)
    subscribe(h, back.conn, ['category:news'], { since })
    await h.settle()
    assert.equal(back.t.messages[0]?.replay, 'kafka')
    // the embargo passes while the replay waits; then the live consumer reads on and the replay passes the story
    await h.tick(30 * MIN)
    h.readOn(0)
    await h.settle()
    const sent = of(back.t.messages, 'e')
    assert.deepEqual(
      sent.map((m) => [m.embargoed ?? false, m.released ?? false]),
      [[false, false]],
    )
    // its position claims the release it reflects
    const at = new PositionCodec([POSITION_KEY]).decode(sent[0]?.position)
    assert.ok(at.t >= START + 10 * MIN, `the position's watermark ${at.t - START} ms, before the release at ${10 * MIN}`)

    // away again, resuming from the last position it was handed (that message's)
    assert.equal(lastPosition(back.t.messages), sent[0]?.position)
    h.hub.conns.remove(back.conn)
    const again = h.connect(audience)
    subscribe(h, again.conn, ['category:news'], { since: lastPosition(back.t.messages) })
    await h.settle()
    h.hub.stop()
    const twice = of(again.t.messages, 'e')
    assert.deepEqual(
      twice.map((m) => `v${(m.event as ArticleEvent).article.version}${m.released ? ' released' : ''}`),
      [],
      'the story again after a resume from the position that came with it',
    )
  })
}

test("story: an entry the log's replay sends released carries a position past its release; a resume from it is not sent it again", async () => {
  const h = new Harness({ partitions: 2, start: START, historySize: 3 })
  h.start()
  // on partition 1, behind the record the replay waits for on partition 0
  const story = new Story(h, 'Live-2')
  await h.settle()
  const since = await goneReaderAt(h, ['story:Live-2'])

  story.post('e1', { embargoedUntil: START + 10 * MIN })
  for (let i = 0; i < 4; i++) h.append(event('CREATED', { id: `sport-${i}`, version: 1, category: 'sport' }, START), 1)
  h.inKafka(event('CREATED', { id: 'other', version: 1, category: 'sport' }, START), 0)
  await h.settle()

  const back = h.connect('public')
  subscribe(h, back.conn, ['story:Live-2'], { since })
  await h.settle()
  assert.equal(back.t.messages[0]?.replay, 'kafka')
  await h.tick(30 * MIN)
  h.readOn(0)
  await h.settle()
  assert.deepEqual(entries(back.t.messages), ['e1@1+'])
  const sent = back.t.messages.filter((m) => m.type === 'entry')
  const at = new PositionCodec([POSITION_KEY]).decode(sent[0]?.position)
  assert.ok(at.t >= START + 10 * MIN, `the position's watermark ${at.t - START} ms, before the release at ${10 * MIN}`)

  h.hub.conns.remove(back.conn)
  const again = h.connect('public')
  subscribe(h, again.conn, ['story:Live-2'], { since: lastPosition(back.t.messages) })
  await h.settle()
  h.hub.stop()
  assert.deepEqual(entries(again.t.messages), [], 'the entry again after a resume from the position that came with it')
})
