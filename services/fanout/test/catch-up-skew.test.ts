// Outside review (2026-12-04): during catch-up the ledger's clock follows the events' ingestedAt (ingest's clock), and
// goLive(now) never moves it back (ledger.ts advance: `if (now <= this.#now) return []`). An ingest
// whose clock runs ahead of the fan-out's (a host without NTP, a VM resumed from suspend) writes an
// ingestedAt in the fan-out's future; a fan-out started after it releases every embargo up to that
// time at once, and keeps releasing new embargoes early until its own clock catches up. Live, the
// same instance holds them to its own clock.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { subscribe } from './support/live-story.ts'

const START = 1_800_000_000_000
const MIN = 60_000

// 30 s: within the skew the fan-out tolerates between instances (subscribe.ts MAX_CLOCK_SKEW_MS)
for (const skew of [30_000, 10 * MIN])
  test(`an ingest clock ${skew / 1000} s ahead does not release an embargo early on a fan-out that starts after its event`, async () => {
    const results: Record<string, string[]> = {}
    const embargo = START + skew / 2
    for (const started of ['before', 'after'] as const) {
      const h = new Harness({ partitions: 1, start: START })
      if (started === 'before') h.start()
      // embargoed until half the skew from now, written by an ingest on time
      h.append(event('CREATED', { id: 'emb', version: 1, headline: 'Budget figures', embargoedUntil: embargo }, START - MIN), 0)
      // any event from an ingest instance whose clock is ahead
      h.append(event('CREATED', { id: 'other', version: 1, category: 'sports' }, START + skew), 0)
      if (started === 'after') h.start()
      await h.settle()
      const c = h.connect('public')
      subscribe(h, c.conn, ['category:news'])
      await h.settle()
      // a little later by the fan-out's clock, still before the embargo
      await h.tick(skew / 4)
      const snapshot = (c.t.messages[0]?.snapshot ?? []) as { article: { id: string } }[]
      results[started] = [
        ...snapshot.map((e) => e.article.id),
        ...c.t.messages.filter((m) => m.type === 'event').map((m) => (m.event as { article: { id: string } }).article.id),
      ]
      h.hub.stop()
    }
    assert.deepEqual(results.before, [], 'the instance up all along holds the embargo')
    assert.deepEqual(
      results.after,
      [],
      `the embargoed story reached the public before its embargo on the instance started later: ${JSON.stringify(results)}`,
    )
  })
