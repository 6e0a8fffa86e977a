// red15 attack run (2026-12-06): the positions of a resume's replay. A resuming cursor moved its
// watermark to the server's clock when any embargo had been released since its position, else kept
// it (so cursors from one position share positions and frames). Released meant on the ledger: also
// a story held back past its embargo, which the public never sees, and another desk's story, which
// a desk-limited token never sees. A reader resuming from positions of different times (it holds
// one per live message) learnt from the watermark of the first replayed message whether such an
// embargo had passed in between, and so when: the red14 finding on head positions, by the replay.
// The watermark moves for the releases the reader's clearance and scope may see (ledger.ts
// releaseShows), as the head position does.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import { peekPosition } from '../src/position.ts'
import type { Audience } from '../src/visibility.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, subscribe } from './support/live-story.ts'

const START = 1_800_000_000_000
const MIN = 60_000
const politics: AudienceScope = { categories: ['politics'], languages: null, embargo: true }

const observers = [
  // a story held back past its embargo
  { name: 'the public', audience: 'public', scope: unrestricted, hidden: { category: 'politics', pubStatus: 'withheld' } },
  // another desk's story
  { name: 'a desk token', audience: 'newsroom', scope: politics, hidden: { category: 'sport' } },
] as const

/** What a reader resuming at minute 40 from its position of minute 10 is sent, with its positions' watermarks. */
async function resume(who: (typeof observers)[number], embargo: boolean, fromLog: boolean) {
  // a memory of one record sends the resume to the log (a Kafka replay)
  const h = new Harness({ partitions: 1, start: START, historySize: fromLog ? 1 : 1000 })
  h.append(event('CREATED', { id: 'p0', version: 1, category: 'politics' }, START))
  h.append(event('CREATED', { id: 'h', version: 1, ...who.hidden, ...(embargo ? { embargoedUntil: START + 30 * MIN } : {}) }, START))
  h.start()
  await h.settle()
  const r = h.connect(who.audience as Audience, who.scope)
  subscribe(h, r.conn, ['category:politics'])
  await h.tick(10 * MIN)
  h.append(event('CREATED', { id: 'p1', version: 1, category: 'politics' }, h.clock.now()))
  await h.settle()
  const since = lastPosition(r.t.messages)
  h.hub.conns.remove(r.conn)
  await h.tick(10 * MIN)
  h.append(event('CREATED', { id: 'p2', version: 1, category: 'politics' }, h.clock.now()))
  await h.tick(20 * MIN)
  const back = h.connect(who.audience as Audience, who.scope)
  subscribe(h, back.conn, ['category:politics'], { since })
  await h.tick(1000)
  h.hub.stop()
  return back.t.messages.map((m) => (typeof m.position === 'string' ? `${m.type} t+${(peekPosition(m.position).t - START) / MIN}` : m.type))
}

for (const who of observers)
  for (const fromLog of [false, true])
    test(`${who.name}'s replay positions say nothing of an embargo it may not see passing (${fromLog ? 'from the log' : 'from memory'})`, async () => {
      const without = await resume(who, false, fromLog)
      assert.ok(without.includes('event t+10') || without.some((m) => m.startsWith('event')), JSON.stringify(without))
      assert.deepEqual(await resume(who, true, fromLog), without)
    })

test("a release the reader may see moves its replay positions' watermark past it", async () => {
  const h = new Harness({ partitions: 1, start: START })
  h.append(event('CREATED', { id: 'r', version: 1, category: 'politics', embargoedUntil: START + 30 * MIN }, START))
  h.start()
  await h.settle()
  const r = h.connect('public')
  subscribe(h, r.conn, ['category:politics'])
  await h.tick(10 * MIN)
  h.append(event('CREATED', { id: 'p1', version: 1, category: 'politics' }, h.clock.now()))
  await h.settle()
  const since = lastPosition(r.t.messages)
  h.hub.conns.remove(r.conn)
  h.append(event('CREATED', { id: 'p2', version: 1, category: 'politics' }, h.clock.now()))
  await h.tick(30 * MIN)
  const back = h.connect('public')
  subscribe(h, back.conn, ['category:politics'], { since })
  await h.tick(1000)
  h.hub.stop()
  const last = back.t.messages.at(-1)
  assert.ok(last?.type === 'event', JSON.stringify(back.t.messages))
  assert.ok(peekPosition(last.position as string).t >= START + 30 * MIN, 'the release is behind the position')
})
