// An ingest whose clock runs ahead of the fan-outs' (within the minute the service tolerates) also
// fooled the Kafka replay (red6 attack run, 2026-12-04): an intermediate version older than memory
// was judged "released on arrival" by ingest's own `ingestedAt`, so a draft held by every fan-out
// and replaced before its embargo went to a public reader resuming from before it, while the very
// same resume served from memory held it back. releasedOnArrival now allows for INGEST_LEAD_MS.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, released, subscribe } from './support/live-story.ts'

const START = 1_800_000_000_000
const SKEW = 30_000 // within what the fan-out tolerates between instances (subscribe.ts MAX_CLOCK_SKEW_MS)

const headlines = (ms: { type: string; event?: unknown }[]) =>
  ms
    .filter((m) => m.type === 'event')
    .map((m) => (m.event as { article: { id: string; version: number; headline: string } }).article)
    .map((a) => `${a.id}@${a.version}:${a.headline}`)

const readers = { 'a public reader': { audience: 'public' as const, scope: undefined }, 'an embargo: false newsroom token': released }

for (const [who, reader] of Object.entries(readers))
  for (const historySize of [1000, 4])
    test(`a draft replaced before its embargo never reaches ${who} resuming (ingest clock ${SKEW / 1000} s ahead, history ${historySize})`, async () => {
      const h = new Harness({ partitions: 1, start: START, historySize })
      h.start()
      h.append(event('CREATED', { id: 'first', version: 1 }, START), 0)
      await h.settle()
      // a public reader reads the desk, keeps its position, goes away
      const before = h.connect(reader.audience, reader.scope)
      subscribe(h, before.conn, ['category:news'])
      await h.settle()
      await h.tick(1000)
      const since = lastPosition(before.t.messages)
      h.hub.conns.remove(before.conn)

      // the newsroom writes a draft under a 10 s embargo through an ingest whose clock is 30 s ahead
      const draft = event(
        'CREATED',
        { id: 'x', version: 1, headline: 'DRAFT: minister resigns (unconfirmed)', embargoedUntil: h.clock.now() + 10_000 },
        h.clock.now() + SKEW,
      )
      h.append(draft, 0)
      await h.tick(2000)
      // ... and replaces it 2 s later, 8 s before the embargo: the draft was never released anywhere
      h.append(event('UPDATED', { id: 'x', version: 2, headline: 'Minister stays', embargoedUntil: null }, h.clock.now() + SKEW), 0)
      await h.settle()
      // routine traffic pushes the draft's event out of a small memory
      for (let i = 0; i < 8; i++) h.append(event('CREATED', { id: `filler-${i}`, version: 1, category: 'sports' }, h.clock.now() + SKEW), 0)
      await h.tick(60_000)

      const back = h.connect(reader.audience, reader.scope)
      subscribe(h, back.conn, ['category:news'], { since })
      await h.settle()
      const got = headlines(back.t.messages)
      h.hub.stop()
      assert.ok(got.includes('x@2:Minister stays'), `the reader gets the story as it stands: ${JSON.stringify(got)}`)
      assert.deepEqual(
        got.filter((s) => s.startsWith('x@1')),
        [],
        `the embargoed draft, never released by any fan-out, reached ${who} (replay ${String(back.t.messages[0]?.replay)}): ${JSON.stringify(got)}`,
      )
    })
