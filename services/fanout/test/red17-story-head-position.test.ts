// red17 attack run (2026-12-06): a `story:` reader subscribing while the live loop is behind the
// store gets the ledger's snapshot (stories.ts storyStart), which holds a story released on arrival
// (its embargo passed before this process read it); its position was the head position kept since
// before that embargo (the live loop had read nothing, so it claimed as much), whose watermark says
// the story was not released. The live loop then sent the reader nothing (its gate held what the
// snapshot gave), and a page of older entries beside the stream (`at`) left the story out as
// released after the stream's watermark: `not_found`, the reader never saw its older entries.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { StoryEntry } from '@newswire/shared'
import { unrestricted } from '../src/audience.ts'
import type { Admission } from '../src/http/access.ts'
import { answerEntries } from '../src/http/entries.ts'
import { peekPosition } from '../src/position.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { lastPosition, subscribe } from './support/live-story.ts'

const T = 1_800_000_000_000
const E = T + 10_000
const PUBLIC = { audience: 'public' as const, scope: unrestricted, expiresAt: null, reject: null } as Admission

test('a story subscribed to while the live loop is behind goes out with a watermark that covers its snapshot', async () => {
  const a = new Harness({ partitions: 1, start: T })
  a.start()
  const v1 = event('CREATED', { id: 'L', version: 1, live: true }, T)
  a.append(v1)
  a.append(entryEvent(v1.article, { id: 'e0', seq: 0, version: 1 }, T + 1))
  await a.settle()
  // the head position for public `story:L` readers, signed before the embargo, kept after it
  subscribe(a, a.connect('public').conn, ['story:L'])
  await a.settle()
  const v2 = event('UPDATED', { id: 'L', version: 2, live: true, embargoedUntil: E }, T + 2)
  for (const e of [v2, entryEvent(v2.article, { id: 'e1', seq: 1, version: 1 }, T + 3)]) a.inKafka(e)
  await a.tick(E + 1000 - T)
  subscribe(a, a.connect('public').conn, ['story:L'])
  await a.settle()
  // A reads v2 (released on arrival) and e1; the reader subscribes before its live loop gets there
  a.readOn(0)
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['story:L'], { entries: 1 })
  await a.settle()
  assert.deepEqual(
    reader.t.messages.map((m) => m.type),
    ['subscribed'],
  )
  const subscribed = reader.t.messages[0] as Message & { entries: StoryEntry[]; entriesMore: number }
  assert.deepEqual(
    subscribed.entries.map((e) => e.id),
    ['e1'],
    'the snapshot shows v2, released on arrival, and e1',
  )
  const at = lastPosition(reader.t.messages)
  const page = JSON.parse(
    answerEntries(
      new URL(`http://f/v1/stories/L/entries?before=${subscribed.entriesMore}&at=${encodeURIComponent(at)}`),
      PUBLIC,
      a.entriesDeps,
    ),
  ) as { items: StoryEntry[] }
  assert.deepEqual(
    page.items.map((e) => e.id),
    ['e0'],
    'older entries beside the stream',
  )
  assert.ok(peekPosition(at).t >= E, 'the position claims the release its snapshot shows')
  a.hub.stop()
})
