// A record the ledger took as old news (numbered as the live version of its story, or lower, with
// other content) is noted not applied in history, and a replay from memory skips it (deliver.ts
// decideReplay `record.applied`), as a replay from the log does (red13-log-replay-stale.test.ts).
// Mutation campaign 2026-12-05, mutant D5 (that check dropped) survived every fan-out unit test
// outside the model tests: a reader resuming from memory was sent content no reader was ever shown.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { client, lastPosition, subscribe } from './support/live-story.ts'

for (const audience of ['public', 'newsroom'] as const) {
  test(`${audience}: a resume from memory is not sent a record the ledger took as old news`, async () => {
    const h = new Harness({ partitions: 1 })
    h.append(event('CREATED', { id: 'k', version: 3, urgency: 1 }, h.clock.now() - 1000))
    h.start()
    await h.settle()
    const away = await client(h, { audience }, ['breaking'])
    const since = lastPosition(away.t.messages)
    h.hub.conns.remove(away.conn)
    h.append(event('UPDATED', { id: 'k', version: 2, urgency: 1, headline: 'NEVER PUBLISHED' }, h.clock.now()))
    h.append(event('UPDATED', { id: 'k', version: 4, urgency: 1 }, h.clock.now()))
    await h.settle()
    const back = h.connect(audience)
    subscribe(h, back.conn, ['breaking'], { since })
    await h.settle()
    assert.equal(back.t.messages.find((m) => m.type === 'subscribed')?.replay, 'memory')
    const got = back.t.messages.flatMap((m) => (m.type === 'event' ? [(m.event as ArticleEvent).article.headline] : []))
    assert.deepEqual(got, ['k v4'])
    h.hub.stop()
  })
}
