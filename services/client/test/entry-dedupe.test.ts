import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { EntryDedupe } from '../src/entry-dedupe.ts'

const plain = { embargoed: false, released: false }

describe('EntryDedupe', () => {
  test('per story and entry: the newest version wins, the same one again is dropped', () => {
    const d = new EntryDedupe(100)
    assert.equal(d.acceptEntry('s', 'e1', 2, plain), true)
    assert.equal(d.acceptEntry('s', 'e1', 2, plain), false)
    assert.equal(d.acceptEntry('s', 'e1', 1, plain), false)
    assert.equal(d.acceptEntry('s', 'e1', 3, plain), true)
    assert.equal(d.acceptEntry('other', 'e1', 1, plain), true, 'entry ids are per story')
  })

  test('the release of a version seen embargoed passes once', () => {
    const d = new EntryDedupe(100)
    assert.equal(d.acceptEntry('s', 'e1', 1, { embargoed: true, released: false }), true)
    assert.equal(d.acceptEntry('s', 'e1', 1, { embargoed: false, released: true }), true)
    assert.equal(d.acceptEntry('s', 'e1', 1, { embargoed: false, released: true }), false)
  })

  test('withdrawn: once per version; deleted is final; put under embargo again, the same version returns at its release', () => {
    const d = new EntryDedupe(100)
    assert.equal(d.acceptEntry('s', 'e1', 1, plain), true)
    assert.equal(d.acceptWithdrawn('s', 'e1', 2, 'deleted'), true)
    assert.equal(d.acceptWithdrawn('s', 'e1', 2, 'deleted'), false)
    assert.equal(d.acceptWithdrawn('s', 'e1', 1, 'deleted'), false)
    assert.equal(d.acceptEntry('s', 'e1', 5, plain), false, 'a deleted entry is never revived')
    assert.equal(d.acceptEntry('s', 'e2', 1, plain), true)
    assert.equal(d.acceptWithdrawn('s', 'e2', 2, 'embargoed'), true)
    assert.equal(d.acceptEntry('s', 'e2', 1, plain), false, 'an older version stays out')
    assert.equal(d.acceptEntry('s', 'e2', 2, plain), true)
    assert.equal(d.acceptEntry('s', 'e2', 2, plain), false)
    assert.equal(d.acceptWithdrawn('s', 'e2', 3, 'withheld'), true)
    assert.equal(d.acceptEntry('s', 'e2', 3, plain), false, 'a hold ends with a new version, not the held one')
    assert.equal(d.acceptEntry('s', 'e2', 4, plain), true)
    assert.equal(d.acceptWithdrawn('s', 'e2', 3, 'withheld'), false, 'a replayed withdrawal older than what is shown')
    assert.equal(d.acceptWithdrawn('s', 'e2', 4, 'deleted'), true, 'one at the version shown is taken: safety first')
  })

  test('a hold or embargo at the very version shown is taken: an instance whose clock ran ahead released it early, this one retracts it', () => {
    // a resume on an instance that has not released v3 yet retracts it (unsure, story-deliver.ts
    // decideEntryReplay), numbered as the version the reader holds: dropped, the reader keeps it
    const d = new EntryDedupe(100)
    assert.equal(d.acceptEntry('s', 'e1', 3, plain), true)
    assert.equal(d.acceptWithdrawn('s', 'e1', 3, 'embargoed'), true, 'the retraction of the version shown was dropped')
    assert.equal(d.acceptWithdrawn('s', 'e1', 3, 'embargoed'), false, 'once')
    assert.equal(d.acceptEntry('s', 'e1', 3, { embargoed: false, released: true }), true, 'its release brings it back')
    assert.equal(d.acceptEntry('s', 'e2', 2, plain), true)
    assert.equal(d.acceptWithdrawn('s', 'e2', 2, 'withheld'), true)
  })

  test('a story that came down forgets its entries, and only its own', () => {
    const d = new EntryDedupe(100)
    d.acceptEntry('s', 'e1', 1, plain)
    d.acceptEntry('s2', 'e1', 1, plain)
    d.forgetStory('s')
    assert.equal(d.acceptEntry('s', 'e1', 1, plain), true)
    assert.equal(d.acceptEntry('s2', 'e1', 1, plain), false)
  })

  test('bounded: the entry heard of longest ago is forgotten first; clear() forgets all', () => {
    const d = new EntryDedupe(2)
    d.acceptEntry('s', 'a', 1, plain)
    d.acceptEntry('s', 'b', 1, plain)
    d.acceptEntry('s', 'a', 2, plain)
    d.acceptEntry('s', 'c', 1, plain)
    assert.equal(d.size, 2)
    assert.equal(d.acceptEntry('s', 'a', 2, plain), false, 'a was refreshed, b went')
    assert.equal(d.acceptEntry('s', 'b', 1, plain), true)
    d.clear()
    assert.equal(d.size, 0)
    assert.equal(d.acceptEntry('s', 'b', 1, plain), true)
  })
  test("after a stand-in hold (guess), the stream's next version decides whatever its number; a page's does not", () => {
    const d = new EntryDedupe(10)
    const stream = { embargoed: false, released: false, snapshot: false }
    const page = { ...stream, snapshot: true }
    assert.equal(d.acceptEntry('s', 'e1', 3, stream), true)
    assert.equal(d.acceptWithdrawn('s', 'e1', 4, 'withheld', true), true)
    assert.equal(d.acceptEntry('s', 'e1', 3, page), false, 'the held version again, from a page answered before the hold')
    assert.equal(d.acceptEntry('s', 'e1', 2, stream), true, "the writer's next record, numbered lower")
    assert.equal(d.acceptEntry('s', 'e1', 2, stream), false, 'the same version again')
    assert.equal(d.acceptEntry('s', 'e1', 3, stream), true, 'the one after it')
    // the newsroom: the stand-in as an entry, then its next record at the stand-in's number
    assert.equal(d.acceptEntry('s', 'e2', 1, stream), true)
    assert.equal(d.acceptEntry('s', 'e2', 2, { ...stream, guess: true }), true)
    assert.equal(d.acceptEntry('s', 'e2', 2, { ...stream, guess: true }), false, 'the stand-in again')
    assert.equal(d.acceptEntry('s', 'e2', 2, stream), true, "the writer's record of that number")
    // a hold that is not a stand-in keeps the strict rule
    assert.equal(d.acceptWithdrawn('s', 'e3', 4, 'withheld'), true)
    assert.equal(d.acceptEntry('s', 'e3', 3, stream), false)
  })

  test('a deletion is taken whatever its version: an instance standing in for an undecodable deletion numbers it after what it knows (rev35)', () => {
    // an instance lacking the new schema skipped edits v2 and v3 (undecodable, not deletions) and
    // stands in for the undecodable deletion (v4) as v2; the reader holds v3 from an upgraded instance
    const d = new EntryDedupe(100)
    assert.equal(d.acceptEntry('s', 'e1', 3, plain), true)
    assert.equal(d.acceptWithdrawn('s', 'e1', 2, 'deleted'), true, 'the stand-in deletion was dropped: the reader keeps a deleted entry')
    assert.equal(d.acceptWithdrawn('s', 'e1', 4, 'deleted'), false, 'nothing follows a deletion')
    assert.equal(d.acceptEntry('s', 'e1', 5, plain), false)
  })
})
