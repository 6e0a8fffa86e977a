// The dashboard's view of live-story entries (web/live-desk.ts, web/story-panel.ts) in Node: each
// entry's editorial state at a moment, and the counts line.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { StoryEntry } from '@newswire/client'
import { deskEntry, entryState } from '../../services/fanout/web/live-desk.ts'
import { countsText } from '../../services/fanout/web/story-panel.ts'

const T = Date.parse('2026-05-04T10:00:00Z')

const entry = (extra: Partial<StoryEntry> = {}): StoryEntry => ({
  id: 'e1',
  seq: 1,
  version: 1,
  headline: null,
  body: ['text'],
  authors: [],
  pinned: false,
  keyEvent: false,
  publishedAt: new Date(T).toISOString(),
  updatedAt: new Date(T).toISOString(),
  pubStatus: 'usable',
  embargoedUntil: null,
  corrections: [],
  ...extra,
})

describe('live desk', () => {
  test("an entry's state: withheld before embargoed; an embargo counts until the server's release, whatever the clock", () => {
    const until = new Date(T + 60_000).toISOString()
    assert.equal(entryState(entry(), false), 'live')
    assert.equal(entryState(entry({ pubStatus: 'withheld', embargoedUntil: until }), true), 'withheld')
    assert.equal(entryState(entry({ embargoedUntil: until }), true), 'embargoed')
    assert.equal(entryState(entry({ embargoedUntil: null }), true), 'embargoed', 'an embargo without a time stays one')
    assert.equal(entryState(entry({ embargoedUntil: until }), false), 'live', 'the server released it')
    assert.equal(entryState(entry({ pubStatus: 'canceled' }), false), 'deleted')
  })

  test('an entry runs only when its story does: held with a withheld story, under its embargo, gone with its kill (red17c)', () => {
    const until = new Date(T + 60_000).toISOString()
    const storyEnd = T + 3_600_000
    assert.equal(entryState(entry(), false, 'withheld'), 'withheld')
    assert.equal(entryState(entry(), false, 'embargoed'), 'embargoed')
    assert.equal(entryState(entry(), false, 'withdrawn'), 'deleted')
    assert.equal(entryState(entry({ pubStatus: 'withheld' }), false, 'embargoed'), 'withheld', 'a hold wins over an embargo')
    assert.equal(entryState(entry({ embargoedUntil: until }), true, 'live'), 'embargoed')
    // why, and until when
    const byStory = deskEntry(entry(), false, { state: 'embargoed', embargoEnd: storyEnd })
    assert.deepEqual([byStory.state, byStory.embargoEnd, byStory.reason], ['embargoed', storyEnd, 'its story is under embargo'])
    const both = deskEntry(entry({ embargoedUntil: until }), true, { state: 'embargoed', embargoEnd: storyEnd })
    assert.deepEqual([both.state, both.embargoEnd, both.reason], ['embargoed', storyEnd, null], 'it runs at the later end')
    const held = deskEntry(entry(), false, { state: 'withheld', embargoEnd: Number.NaN })
    assert.deepEqual([held.state, held.reason], ['withheld', 'its story is withheld'])
    const own = deskEntry(entry({ pubStatus: 'withheld' }), false, { state: 'withheld', embargoEnd: Number.NaN })
    assert.deepEqual([own.state, own.reason], ['withheld', null], 'held by itself: no reason of the story')
    assert.deepEqual([deskEntry(entry(), false).state, deskEntry(entry(), false).reason], ['live', null])
  })

  test('the counts line: entries shown, by state, the deleted ones beside', () => {
    assert.equal(countsText({ live: 4, embargoed: 1, withheld: 1, deleted: 1 }), '6 entries: 4 live · 1 embargoed · 1 withheld · 1 deleted')
    assert.equal(countsText({ live: 1, embargoed: 0, withheld: 0, deleted: 0 }), '1 entry: 1 live')
    assert.equal(countsText({ live: 0, embargoed: 0, withheld: 0, deleted: 2 }), '0 entries: 2 deleted')
    assert.equal(countsText({ live: 0, embargoed: 0, withheld: 0, deleted: 0 }), '0 entries')
  })
})
