// A reader shown live story L (and its entry e1) goes away; the story is erased (ingest's kill
// without the content, then tombstones for its keys); the reader resumes from its position on an
// instance started after the erasure, once compaction left the tombstones alone, with history (the
// last events of the log) of the size given. Shared by red26a and red29d, which differ in how much
// of the story that history holds.
import { entryStateKey } from '@newswire/shared'
import type { Audience } from '../../src/visibility.ts'
import { Harness } from './harness.ts'
import type { Message } from './harness.ts'
import { entryEvent, event } from './events.ts'
import { lastPosition, subscribe } from './live-story.ts'
import { restarted } from './restart.ts'
import { erasureOf } from './story-erasure.ts'

const T = 1_800_000_000_000

/**
 * What the reader is sent on resuming. The log: L v1 and its entry (their text says `secret`), the
 * erasure's kill, another story; `history` events of it are in the later instance's memory.
 */
export async function resumedAfterErasure(audience: Audience, channel: string, history: number): Promise<Message[]> {
  const entries = channel.startsWith('story:') ? { entries: 5 } : {}
  const h = new Harness({ partitions: 1, start: T })
  h.start()
  const v1 = event('CREATED', { id: 'L', version: 1, live: true, headline: 'L secret v1' }, T)
  h.append(v1)
  h.append(entryEvent(v1.article, { id: 'e1', seq: 1, version: 1, body: ['L secret entry'] }, T))
  await h.settle()
  const away = h.connect(audience)
  subscribe(h, away.conn, [channel], entries)
  await h.settle()
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  h.append(erasureOf(v1, T + 1000))
  h.append(event('CREATED', { id: 'other', version: 1 }, T + 2000))
  await h.settle()
  h.hub.stop()
  const later = restarted(h, [], history, T + 3000, {}, new Set(['L', entryStateKey('L', 'e1')]))
  await later.settle()
  const back = later.connect(audience)
  subscribe(later, back.conn, [channel], { since, ...entries })
  await later.settle()
  later.hub.stop()
  return back.t.messages
}
