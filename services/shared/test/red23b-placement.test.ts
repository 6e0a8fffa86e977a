// red23b attack run (2026-12-07): a record of news.articles away from its key's partition under
// the count in force says partitions were added after it was written (placement.ts); an entry's
// state lives on its story's partition, and a tombstone is not the placement check's business.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryStateKey, homeOf, isNewswireError, partitionOf, PlacementCheck } from '@newswire/shared'

test("a key's home is its story's partition under the count in force", () => {
  assert.equal(homeOf('story-1', 6), partitionOf('story-1', 6))
  assert.equal(homeOf(entryStateKey('story-1', 'e-9'), 6), partitionOf('story-1', 6))
})

test('records at home pass; one written under a smaller count, after partitions were added, is a refusal naming it', () => {
  let moved = ''
  for (let i = 0; moved === ''; i++) if (partitionOf(`a-${i}`, 3) !== partitionOf(`a-${i}`, 6)) moved = `a-${i}`
  const check = new PlacementCheck(6)
  check.note('home-story', partitionOf('home-story', 6))
  check.note(entryStateKey('home-story', 'e1'), partitionOf('home-story', 6))
  assert.equal(check.problem('news.articles'), null)
  check.note(moved, partitionOf(moved, 3))
  const problem = check.problem('news.articles')
  assert.ok(isNewswireError(problem, 'NEWSWIRE_ERR_TOPICS_REPARTITIONED'))
  assert.equal(check.misplaced, 1)
  assert.deepEqual(problem.details.examples, [{ key: moved, partition: partitionOf(moved, 3), home: partitionOf(moved, 6) }])
  assert.match(problem.message, /partitions were added/)
})
