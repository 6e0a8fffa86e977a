// red28b attack run (2026-12-07): a start reads every keyed answer of the last TTL twice, from
// news.article-events (answers.ts) and from news.articles where the state is still the request's
// (the state tail, state-records.ts), the two read at once. Read again, an answer took the newest
// place in its API key's bound: one the bound had pushed out came back and pushed out a newer answer
// than itself (whose retry got 409 `idempotency_answer_forgotten` where it had an answer), and each
// such round fingerprinted answers again, so a key's fingerprints filled up (429
// `idempotency_keys_full` for its keyed writes) with half the answers pushed out that they hold.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { KafkaMessage } from '@newswire/shared'
import { rememberAnswer } from '../src/answers.ts'
import { ForgottenAnswers } from '../src/forgotten-answers.ts'
import { IdempotencyCache } from '../src/idempotency-cache.ts'
import { answerPrint } from '../src/outcome.ts'
import type { Remembered } from '../src/outcome.ts'

const TTL = 60_000

/** The record of the keyed request `n` (its key `cms:k<n>`), written `n` ms after `t0`. */
function record(n: number, t0: number): KafkaMessage {
  const headers = { 'idempotency-key': Buffer.from(`cms:k${n}`), 'request-hash': Buffer.from(`h${n}`) }
  return { offset: String(n), timestamp: String(t0 + n), headers, key: Buffer.from('a'), value: Buffer.alloc(1) } as unknown as KafkaMessage
}

/** A start's cache: `bound` answers per API key, fingerprints as server.ts makes them. */
const cacheOf = (bound: number, limits?: { fill: number; maxFilters: number }) =>
  new IdempotencyCache<Remembered>(TTL, bound, (key, v) => answerPrint(key, v.by, v.requestHash), limits)

const read = (cache: IdempotencyCache<Remembered>, ns: number[], t0: number) => {
  for (const n of ns) rememberAnswer(cache, record(n, t0), () => null)
}

test('an answer read again at a start keeps its place: the newest answers stay, the one pushed out stays out', () => {
  const t0 = Date.now()
  const cache = cacheOf(2)
  // news.article-events: three answers, of which a bound of two keeps the newer two
  read(cache, [1, 2, 3], t0)
  // news.articles: the first request's state is still its article's latest
  read(cache, [1], t0)
  assert.notEqual(cache.get('cms:k2'), undefined, 'the second answer is among the two newest: its retry gets it')
  assert.notEqual(cache.get('cms:k3'), undefined)
  assert.equal(cache.get('cms:k1'), undefined)
  assert.ok(cache.forgotten('cms:k1', answerPrint('cms:k1', undefined, 'h1')), 'the first one’s retry is refused (409)')
  // and one still held, read again, keeps its place: the next answer pushes out the older one
  read(cache, [2], t0)
  read(cache, [4], t0)
  assert.notEqual(cache.get('cms:k3'), undefined, 'the third answer outlives the second')
  assert.equal(cache.get('cms:k2'), undefined)
})

test('answers read twice at a start do not fill their key’s fingerprints', () => {
  // the three answers end in one generation of fingerprints (a quarter of the TTL)
  const t0 = Date.now() - ((Date.now() + TTL) % (TTL / 4))
  // two fingerprints to a filter, two filters: full at three answers pushed out in one generation
  const cache = cacheOf(1, { fill: 2, maxFilters: 2 })
  read(cache, [1, 2, 3], t0)
  assert.equal(cache.fullUntil('cms:k1'), null, 'two answers pushed out: one filter')
  read(cache, [3, 1, 2], t0)
  assert.equal(cache.fullUntil('cms:k1'), null, 'still two answers pushed out (429 idempotency_keys_full otherwise)')
  assert.notEqual(cache.get('cms:k3'), undefined, 'the newest answer stays')
})

test('a fingerprint added twice in its generation takes one place', () => {
  const now = Date.now()
  const f = new ForgottenAnswers(TTL, { fill: 1, maxFilters: 8 })
  f.add('a', now + TTL, now)
  f.add('a', now + TTL, now)
  assert.equal(f.filters, 1)
  f.add('b', now + TTL, now)
  assert.equal(f.filters, 2, 'another print still takes its place')
  assert.ok(f.has('a', now) && f.has('b', now))
})
