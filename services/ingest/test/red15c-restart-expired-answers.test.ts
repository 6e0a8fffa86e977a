// A restarted instance forgets a CMS's recent answers under its own archive (red15c attack run,
// 2026-12-06). At start an instance remembers the answers of the last TTL from
// news.article-events (answers.ts) and rebuilds its state from news.articles, whose records carry
// the Idempotency-Key of the request that wrote them (state-records.ts), long expired for most.
// Each was stored all the same, counted against the API key's bound of answers (oldest out
// first): a newsroom whose CMS had keyed more articles than the bound, since ever, had the answers
// of the last hours pushed out by answers a TTL old or more. The CMS's retry of a release, lost to
// a 503 before the restart, was then decided again over the desk's hold: the story was released.
// The README promises a retry is recognised within the TTL unless that many newer keyed requests
// of the same API key came between.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCodec, loadSchemas } from '@newswire/shared'
import type { Article, KafkaMessage, NewswireEvent } from '@newswire/shared'
import { rememberAnswer } from '../src/answers.ts'
import type { Remembered, RequestContext } from '../src/outcome.ts'
import { ReadBack } from '../src/read-back.ts'
import { createWriteServices } from '../src/services.ts'
import { createStateRecords } from '../src/state-records.ts'
import { ArticleState, IdempotencyCache } from '../src/state.ts'
import { validateArticle } from '../src/validate.ts'
import { inProcessPublisher } from './support/in-process-publisher.ts'
import { eventOf } from './support/plan-jobs.ts'

const codec = createCodec(loadSchemas())
const HOUR = 3_600_000
const TTL = 24 * HOUR
/** The bound the cache is given here (100,000 in production): small, so an archive past it fits in a test. */
const MAX = 50

/** The record of `event`, keyed by its article, with the headers ingest writes (records.ts). */
function record(event: NewswireEvent, key: string | null, requestHash = ''): KafkaMessage {
  const headers: Record<string, Buffer> = { 'event-type': Buffer.from(event.type) }
  if (key !== null) {
    headers['idempotency-key'] = Buffer.from(key)
    headers['request-hash'] = Buffer.from(requestHash)
  }
  const value = codec.encode(event)
  return { key: Buffer.from(event.article.id), value, headers, offset: '0', timestamp: String(event.ingestedAt) } as unknown as KafkaMessage
}

const version = (id: string, v: number, at: number, patch: Partial<Article> = {}) => ({
  ...eventOf(id, v, at, patch),
  eventId: `${id}-v${v}`,
})

test('answers older than the TTL, read with the state at start, never push out a retry’s answer within it', async () => {
  const now = Date.now()
  // the CMS's archive: more keyed articles than the bound, written a month ago
  const archive = Array.from({ length: MAX + 10 }, (_, i) => version(`old-${i}`, 1, now - 30 * 24 * HOUR))
  // an hour ago the CMS released story x (its answer lost to a 503); the desk held it after
  const release = version('x', 2, now - HOUR, { headline: 'released', pubStatus: 'usable' })
  const hold = version('x', 3, now - HOUR / 2, { headline: 'released', pubStatus: 'withheld' })

  // the instance starts: the last TTL of news.article-events, then news.articles from its start
  const state = new ArticleState()
  const idempotency = new IdempotencyCache<Remembered>(TTL, MAX)
  for (const [event, key] of [
    [release, 'cms:release-x'],
    [hold, null],
  ] as const)
    rememberAnswer(idempotency, record(event, key, 'hash-release-x'), () => event)
  const readRecord = createStateRecords({ state, readBack: new ReadBack(), codec, idempotency, undecodable: () => {} })
  for (const e of archive) readRecord(record(e, `cms:${e.article.id}`, 'h'), 0)
  readRecord(record(hold, null), 0)
  assert.equal(state.get('x')?.article.pubStatus, 'withheld')

  // the CMS retries its release with the same key and content
  const publisher = inProcessPublisher(state, codec)
  const { articles } = createWriteServices({ publisher, idempotency, publishTimeoutMs: 1000, onUnchanged: () => {} })
  const input = validateArticle({ ...JSONArticle(release.article), pubStatus: 'usable' })
  assert.ok(input.ok, JSON.stringify(input))
  const ctx: RequestContext = {
    actor: { source: 'cms', importer: false },
    traceId: 't',
    idempotencyKey: 'cms:release-x',
    requestHash: 'hash-release-x',
  }
  const retry = await articles.upsert(input.article, ctx)
  assert.deepEqual(publisher.published, [], 'the retry wrote nothing')
  assert.equal(state.get('x')?.article.pubStatus, 'withheld', 'the hold stands')
  assert.deepEqual(retry.body, { id: 'x', version: 2, eventId: 'x-v2', type: 'UPDATED', changedFields: [] })
})

/** The article as a source would send it (the fields validateArticle takes). */
function JSONArticle(a: Article): Record<string, unknown> {
  return { id: a.id, language: a.language, headline: a.headline, body: a.body }
}
