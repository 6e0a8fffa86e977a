import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { StoryEntries } from '../src/story-entries.ts'
import { storyEntry } from './story-fakes.ts'

describe('StoryEntries', () => {
  test('held by id at the newest version, listed by seq whatever the order they came in', () => {
    const s = new StoryEntries()
    assert.equal(s.upsert(storyEntry('c', 3), false), null)
    assert.equal(s.upsert(storyEntry('a', 1), false), null)
    assert.equal(s.upsert(storyEntry('b', 2, 2), false), null)
    assert.equal(s.upsert(storyEntry('b', 2, 1), false), undefined, 'an older version changes nothing')
    assert.equal(s.upsert(storyEntry('b', 2, 2), false), undefined, 'nor the same one')
    assert.equal(s.upsert(storyEntry('a', 1, 2), false)?.version, 1, 'a newer one returns what it replaced')
    assert.deepEqual(
      s.list().map((e) => `${e.id}@${e.version}`),
      ['a@2', 'b@2', 'c@1'],
    )
    assert.equal(s.lowestSeq(), 1)
    assert.equal(s.get('c')?.seq, 3)
  })

  test('the same version lifts an embargo flag, never sets one again', () => {
    const s = new StoryEntries()
    s.upsert(storyEntry('a', 1), true)
    assert.equal(s.isEmbargoed('a'), true)
    assert.notEqual(s.upsert(storyEntry('a', 1), false), undefined)
    assert.equal(s.isEmbargoed('a'), false)
    assert.equal(s.upsert(storyEntry('a', 1), true), undefined)
  })

  test('remove and clear return what they took', () => {
    const s = new StoryEntries()
    s.upsert(storyEntry('b', 2), false)
    s.upsert(storyEntry('a', 1), false)
    assert.equal(s.remove('b')?.id, 'b')
    assert.equal(s.remove('b'), null)
    assert.deepEqual(
      s.clear().map((e) => e.id),
      ['a'],
    )
    assert.equal(s.size, 0)
    assert.equal(s.lowestSeq(), null)
  })
})
