// Found by the confidentiality property's `stale` command (stop 39): a record the ledger takes as
// old news (a usable record numbered as the live version of its story, or lower: a writer that is
// not ingest) was counted where the story had been seen, by the clearances that would see it had
// it been taken, as surely shown. Nobody is shown it (not live, not in a snapshot or a page, not in
// a replay from memory or from the log: Store.taken). So a public reader who resumed was told of the
// hold of a story that was only ever withheld: `withdrawn` naming a story it could never have seen,
// which tells it the story exists. Not a kill either: a reader hears of a kill only where it may
// have seen the story. An entry's old news alike: its deletion was announced to a reader of the
// story who could never have seen the entry.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { client, gone, lastPosition, Story, subscribe } from './support/live-story.ts'

/** Every message a public reader that resumed after the old-news record got that names story `c`. */
async function resumed(o: { stale: number; kill: boolean; pastMemory: boolean }) {
  const h = new Harness({ partitions: 1, historySize: o.pastMemory ? 2 : 50 })
  h.start()
  await h.settle()
  const away = await client(h, { audience: 'public' }, [])
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  h.append(event('CREATED', { id: 'c', version: 2, pubStatus: 'withheld' }, h.clock.now()))
  h.append(event('UPDATED', { id: 'c', version: o.stale, headline: 'NEVER PUBLISHED' }, h.clock.now()))
  if (o.kill) h.append(event('WITHDRAWN', { id: 'c', version: 3, pubStatus: 'canceled' }, h.clock.now(), { reason: 'legal' }))
  for (const id of ['x', 'y', 'z']) h.append(event('CREATED', { id, version: 1 }, h.clock.now()))
  await h.settle()
  const back = h.connect('public')
  subscribe(h, back.conn, [], { since })
  await h.settle()
  return back.t.messages.filter((m) => JSON.stringify(m).includes('"c"')).map((m) => m.type)
}

for (const pastMemory of [false, true]) {
  const from = pastMemory ? 'from the log' : 'from memory'
  for (const stale of [2, 1]) {
    const numbered = stale === 2 ? 'as the live version' : 'below it'
    test(`a public reader resuming ${from} is not told of a withheld story whose only usable record was old news (numbered ${numbered})`, async () => {
      assert.deepEqual(await resumed({ stale, kill: false, pastMemory }), [])
    })
    test(`a public reader resuming ${from} is not told of the kill of a withheld story whose only usable record was old news (numbered ${numbered})`, async () => {
      assert.deepEqual(await resumed({ stale, kill: true, pastMemory }), [])
    })
  }
}

/** What a public reader of a live story that resumed after an old-news record of entry `e1` got of it. */
async function resumedEntry(o: { stale: number; deleted: boolean; pastMemory: boolean }) {
  const h = new Harness({ partitions: 1, historySize: o.pastMemory ? 2 : 50 })
  h.start()
  const story = new Story(h)
  await h.settle()
  const away = await client(h, { audience: 'public' })
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  const now = h.clock.now()
  h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 1, pubStatus: 'withheld' }, now))
  h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 2, pubStatus: 'withheld' }, now))
  h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: o.stale, body: ['NEVER PUBLISHED'] }, now))
  if (o.deleted)
    h.append(
      entryEvent(story.article, { id: 'e1', seq: 1, version: 3, pubStatus: 'canceled' }, now, { type: 'ENTRY_DELETED', reason: 'legal' }),
    )
  for (const id of ['x', 'y', 'z']) h.append(event('CREATED', { id, version: 1 }, now))
  await h.settle()
  const back = h.connect('public')
  subscribe(h, back.conn, ['story:Live-1'], { since })
  await h.settle()
  return [...gone(back.t.messages), ...back.t.messages.filter((m) => m.type === 'entry').map((m) => JSON.stringify(m))]
}

for (const pastMemory of [false, true]) {
  const from = pastMemory ? 'from the log' : 'from memory'
  for (const stale of [2, 1]) {
    const numbered = stale === 2 ? 'as the live version' : 'below it'
    test(`a public story reader resuming ${from} is not told of the deletion of an entry only ever withheld, whose only usable record was old news (numbered ${numbered})`, async () => {
      assert.deepEqual(await resumedEntry({ stale, deleted: true, pastMemory }), [])
    })
  }
}
