import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { NewswireEvent } from '@newswire/shared'
import { ReadBack } from '../src/read-back.ts'

// Only the event id matters to ReadBack; the rest is carried through untouched
const eventOf = (eventId: string) => ({ eventId }) as NewswireEvent

async function settled(p: Promise<void>): Promise<boolean> {
  let done = false
  void p.then(() => {
    done = true
  })
  await new Promise((r) => setImmediate(r))
  return done
}

test('a commit is read back once every one of its events is seen; the tail gets the events the publisher built', async () => {
  const rb = new ReadBack()
  const a = eventOf('a')
  const b = eventOf('b')
  const { done } = rb.expect([a, b])
  assert.equal(rb.pending, 2)
  assert.equal(rb.seen('a'), a)
  assert.equal(await settled(done), false, 'one event of two is not the commit')
  assert.equal(rb.seen('a'), undefined, 'an event is handed over once')
  assert.equal(rb.seen('b'), b)
  assert.equal(await settled(done), true)
  assert.equal(rb.pending, 0)
})

test("an event nobody awaits, or a cancelled commit's, is not ours to skip: the tail decodes it", async () => {
  const rb = new ReadBack()
  assert.equal(rb.seen('other-instance'), undefined)
  const { done, cancel } = rb.expect([eventOf('c'), eventOf('d')])
  assert.ok(rb.seen('c'))
  cancel()
  assert.equal(rb.seen('d'), undefined)
  assert.equal(rb.pending, 0)
  assert.equal(await settled(done), false)
})

test('a commit without events is read back at once', async () => {
  assert.equal(await settled(new ReadBack().expect([]).done), true)
})
