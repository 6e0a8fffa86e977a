import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Request } from 'express'
import fc from 'fast-check'
import { bodyText } from '../src/http.ts'

const requestWith = (body: Buffer) => ({ body }) as Request

test("bodyText reads any UTF-8 body exactly as Buffer's own decoder does (the fast path through transcode)", () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }), (s) => {
      const text = s.charCodeAt(0) === 0xfeff ? s.slice(1) : s
      assert.equal(bodyText(requestWith(Buffer.from(s, 'utf8'))), text)
    }),
    { numRuns: 500 },
  )
  fc.assert(
    fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), (s) => {
      const buf = Buffer.from(s, 'utf8')
      assert.equal(bodyText(requestWith(buf)), buf.toString('utf8').replace(/^\ufeff/, ''))
    }),
    { numRuns: 500 },
  )
  // A byte-order mark is dropped; Bengali with its joiners comes through unchanged
  assert.equal(bodyText(requestWith(Buffer.from('\ufeffর‍্যাব'))), 'র‍্যাব')
  assert.equal(bodyText(requestWith(Buffer.from('{"a":1}'))), '{"a":1}')
})

test('bodyText refuses an empty body and invalid UTF-8', () => {
  assert.throws(() => bodyText(requestWith(Buffer.alloc(0))), /empty/)
  assert.throws(() => bodyText(requestWith(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]))), /UTF-8/)
  assert.throws(() => bodyText(requestWith(Buffer.from([0xed, 0xa0, 0x80]))), /UTF-8/, 'an encoded lone surrogate is not UTF-8')
})
