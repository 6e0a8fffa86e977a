// red9 attack run: two fan-out instances (or FANOUT_WORKERS=2) read the same log at different lag.
// A public reader takes a position on the instance that is ahead (it has read a kill or hold of an
// embargoed draft, so the reader is shown nothing) and reconnects to one that is behind (it has not
// read that kill yet, and released the embargoed draft at its time). The lagging instance sends the
// reader the draft (`released: true`) from its stale record, and when it reads the kill a moment
// later the reader's cursor has already passed it: the reader is never told. A killed (or withheld)
// story stays on a public page.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, shown, subscribe, withdrawn } from './support/live-story.ts'

const START = 1_800_000_000_000
const SEC = 1000

for (const kind of ['WITHDRAWN', 'withheld'] as const)
  test(`a public reader resuming from a fast instance's position on a lagging one is not left with a ${kind === 'WITHDRAWN' ? 'killed' : 'withheld'} embargoed draft`, async () => {
    const embargo = START + 10 * SEC
    const draft = event('CREATED', { id: 'budget', version: 1, embargoedUntil: embargo }, START)
    // five seconds before the embargo the desk kills (or holds) the draft
    const stop =
      kind === 'WITHDRAWN'
        ? event('WITHDRAWN', { id: 'budget', version: 2, embargoedUntil: embargo, pubStatus: 'canceled' }, START + 5 * SEC, {
            reason: 'legal',
          })
        : event('UPDATED', { id: 'budget', version: 2, embargoedUntil: embargo, pubStatus: 'withheld' }, START + 5 * SEC, {
            reason: 'legal',
          })

    // A: the instance that keeps up. B: one that lags (a GC pause, a slow fetch, a worker busy with a storm)
    const a = new Harness({ partitions: 1, start: START })
    const b = new Harness({ partitions: 1, start: START })
    for (const h of [a, b]) {
      h.append(draft)
      h.start()
    }
    // a public reader that stays on B all along (the control: it hears of the kill once B reads it)
    const onB = b.connect('public')
    subscribe(b, onB.conn, ['category:news'])
    await Promise.all([a.tick(5 * SEC), b.tick(5 * SEC)])
    a.append(stop)
    // Kafka holds the record; B's consumer has not read it yet
    b.inKafka(stop, 0)
    await a.settle()

    // a public reader opens the page on A: nothing to show, and a position past the kill
    const reader = a.connect('public')
    subscribe(a, reader.conn, ['category:news'])
    await a.settle()
    assert.deepEqual(shown(reader.t.messages), [])
    const since = lastPosition(reader.t.messages)
    a.hub.conns.remove(reader.conn)

    // the embargo time passes; A releases nothing, B (still behind) releases the draft it knows
    await Promise.all([a.tick(6 * SEC), b.tick(6 * SEC)])

    // the reader's reconnect lands on B
    const back = b.connect('public')
    subscribe(b, back.conn, ['category:news'], { since })
    await b.settle()

    // B catches up and reads the kill
    b.readOn(0)
    await b.tick(SEC)

    // what the reader shows now: anything it was sent and never told to remove
    const got = shown(back.t.messages)
    const told = withdrawn(back.t.messages)
    a.hub.stop()
    b.hub.stop()
    assert.deepEqual(shown(onB.t.messages), ['budget'], 'B, lagging, released the draft to its own readers (lag)')
    assert.ok(
      withdrawn(onB.t.messages).some((w) => w.startsWith('budget:')),
      "B's own live reader is told once B reads the kill",
    )
    assert.ok(
      got.length === 0 || told.some((w) => w.startsWith('budget:')),
      `the public reader was sent the ${kind === 'WITHDRAWN' ? 'killed' : 'withheld'} draft and never told: ${JSON.stringify(back.t.messages)}`,
    )
  })
