// Who sees an entry of a live story (entry-visibility.ts), decided on the ledger's facts alone.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { EntryEvent } from '@newswire/shared'
import { entryEvent, event } from './support/events.ts'
import type { EntryLatest } from '../src/entry-visibility.ts'
import { decideEntry, entryChangeFor, hiddenByItself, isEntryDeleted, visibleEntry } from '../src/entry-visibility.ts'
import type { Latest } from '../src/visibility.ts'

const T0 = Date.UTC(2026, 11, 4, 12)
const story: Latest = { event: event('CREATED', { id: 'Live-1', version: 1, live: true }, T0), released: true }
const at = (e: EntryEvent, released = true): EntryLatest => ({ event: e, released })

test('an ENTRY_DELETED event deletes the entry whatever status it carries', () => {
  const v1 = at(entryEvent(story.event.article, { id: 'e1', seq: 1, version: 1 }, T0))
  // as ingest writes it today the deletion also says canceled; the event type alone is enough
  const del = at(entryEvent(story.event.article, { id: 'e1', seq: 1, version: 2, pubStatus: 'usable' }, T0 + 1, { type: 'ENTRY_DELETED' }))
  assert.equal(isEntryDeleted(del.event), true)
  for (const c of ['public', 'released', 'all'] as const) {
    assert.equal(visibleEntry(story, del, c), null, c)
    const ch = entryChangeFor(story, v1, del, c)
    assert.equal(ch.deletion, true, c)
    assert.deepEqual(
      decideEntry(ch, c, true, () => 'sure'),
      { kind: 'retract', cause: 'deleted' },
      c,
    )
  }
})

test('a subscription the story is out of view for hears nothing of its entries, not even a deletion', () => {
  const v1 = at(entryEvent(story.event.article, { id: 'e1', seq: 1, version: 1 }, T0))
  const v2 = at(entryEvent(story.event.article, { id: 'e1', seq: 1, version: 2 }, T0 + 1))
  const del = at(
    entryEvent(story.event.article, { id: 'e1', seq: 1, version: 3, pubStatus: 'canceled' }, T0 + 2, { type: 'ENTRY_DELETED' }),
  )
  for (const c of ['public', 'released', 'all'] as const) {
    assert.equal(
      decideEntry(entryChangeFor(story, undefined, v1, c), c, false, () => 'sure'),
      null,
      c,
    )
    assert.equal(
      decideEntry(entryChangeFor(story, v1, v2, c), c, false, () => 'sure'),
      null,
      c,
    )
    assert.equal(
      decideEntry(entryChangeFor(story, v2, del, c), c, false, () => 'sure'),
      null,
      c,
    )
  }
})

test('a kill takes every entry with it, for the newsroom too', () => {
  // The newsroom still sees the killed story (its last version, canceled), so its view of an entry
  // hangs on this rule alone: shown the entries, a newsroom resume from before the kill is replayed
  // their content (story-deliver.ts decideEntryReplay). Nothing failed without it (mutation sweep, 2026-12-05).
  const killed: Latest = {
    event: event('WITHDRAWN', { id: 'Live-1', version: 2, live: true, pubStatus: 'canceled' }, T0 + 5),
    released: true,
  }
  const e1 = at(entryEvent(story.event.article, { id: 'e1', seq: 1, version: 1 }, T0))
  for (const c of ['public', 'released', 'all'] as const) {
    assert.equal(visibleEntry(story, e1, c) !== null, true, c)
    assert.equal(visibleEntry(killed, e1, c), null, c)
  }
})

test('an entry version canceled by an update is a deletion as well, as a kill is for a story', () => {
  // ingest writes deletions as ENTRY_DELETED; another writer may cancel by status alone, and the
  // status must end the entry for every clearance (mutation sweep, 2026-12-05: untested)
  const v1 = at(entryEvent(story.event.article, { id: 'e1', seq: 1, version: 1 }, T0))
  const canceled = at(entryEvent(story.event.article, { id: 'e1', seq: 1, version: 2, pubStatus: 'canceled' }, T0 + 1))
  assert.equal(canceled.event.type, 'ENTRY_UPDATED')
  assert.equal(isEntryDeleted(canceled.event), true)
  for (const c of ['public', 'released', 'all'] as const) {
    assert.equal(visibleEntry(story, canceled, c), null, c)
    assert.deepEqual(
      decideEntry(entryChangeFor(story, v1, canceled, c), c, true, () => 'sure'),
      { kind: 'retract', cause: 'deleted' },
      c,
    )
  }
})

// red14b: a replay judging an entry while its story is out of view retracts it only when the entry
// itself is hidden: deleted for everyone, withheld for the public, its own embargo to come for all
// but the newsroom, so whatever the story then, a usable released entry is not retracted
test('an entry hidden by its own state, whatever its story', () => {
  const usable = at(entryEvent(story.event.article, { id: 'e1', seq: 1, version: 1 }, T0))
  const held = at(entryEvent(story.event.article, { id: 'e1', seq: 1, version: 2, pubStatus: 'withheld' }, T0))
  const embargoed = at(entryEvent(story.event.article, { id: 'e1', seq: 1, version: 3, embargoedUntil: T0 + 60_000 }, T0), false)
  const del = at(entryEvent(story.event.article, { id: 'e1', seq: 1, version: 4, pubStatus: 'usable' }, T0, { type: 'ENTRY_DELETED' }))
  const hidden = (s: EntryLatest) => (['public', 'released', 'all'] as const).filter((c) => hiddenByItself(s, c))
  assert.deepEqual(hidden(usable), [])
  assert.deepEqual(hidden(held), ['public'])
  assert.deepEqual(hidden(embargoed), ['public', 'released'])
  assert.deepEqual(hidden(del), ['public', 'released', 'all'])
  // the same as visibleEntry under a story every clearance sees
  for (const s of [usable, held, embargoed, del])
    for (const c of ['public', 'released', 'all'] as const) assert.equal(hiddenByItself(s, c), visibleEntry(story, s, c) === null, c)
})
