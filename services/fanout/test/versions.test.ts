import assert from 'node:assert/strict'
import { test } from 'node:test'
import { VersionGate } from '../src/versions.ts'

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

test('has tells whether anything was delivered for an article', () => {
  const g = new VersionGate()
  assert.equal(g.has('a'), false)
  g.admit('a', 1)
  assert.equal(g.has('a'), true)
  assert.equal(g.has('b'), false)
})

test('by default the gate remembers the last 10 000 articles (README)', () => {
  const g = new VersionGate()
  for (let i = 0; i < 10_000; i++) assert.equal(g.admit(`a${i}`, 1), true)
  assert.equal(g.admit('a0', 1), false, 'the first is still remembered')
  assert.equal(g.admit('b', 1), true) // evicts a0, the least recently delivered
  assert.equal(g.size, 10_000)
  assert.equal(g.admit('a1', 1), false)
  assert.equal(g.admit('a0', 1), true)
})
