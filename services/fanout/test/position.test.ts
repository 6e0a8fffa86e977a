import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import {
  compareReleaseKeys,
  offsetsAtLeast,
  PositionCodec,
  PositionError,
  peekPosition,
  positionProblem,
  releaseAfter,
  watermarkAfter,
} from '../src/position.ts'

const codec = new PositionCodec(['key-one-at-least-16'])

test('positions round-trip, signed and opaque', () => {
  const p = { o: [0, 12, 7], t: 1_700_000_000_000 }
  const s = codec.encode(p)
  assert.match(s, /^2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/)
  assert.deepEqual(codec.decode(s), p)
  const r = { o: [1], t: 5, r: [0, 3] as [number, number] }
  assert.deepEqual(codec.decode(codec.encode(r)), r)
  assert.deepEqual(peekPosition(s), p)
})

test('a position the server did not sign is refused: forged, edited, from another key, from the unsigned version', () => {
  const s = codec.encode({ o: [5, 5], t: 1000 })
  const [prefix, body, mac] = s.split('.')
  // the client moves the watermark forward, keeping the signature
  const later = Buffer.from(JSON.stringify({ o: [5, 5], t: 2 ** 53 - 1 })).toString('base64url')
  assert.throws(() => codec.decode(`${prefix}.${later}.${mac}`), /signature/)
  // one flipped character anywhere
  for (let i = 2; i < s.length; i++) {
    const c = s[i] === 'A' ? 'B' : 'A'
    const flipped = s.slice(0, i) + c + s.slice(i + 1)
    if (flipped !== s) assert.throws(() => codec.decode(flipped), PositionError, `flip at ${i}`)
  }
  assert.throws(() => new PositionCodec(['another-key-of-16+']).decode(s), /signature/)
  assert.throws(() => codec.decode(`1.${body}`), /unknown version/)
})

test('rotation: the new key signs, the previous one still verifies', () => {
  const old = new PositionCodec(['old-key-at-least-16'])
  const rotated = new PositionCodec(['new-key-at-least-16', 'old-key-at-least-16'])
  const fromOld = old.encode({ o: [1], t: 2 })
  assert.deepEqual(rotated.decode(fromOld), { o: [1], t: 2 })
  const fromNew = rotated.encode({ o: [3], t: 4 })
  assert.throws(() => old.decode(fromNew), /signature/)
  assert.deepEqual(new PositionCodec(['new-key-at-least-16']).decode(fromNew), { o: [3], t: 4 })
})

test('garbage is refused with a reason', () => {
  for (const bad of ['', 'x', '2.abc', '2.!!.x', '2.', '2..', 42, null, 'a'.repeat(20_000)]) {
    assert.throws(() => codec.decode(bad), PositionError, String(bad).slice(0, 20))
  }
})

// The key signs only what this service made, so these come only from a bug or a leaked key: a
// fractional offset or one past 2^53 would then reach Kafka seeks and cursor arithmetic (mutant
// po7 of the mutation sweep: a signed one went through)
test('a signed position whose offsets or watermark are not whole numbers within 2^53 is refused', () => {
  for (const bad of [
    { o: [1.5], t: 0 },
    { o: [2 ** 53], t: 0 },
    { o: [1], t: 0.5 },
    { o: [1], t: 2 ** 60 },
  ]) {
    assert.throws(() => codec.decode(codec.encode(bad)), PositionError, JSON.stringify(bad))
  }
  assert.throws(() => codec.decode(codec.encode({ o: [1], t: 0, r: [0, 1.5] })), PositionError)
})

test('ranges a verified position must respect', () => {
  const b = { partitions: 3, now: 10_000, maxSkewMs: 1000 }
  assert.equal(positionProblem({ o: [1, 2, 3], t: 10_500 }, b), null)
  assert.match(positionProblem({ o: [1, 2], t: 0 }, b) ?? '', /partition count/)
  assert.match(positionProblem({ o: [1, 2, 3], t: 11_001 }, b) ?? '', /future/)
  assert.match(positionProblem({ o: [1, 2, 3], t: 2 ** 53 - 1 }, b) ?? '', /future/)
  assert.match(positionProblem({ o: [1, 2, 3], t: 0, r: [3, 0] }, b) ?? '', /partition/)
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

test('a watermark up to the allowed skew ahead of this clock is served; a millisecond more is not', () => {
  const b = { partitions: 1, now: 10_000, maxSkewMs: 1000 }
  assert.equal(positionProblem({ o: [0], t: 11_000 }, b), null)
  assert.match(positionProblem({ o: [0], t: 11_001 }, b) ?? '', /future/)
})

test('property: releases in compareReleaseKeys order: the watermark after one has considered it and those before, none after', () => {
  const keyArb = fc.record({ at: fc.integer({ min: 100, max: 103 }), partition: fc.nat(3), offset: fc.nat(20) })
  fc.assert(
    fc.property(fc.uniqueArray(keyArb, { minLength: 2, maxLength: 12, selector: (k) => `${k.at}/${k.partition}/${k.offset}` }), (keys) => {
      const sorted = [...keys].sort(compareReleaseKeys)
      for (const [i, k] of sorted.entries()) {
        const w = watermarkAfter(k)
        for (const [j, other] of sorted.entries())
          assert.equal(releaseAfter(other, w.t, w.r), j > i, `${JSON.stringify(other)} after ${JSON.stringify(k)}`)
      }
    }),
  )
})
