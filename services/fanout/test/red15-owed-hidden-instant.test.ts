// red15 attack run (2026-12-06): a position made on an instance whose clock runs ahead (within the
// minute a watermark may lead) claims releases this instance has yet to make. An event the cursor
// passes whose embargo falls due at or before that watermark is owed to the reader, so the
// watermark drops to just before it (cursor.ts #owed): for every article, also one the reader
// may never see (a story held back past its embargo, another desk's). The next position the
// reader was sent carried that embargo's instant to the millisecond. The watermark drops only for
// a release that would show the reader something.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import { peekPosition } from '../src/position.ts'
import type { Audience } from '../src/visibility.ts'
import { processPair } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, subscribe } from './support/live-story.ts'

const politics: AudienceScope = { categories: ['politics'], languages: null, embargo: true }

const observers = [
  { name: 'the public', audience: 'public', scope: unrestricted, hidden: { category: 'politics', pubStatus: 'withheld' } },
  { name: 'a desk token', audience: 'newsroom', scope: politics, hidden: { category: 'sport' } },
] as const

/** The watermarks of what a reader resuming on B (15 s behind A) from A's position is sent. */
async function resume(who: (typeof observers)[number], embargo: boolean) {
  const pair = processPair({ partitions: 1 })
  const { a, b } = pair
  pair.append(event('CREATED', { id: 'p0', version: 1, category: 'politics' }, a.clock.now()))
  await b.settle()
  await a.tick(15_000)
  const onA = a.connect(who.audience as Audience, who.scope)
  subscribe(a, onA.conn, ['category:politics'])
  await a.settle()
  const since = lastPosition(onA.t.messages)
  a.hub.conns.remove(onA.conn)
  const at = b.clock.now() + 7_000
  pair.append(event('CREATED', { id: 'h', version: 1, ...who.hidden, ...(embargo ? { embargoedUntil: at } : {}) }, b.clock.now()))
  pair.append(event('CREATED', { id: 'p1', version: 1, category: 'politics' }, b.clock.now()))
  await b.settle()
  const onB = b.connect(who.audience as Audience, who.scope)
  subscribe(b, onB.conn, ['category:politics'], { since })
  await b.settle()
  a.hub.stop()
  b.hub.stop()
  return onB.t.messages.map((m) => (typeof m.position === 'string' ? `${m.type} t${peekPosition(m.position).t - b.clock.now()}` : m.type))
}

for (const who of observers)
  test(`${who.name} resuming from a position of a clock ahead is not sent the instant of an embargo it may not see`, async () => {
    const without = await resume(who, false)
    assert.ok(
      without.some((m) => m.startsWith('event')),
      JSON.stringify(without),
    )
    assert.deepEqual(await resume(who, true), without)
  })
