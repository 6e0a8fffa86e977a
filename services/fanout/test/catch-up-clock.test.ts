// Outside review (2026-12-04): the ledger's catch-up clock is one clock for every partition (store.ts: advance to each
// event's ingestedAt, never back). feed.ts applies history a partition batch at a time (kafkajs
// eachBatch), so a partition whose batch is newer moves the clock ahead of another partition's
// older events: an embargoed version on that other partition, replaced well before its embargo,
// is then taken as released (`record.released`, sure public exposure), though no instance ever
// released it. Two consequences, each against an instance that read the same log in time order:
//   1. a public reader resuming from memory gets the replaced embargoed draft's text;
//   2. a public live reader is told of the kill of a story the public never saw (id and reason).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { subscribe } from './support/live-story.ts'
import type { Message } from './support/harness.ts'

const START = 1_800_000_000_000
const MIN = 60_000
const T = START - 60 * MIN

/** A fan-out started now over `log` (partition, event), read in the order given (a fetch's partition batches). */
function restarted(order: [number, ArticleEvent][]): Harness {
  const h = new Harness({ partitions: 2, start: START })
  for (const [p, e] of order) h.append(e, p)
  h.start()
  return h
}

const headlines = (ms: Message[]) =>
  ms
    .filter((m) => m.type === 'event')
    .map((m) => (m.event as { article: { id: string; version: number; headline: string } }).article)
    .map((a) => `${a.id}@${a.version}:${a.headline}`)

test('a replaced embargoed draft never reaches a public reader resuming from memory, whatever order the partitions were fetched in', async () => {
  const other = event('CREATED', { id: 'other', version: 1, category: 'sports' }, T + 20 * MIN)
  const draft = event(
    'CREATED',
    { id: 'x', version: 1, headline: 'DRAFT: minister resigns (unconfirmed)', embargoedUntil: T + 10 * MIN },
    T,
  )
  const fixed = event('UPDATED', { id: 'x', version: 2, headline: 'Minister resigns', embargoedUntil: T + 10 * MIN }, T + 5 * MIN)
  const results: Record<string, string[]> = {}
  for (const [name, order] of [
    // time order (an instance up all along read it so)
    [
      'p1 first',
      [
        [1, draft],
        [1, fixed],
        [0, other],
      ],
    ],
    // partition 0's batch first, as a fetch at start hands it over
    [
      'p0 first',
      [
        [0, other],
        [1, draft],
        [1, fixed],
      ],
    ],
  ] as [string, [number, ArticleEvent][]][]) {
    const h = restarted(order)
    // the reader connected before the draft was written (offsets 0, 0), on any instance: positions are shared
    const since = h.positions.encode({ o: [0, 0], t: T - MIN })
    const c = h.connect('public')
    subscribe(h, c.conn, ['category:news'], { since })
    await h.settle()
    results[name] = headlines(c.t.messages)
    h.hub.stop()
  }
  assert.deepEqual(results['p1 first'], ['x@2:Minister resigns'])
  assert.deepEqual(results['p0 first'], ['x@2:Minister resigns'], `the public got the embargoed draft: ${JSON.stringify(results)}`)
})

test('a story the public never saw (embargoed, then withheld before its embargo) is not announced killed to a public reader after a restart', async () => {
  const other = event('CREATED', { id: 'other', version: 1, category: 'sports' }, T + 20 * MIN)
  const v1 = event('CREATED', { id: 'y', version: 1, headline: 'Embargoed', embargoedUntil: T + 10 * MIN }, T)
  const v2 = event(
    'UPDATED',
    { id: 'y', version: 2, headline: 'Embargoed', embargoedUntil: T + 10 * MIN, pubStatus: 'withheld' },
    T + 5 * MIN,
    {
      reason: 'hold',
    },
  )
  const results: Record<string, string[]> = {}
  for (const [name, order] of [
    [
      'p1 first',
      [
        [1, v1],
        [1, v2],
        [0, other],
      ],
    ],
    [
      'p0 first',
      [
        [0, other],
        [1, v1],
        [1, v2],
      ],
    ],
  ] as [string, [number, ArticleEvent][]][]) {
    const h = restarted(order)
    const c = h.connect('public')
    subscribe(h, c.conn, ['category:news'])
    await h.settle()
    h.append(
      event('WITHDRAWN', { id: 'y', version: 3, headline: 'Embargoed', pubStatus: 'canceled' }, START + MIN, {
        reason: 'legal: names a minor',
      }),
      1,
    )
    await h.settle()
    results[name] = c.t.messages.filter((m) => m.type === 'withdrawn').map((m) => `${m.articleId}:${m.cause}:${m.reason}`)
    h.hub.stop()
  }
  assert.deepEqual(results['p1 first'], [])
  assert.deepEqual(results['p0 first'], [], `the public was told of a story it never saw: ${JSON.stringify(results)}`)
})

test('a replaced embargoed entry draft never reaches a public reader of the live story resuming from memory, whatever the fetch order', async () => {
  const other = event('CREATED', { id: 'other', version: 1, category: 'sports' }, T + 20 * MIN)
  const story = event('CREATED', { id: 'S', version: 1, live: true }, T - MIN)
  const draft = entryEvent(
    story.article,
    { id: 'e', seq: 1, version: 1, body: ['DRAFT: casualty figure unconfirmed'], embargoedUntil: T + 10 * MIN },
    T,
  )
  const fixed = entryEvent(
    story.article,
    { id: 'e', seq: 1, version: 2, body: ['Twelve people died'], embargoedUntil: T + 10 * MIN },
    T + 5 * MIN,
  )
  const results: Record<string, string[]> = {}
  for (const [name, order] of [
    [
      'p1 first',
      [
        [1, story],
        [1, draft],
        [1, fixed],
        [0, other],
      ],
    ],
    [
      'p0 first',
      [
        [0, other],
        [1, story],
        [1, draft],
        [1, fixed],
      ],
    ],
  ] as [string, [number, Parameters<Harness['append']>[0]][]][]) {
    const h = new Harness({ partitions: 2, start: START })
    for (const [p, e] of order) h.append(e, p)
    h.start()
    // the reader showed the story before the draft was written (offsets: the story's event read)
    const since = h.positions.encode({ o: [name === 'p0 first' ? 1 : 0, 1], t: T - MIN / 2 })
    const c = h.connect('public')
    subscribe(h, c.conn, ['story:S'], { since })
    await h.settle()
    results[name] = c.t.messages
      .filter((m) => m.type === 'entry')
      .map((m) => m.entry as { version: number; body: string[] })
      .map((e) => `${e.version}:${e.body.join(' ')}`)
    h.hub.stop()
  }
  assert.deepEqual(results['p1 first'], ['2:Twelve people died'])
  assert.deepEqual(results['p0 first'], ['2:Twelve people died'], `the public got the embargoed entry draft: ${JSON.stringify(results)}`)
})
