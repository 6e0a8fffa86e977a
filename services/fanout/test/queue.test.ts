import assert from 'node:assert/strict'
import { test } from 'node:test'
import { History } from '../src/history.ts'
import { wsTextFrame } from '../src/messages.ts'
import { slowVerdict } from '../src/queue.ts'
import type { ArticleEvent } from '@newswire/shared'

test('slow verdicts', () => {
  const limits = { maxBufferedBytes: 100, maxPending: 10, slowClientMs: 1000 }
  assert.equal(slowVerdict(99, 50, 0, 5000, limits), 'write')
  assert.equal(slowVerdict(100, 5, 4500, 5000, limits), 'wait')
  assert.equal(slowVerdict(100, 11, 4500, 5000, limits), 'drop')
  assert.equal(slowVerdict(100, 5, 3000, 5000, limits), 'drop')
})

test('WebSocket text frames for every length class', () => {
  for (const n of [0, 125, 126, 65_535, 65_536, 200_000]) {
    const f = wsTextFrame(Buffer.alloc(n, 0x61))
    assert.equal(f[0], 0x81)
    const len = f[1] === 126 ? f.readUInt16BE(2) : f[1] === 127 ? Number(f.readBigUInt64BE(2)) : f[1]
    assert.equal(len, n)
    assert.equal(f.length, n + (n < 126 ? 2 : n < 65_536 ? 4 : 10))
  }
})

test('history evicts oldest, tracks what memory covers and where a cursor starts', () => {
  const e = {} as ArticleEvent
  const h = new History(4, [10, 20])
  h.append(0, 10, e)
  h.append(1, 20, e)
  h.append(0, 12, e) // 11 is a transaction marker
  h.append(1, 21, e)
  assert.equal(h.covers([10, 20]), true)
  assert.equal(h.startSeq([11, 21]), 2)
  assert.equal(h.startSeq([13, 22]), 4)
  h.append(0, 13, e) // evicts partition 0 offset 10
  assert.equal(h.firstSeq, 1)
  assert.equal(h.memStart(0), 11)
  assert.equal(h.covers([10, 20]), false)
  assert.equal(h.covers([11, 20]), true)
  assert.equal(h.startSeq([11, 20]), 1)
  assert.equal(h.get(0), undefined)
})
