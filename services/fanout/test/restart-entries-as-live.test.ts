// An instance starting up decides a live story's entries as an instance that read the same log
// live: who is told of an entry's deletion. Written for the mutation campaign over the restart's
// replacement code (Store.#undo, Ledger.restore, Ledger.restoreEntry; stop 40).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { NewswireEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { client, entries, gone, newsroom } from './support/live-story.ts'

const T = 1_800_000_000_000

test("a restart over old news of an entry whose latest version's record is older than history: a public reader who saw the entry hears of its hold and then its deletion, as on the live instance (mutation: Store.#undo putting the entry back with no clearance sure to have seen it)", async () => {
  const story = event('CREATED', { id: 'Live-1', version: 1, live: true }, T - 9000)
  const v1 = entryEvent(story.article, { id: 'e1', seq: 1, version: 1 }, T - 8000)
  const v2 = entryEvent(story.article, { id: 'e1', seq: 1, version: 2 }, T - 7000)
  // a tool's record of e1 numbered 1: old news (v2 is live)
  const never = entryEvent(story.article, { id: 'e1', seq: 1, version: 1, body: ['NEVER PUBLISHED'] }, T - 6000)
  const log: NewswireEvent[] = [story, v1, v2, never]
  const told: string[][] = []
  for (const restart of [false, true]) {
    const h = new Harness({ partitions: 1, start: T, ...(restart ? { from: [3] } : {}) })
    if (restart) {
      h.log[0]?.push(...log)
      h.store.load(0, story, { views: [], complete: true })
      h.store.loadEntry(0, v2, { usableLeftMs: 0, withheldLeftMs: null, complete: true })
      h.store.append(0, 3, never)
    }
    h.start()
    if (!restart) for (const e of log) h.append(e)
    await h.settle()
    const reader = await client(h, { audience: 'public' })
    h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 3, pubStatus: 'withheld' }, T))
    h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 4, pubStatus: 'canceled' }, T, { type: 'ENTRY_DELETED' }))
    await h.settle()
    told.push(gone(reader.t.messages))
  }
  assert.deepEqual(told, [
    ['e1:withheld', 'e1:deleted'],
    ['e1:withheld', 'e1:deleted'],
  ])
})

test('a restart over a hold of a live story numbered as old news, an entry posted under it and withheld: a public reader is not told of its deletion, as on the live instance', async () => {
  const view = { category: 'news', language: 'en', urgency: 5, breaking: false, usableLeftMs: 0, withheldLeftMs: null }
  const v1 = event('CREATED', { id: 'Live-1', version: 1, live: true }, T - 9000)
  const v2 = event('UPDATED', { id: 'Live-1', version: 2, live: true }, T - 8000)
  // a tool's hold of the story numbered 1: it stands in as the next version (v3, withheld)
  const hold = event('UPDATED', { id: 'Live-1', version: 1, live: true, pubStatus: 'withheld' }, T - 7000, { reason: 'legal' })
  // an entry posted while the story is held: the public never sees it
  const e1 = entryEvent(v2.article, { id: 'e1', seq: 1, version: 1 }, T - 6000)
  const log: NewswireEvent[] = [v1, v2, hold, e1]
  const told: string[][] = []
  for (const restart of [false, true]) {
    const h = new Harness({ partitions: 1, start: T, ...(restart ? { from: [2] } : {}) })
    if (restart) {
      h.log[0]?.push(...log)
      h.store.load(0, v2, { views: [view], complete: true })
      for (const offset of [2, 3]) h.store.append(0, offset, log[offset] as NewswireEvent)
    }
    h.start()
    if (!restart) for (const e of log) h.append(e)
    await h.settle()
    // the entry is withheld, the story public again (ingest's next version), then the entry is deleted
    h.append(entryEvent(v2.article, { id: 'e1', seq: 1, version: 2, pubStatus: 'withheld' }, T))
    h.append(event('UPDATED', { id: 'Live-1', version: 4, live: true }, T))
    await h.settle()
    const reader = await client(h, { audience: 'public' })
    h.append(entryEvent(v2.article, { id: 'e1', seq: 1, version: 3, pubStatus: 'canceled' }, T, { type: 'ENTRY_DELETED' }))
    await h.settle()
    told.push(gone(reader.t.messages))
  }
  assert.deepEqual(told, [[], []], 'the public never saw e1: nothing names it, on the live instance nor on the restarted one')
})

test("a restart over an embargoed entry's old news carrying an earlier embargo: the public gets the entry at its own embargo, not the old news' (mutation: Ledger.restoreEntry leaving the old news' release scheduled)", async () => {
  const story = event('CREATED', { id: 'Live-1', version: 1, live: true }, T - 9000)
  const v1 = entryEvent(story.article, { id: 'e1', seq: 1, version: 1, embargoedUntil: T + 3_600_000 }, T - 8000)
  const v2 = entryEvent(story.article, { id: 'e1', seq: 1, version: 2, embargoedUntil: T + 3_600_000 }, T - 7000)
  // a tool's record of e1 numbered 1, embargoed a minute from now: old news
  const never = entryEvent(story.article, { id: 'e1', seq: 1, version: 1, embargoedUntil: T + 60_000 }, T - 6000)
  const h = new Harness({ partitions: 1, start: T, from: [3] })
  h.log[0]?.push(story, v1, v2, never)
  h.store.load(0, story, { views: [], complete: true })
  h.store.loadEntry(0, v2, { usableLeftMs: null, withheldLeftMs: null, complete: false })
  h.store.append(0, 3, never)
  h.start()
  await h.settle()
  const reader = await client(h, { audience: 'public' })
  await h.tick(2 * 60_000)
  assert.deepEqual(entries(reader.t.messages), [], "nothing at the old news' embargo")
  await h.tick(3_600_000)
  assert.deepEqual(entries(reader.t.messages), ['e1@2+r'], 'e1 at its own embargo')
})

test("a restart over an entry's versions before its latest, the first withheld: a newsroom reader resuming from before them is replayed them as the live instance sends them (mutation: entryHoldAsNext standing a version before the loaded state in as a hold)", async () => {
  const story = event('CREATED', { id: 'Live-1', version: 1, live: true }, T - 9000)
  const v1 = entryEvent(story.article, { id: 'e1', seq: 1, version: 1, pubStatus: 'withheld' }, T - 8000)
  const v2 = entryEvent(story.article, { id: 'e1', seq: 1, version: 2 }, T - 7000)
  const log: NewswireEvent[] = [story, v1, v2]
  const replayed: string[][] = []
  for (const restart of [false, true]) {
    const h = new Harness({ partitions: 1, start: T, ...(restart ? { from: [1] } : {}) })
    if (restart) {
      h.log[0]?.push(...log)
      h.store.load(0, story, { views: [], complete: true })
      h.store.loadEntry(0, v2, { usableLeftMs: null, withheldLeftMs: 0, complete: true })
      h.store.append(0, 1, v1)
      h.store.append(0, 2, v2)
    }
    h.start()
    if (!restart) for (const e of log) h.append(e)
    await h.settle()
    const back = await client(h, newsroom, ['story:Live-1'], { since: h.positions.encode({ o: [1], t: T - 8500 }) })
    replayed.push(entries(back.t.messages))
  }
  assert.deepEqual(replayed[1], replayed[0])
})
