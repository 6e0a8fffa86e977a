// red9 attack run: a Kafka replay (a resume older than memory) reads news.article-events with a
// reader of its own, not bounded by what this instance's live consumer has read. While the replay
// is still behind memory on one partition, it reads another partition up to the log's end; a record
// there that the live consumer has not read yet (a kill that came in during the replay) is judged
// against a ledger that does not know it: a version newer than the ledger's is dropped, and the
// cursor moves past it. When the live consumer reads the kill a moment later, the subscription's
// cursor has passed it: the reader, who was shown the story, never hears of its kill. One instance
// is enough; any record written during a replay can be lost this way (updates, new stories too).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, shown, subscribe, withdrawn } from './support/live-story.ts'

const START = 1_800_000_000_000
const SEC = 1000

for (const race of [false, true])
  test(`a kill written while a Kafka replay runs${race ? ', read by the replay before the live consumer,' : ' (control: the live consumer reads it first)'} still reaches the resumed reader`, async () => {
    const h = new Harness({ partitions: 2, start: START, historySize: 4 })
    h.start()
    h.append(event('CREATED', { id: 'story', version: 1 }, START), 0)
    await h.settle()

    // a public reader shows the story, then its connection drops
    const first = h.connect('public')
    subscribe(h, first.conn, ['category:news'])
    await h.settle()
    assert.deepEqual(
      ((first.t.messages[0]?.snapshot ?? []) as { article: { id: string } }[]).map((e) => e.article.id),
      ['story'],
    )
    const since = lastPosition(first.t.messages)
    h.hub.conns.remove(first.conn)

    // a busy desk on partition 1 pushes that position out of memory there
    for (let i = 0; i < 8; i++) h.append(event('CREATED', { id: `sport-${i}`, version: 1, category: 'sport' }, START + SEC), 1)
    await h.tick(SEC)

    // the desk kills the story; the record is in Kafka (partition 0), the live consumer has not read it yet
    const kill = event('WITHDRAWN', { id: 'story', version: 2, pubStatus: 'canceled' }, START + 2 * SEC, { reason: 'legal' })
    if (race) h.inKafka(kill, 0)
    else h.append(kill, 0)

    // the reader comes back: a replay from Kafka, whose reader reads partition 0 to its end
    const back = h.connect('public')
    subscribe(h, back.conn, ['category:news'], { since })
    await h.settle()
    assert.equal(back.t.messages[0]?.replay, 'kafka')

    // the live consumer reads the kill
    h.readOn(0)
    await h.tick(SEC)
    h.hub.stop()

    assert.ok(
      withdrawn(back.t.messages).some((w) => w.startsWith('story:')),
      `the reader who showed the story was never told of its kill: ${JSON.stringify(back.t.messages.map((m) => [m.type, m.articleId ?? shown([m])[0] ?? '']))}`,
    )
  })
