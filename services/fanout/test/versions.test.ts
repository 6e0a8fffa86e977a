import assert from 'node:assert/strict'
import { test } from 'node:test'
import { supersededInReplay, VersionGate } from '../src/versions.ts'

const ev = (type: 'CREATED' | 'UPDATED' | 'WITHDRAWN', version: number, pubStatus: 'usable' | 'withheld' | 'canceled' = 'usable') => ({
  type,
  article: { version, pubStatus } as never,
})

test('the version gate refuses older and equal versions per article, and forgets the least recent first', () => {
  const g = new VersionGate(2)
  assert.equal(g.admit('a', 2), true)
  assert.equal(g.admit('a', 1), false)
  assert.equal(g.admit('a', 2), false)
  assert.equal(g.admit('a', 3), true)
  assert.equal(g.admit('b', 1), true)
  assert.equal(g.admit('a', 4), true) // a is now the most recent
  assert.equal(g.admit('c', 1), true) // evicts b
  assert.equal(g.size, 2)
  assert.equal(g.admit('b', 1), true)
  assert.equal(g.admit('c', 1), false)
})

test('replays skip versions superseded by a retraction, and every older version with catchUp latest', () => {
  assert.equal(supersededInReplay(ev('CREATED', 1), ev('WITHDRAWN', 3), 'all'), true)
  assert.equal(supersededInReplay(ev('UPDATED', 2), ev('UPDATED', 3, 'canceled'), 'all'), true)
  assert.equal(supersededInReplay(ev('WITHDRAWN', 3), ev('WITHDRAWN', 3), 'all'), false)
  assert.equal(supersededInReplay(ev('UPDATED', 2), ev('UPDATED', 3), 'all'), false)
  assert.equal(supersededInReplay(ev('UPDATED', 2), ev('UPDATED', 3), 'latest'), true)
  assert.equal(supersededInReplay(ev('UPDATED', 3), ev('UPDATED', 3), 'latest'), false)
  assert.equal(supersededInReplay(ev('UPDATED', 3), undefined, 'latest'), false)
})
