// red23a attack run (2026-12-07), mixed versions: `a` (red15) and `v` (red16) narrowed where a
// position may be resumed, but a release that did not know them ignored them. Real processes on one
// broker, one position key: a public reader's position from this release (view category:politics),
// resumed under category:sports on a fan-out of the release before them (a rollback, or a rolling
// deploy's older instance), was served from memory, and the kill of the politics story the app
// still showed never came; this release's own parser ignored fields it did not know alike, so the
// next field that narrows a resume would be lost the same way in its rollout. A position with a
// field this release does not know is refused now (`invalid_position`, then a `reset`), and what
// it claims is still read, so the reset waits for its offsets as for any refused position (red14).
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { test } from 'node:test'
import fc from 'fast-check'
import { claimedPosition, PositionCodec, PositionError, peekPosition } from '../src/position.ts'
import { Harness, type Message, POSITION_KEY } from './support/harness.ts'
import { event } from './support/events.ts'
import { goneReaderAt, subscribe } from './support/live-story.ts'

const T0 = 1_800_000_000_000

/** `position` with `extra` fields added, signed with `key` as a later release would sign it. */
function withFields(position: string, extra: Record<string, unknown>, key = POSITION_KEY): string {
  const body = { ...peekPosition(position), ...extra }
  const signed = `2.${Buffer.from(JSON.stringify(body)).toString('base64url')}`
  return `${signed}.${createHmac('sha256', Buffer.from(key)).update(signed).digest().subarray(0, 16).toString('base64url')}`
}

test('a signed position with a field this release does not know is refused, and its claim is still read', () => {
  const codec = new PositionCodec([POSITION_KEY])
  const known = codec.encode({ o: [4, 2], t: 10, a: 'public', v: 'abcdefgh' })
  assert.deepEqual(codec.decode(withFields(known, {})), peekPosition(known), 'the same fields decode')
  const later = withFields(known, { x: 'narrower' })
  assert.throws(
    () => codec.decode(later),
    (e: unknown) => e instanceof PositionError && /does not know/.test(e.message),
  )
  assert.deepEqual(claimedPosition(later)?.o, [4, 2], 'a refused position still says how far to read before the reset')
  assert.throws(() => codec.decode(withFields(known, { x: 1 }, 'another-key-of-16+')), /signature/)
})

test('resumed over the stream, it gets invalid_position and a reset, not a replay that ignores what it says', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  h.append(event('CREATED', { id: 'A', version: 1, category: 'news', language: 'en' }, h.clock.now()))
  await h.settle()
  const since = await goneReaderAt(h, ['category:news'])

  const r = h.connect('public')
  subscribe(h, r.conn, ['category:news'], { since: withFields(since, { x: 'narrower' }) })
  await h.settle()
  h.hub.stop()
  const ms: Message[] = r.t.messages
  assert.deepEqual(
    ms.filter((m) => m.type === 'error').map((m) => m.code),
    ['invalid_position'],
  )
  assert.equal(ms.filter((m) => m.type === 'reset').length, 1, JSON.stringify(ms.map((m) => m.type)))
})

test('property: any signed position decodes as it was made, and with any field more is refused but still read', () => {
  const codec = new PositionCodec([POSITION_KEY])
  const offset = fc.nat({ max: 2 ** 40 })
  const key = fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/)
  const position = fc.record(
    { o: fc.array(offset, { minLength: 1, maxLength: 8 }), t: offset, r: fc.tuple(fc.nat(7), offset), a: key, v: key },
    { requiredKeys: ['o', 't'] },
  )
  const extra = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !['o', 't', 'r', 'a', 'v', '__proto__'].includes(k))
  fc.assert(
    fc.property(position, extra, fc.jsonValue(), (drawn, k, value) => {
      const p = { ...drawn }
      const made = codec.encode(p)
      assert.deepEqual(codec.decode(made), p)
      const later = withFields(made, { [k]: value })
      assert.throws(() => codec.decode(later), PositionError)
      assert.deepEqual(claimedPosition(later)?.o, p.o)
    }),
  )
})
