// The reader of the page-skew tests (red16, red17, red19): a public reader of story:L on process
// `a` whose snapshot (one entry) stops above e1, which `a` has released; `ids(h)` asks process `h`
// for the older entries beside that reader's stream (`at`), as the SDK does.
import assert from 'node:assert/strict'
import type { StoryEntry } from '@newswire/shared'
import { unrestricted } from '../../src/audience.ts'
import type { Admission } from '../../src/http/access.ts'
import { answerEntries } from '../../src/http/entries.ts'
import type { Harness, Message } from './harness.ts'
import { lastPosition, subscribe } from './live-story.ts'

export const PUBLIC = { audience: 'public' as const, scope: unrestricted, expiresAt: null, reject: null } as Admission

/** Connects the reader on `a`; returns the ids of the older entries a process answers beside its stream. */
export async function readerAboveE1(a: Harness): Promise<(h: Harness) => string[]> {
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['story:L'], { entries: 1 })
  await a.settle()
  const subscribed = reader.t.messages.find((m) => m.type === 'subscribed') as Message & { entries: StoryEntry[]; entriesMore: number }
  assert.deepEqual(
    subscribed.entries.map((e) => e.id),
    ['e2'],
    'the snapshot stops above e1, released on A',
  )
  const q = `before=${subscribed.entriesMore}&at=${encodeURIComponent(lastPosition(reader.t.messages))}`
  return (h) =>
    (JSON.parse(answerEntries(new URL(`http://f/v1/stories/L/entries?${q}`), PUBLIC, h.entriesDeps)) as { items: StoryEntry[] }).items.map(
      (e) => e.id,
    )
}
