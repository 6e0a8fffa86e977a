// red26a attack run, 2026-12-07: a story the desk withdrew (its kill keeps the content), erased
// later by a court order. Ingest now writes the erasure's kill after the withdrawal (the story's
// next version, without the content), and the fan-out tells the newsroom with a `withdrawn` that
// says `erased`. The SDK dropped it as a second kill (nothing follows a kill), so a desk that keeps
// killed stories, struck through, kept the erased text: it is taken once, as the erasure it is.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { articleEvent } from './fakes.ts'
import { accept, start } from './harness.ts'

test('a legal erasure after a withdrawal reaches the app, once, saying erased', (t) => {
  const { log } = start(t)
  const ws = accept('p0', [articleEvent('a', 1)])
  ws.push({ type: 'withdrawn', position: 'p1', articleId: 'a', version: 2, reason: 'legal', cause: 'withdrawn' })
  ws.push({ type: 'withdrawn', position: 'p2', articleId: 'a', version: 3, reason: 'court order', cause: 'withdrawn', erased: true })
  ws.push({ type: 'withdrawn', position: 'p3', articleId: 'a', version: 3, reason: 'court order', cause: 'withdrawn', erased: true })
  ws.push({ type: 'withdrawn', position: 'p4', articleId: 'a', version: 2, reason: 'legal', cause: 'withdrawn' })
  assert.deepEqual(
    log.withdrawn.map((w) => [w.position, w.erased === true]),
    [
      ['p1', false],
      ['p2', true],
    ],
  )
})

test('a story erased at once is erased: a later erasure message is a duplicate', (t) => {
  const { log } = start(t)
  const ws = accept('p0', [articleEvent('b', 1)])
  ws.push({ type: 'withdrawn', position: 'p1', articleId: 'b', version: 2, reason: 'court order', cause: 'withdrawn', erased: true })
  ws.push({ type: 'withdrawn', position: 'p2', articleId: 'b', version: 2, reason: 'court order', cause: 'withdrawn', erased: true })
  assert.deepEqual(
    log.withdrawn.map((w) => w.position),
    ['p1'],
  )
})
