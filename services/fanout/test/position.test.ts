import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodePosition, encodePosition, offsetsAtLeast, PositionError, releaseAfter } from '../src/position.ts'

test('positions round-trip and stay opaque', () => {
  const p = { o: [0, 12, 7], t: 1_700_000_000_000 }
  const s = encodePosition(p)
  assert.match(s, /^1\.[A-Za-z0-9_-]+$/)
  assert.deepEqual(decodePosition(s), p)
  const r = { o: [1], t: 5, r: [0, 3] as [number, number] }
  assert.deepEqual(decodePosition(encodePosition(r)), r)
})

test('invalid positions are rejected with a reason', () => {
  const b64 = (v: unknown) => `1.${Buffer.from(JSON.stringify(v)).toString('base64url')}`
  for (const bad of [
    '',
    'x',
    '2.abc',
    '1.!!',
    '1.',
    b64({ o: [], t: 0 }),
    b64({ o: [-1], t: 0 }),
    b64({ o: [1.5], t: 0 }),
    b64({ o: [1], t: 'x' }),
    b64({ o: [1], t: 0, r: [1] }),
    b64([1]),
    42,
  ]) {
    assert.throws(() => decodePosition(bad), PositionError, String(bad))
  }
})

test('release ordering against a watermark', () => {
  const k = { at: 100, partition: 1, offset: 5 }
  assert.equal(releaseAfter(k, 99), true)
  assert.equal(releaseAfter(k, 100), false)
  assert.equal(releaseAfter(k, 100, [1, 4]), true)
  assert.equal(releaseAfter(k, 100, [1, 5]), false)
  assert.equal(releaseAfter(k, 100, [0, 9]), true)
  assert.equal(releaseAfter(k, 100, [2, 0]), false)
  assert.equal(releaseAfter(k, 101), false)
})

test('offsetsAtLeast compares every partition', () => {
  assert.equal(offsetsAtLeast([3, 4], [3, 4]), true)
  assert.equal(offsetsAtLeast([3, 5], [3, 4]), true)
  assert.equal(offsetsAtLeast([2, 5], [3, 4]), false)
})
