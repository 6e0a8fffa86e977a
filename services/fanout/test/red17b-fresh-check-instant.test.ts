// The ledger's clock stops where the log was last known read to its end: the start of the feed's
// last freshness check (feed.ts keepFresh, Store.liveClock). Those checks run every 2 s, and also
// just past any embargo not yet released, a story's held back past it too (so the release comes a
// Kafka round trip after it). The watermark of every position signed as the live loop moves (a
// live event's, the head position a subscribe gets once the offsets moved) is that clock: the
// first public event after a withheld story's embargo carried, to the millisecond, the embargo's
// instant plus one (red17 attack run, 2026-12-06).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { peekPosition } from '../src/position.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { event, freshEventIds } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { freshLoop } from './support/fresh-loop.ts'

const START = 1_800_000_000_000

const subscribe = (h: Harness) => {
  const r = h.connect('public')
  h.hub.handle(r.conn, {
    type: 'subscribe',
    id: 's',
    channels: parseChannels(['breaking'], 's'),
    filter: parseFilter(undefined, 's'),
    since: null,
    catchUp: 'all',
  })
  return r
}

/** Lets the timers' work run (the freshness loop, the release timer, the passes they schedule), without a settle's check. */
async function run(h: Harness, ms: number): Promise<void> {
  for (let i = 0; i < ms / 50; i++) {
    h.clock.advance(50)
    for (let k = 0; k < 5; k++) {
      await h.hub.idle()
      await new Promise((r) => setImmediate(r))
    }
  }
}

/**
 * The watermarks (ms after START) a public reader gets over 40 s in a world where a story the public
 * never sees (withheld) has its embargo at `embargo` (null: none): of the live events of public
 * stories written every 3.1 s, and of a subscribe's `subscribed` after each.
 */
async function watermarks(embargo: number | null): Promise<number[]> {
  freshEventIds()
  const h = new Harness({ partitions: 1, fresh: true })
  h.append(event('CREATED', { id: 'held', version: 1, pubStatus: 'withheld', embargoedUntil: embargo }, START - 30_000))
  h.start()
  await h.settle()
  const stopFresh = freshLoop(h)
  const reader = subscribe(h)
  await run(h, 100)
  const out: number[] = []
  for (let i = 0; i < 13; i++) {
    await run(h, 3100)
    const from = reader.t.messages.length
    h.append(event('CREATED', { id: `p${i}`, version: 1, urgency: 1 }, h.clock.now()))
    await run(h, 50)
    for (const m of reader.t.messages.slice(from) as Message[]) out.push(peekPosition(m.position as string).t - START)
    const fresh = subscribe(h)
    await run(h, 50)
    out.push(peekPosition((fresh.t.messages[0] as Message).position as string).t - START)
    h.hub.conns.remove(fresh.conn)
  }
  stopFresh()
  await run(h, 2000)
  h.hub.stop()
  return out
}

test("a public reader's positions say nothing of when a withheld story's embargo passed", async () => {
  const none = await watermarks(null)
  const held = await watermarks(START + 20_300)
  assert.deepEqual(held, none)
})
