// red12b attack run (2026-12-05): one API key flushes the Idempotency-Key answers of the others.
// The answers were kept in one bounded cache for all API keys together (100,000), oldest out
// first. An `import` key, the least a writing key may do, re-imported one page with a fresh
// Idempotency-Key each time: every answer (`unchanged`, no Kafka write, 500 requests/s allowed)
// took a place, and after the bound every other client's answer was gone. A CMS that then retried
// an unversioned write whose answer it had lost (a release, `pubStatus: usable`) was decided
// again over the desk's hold written after it: the importer, which may never touch editorial
// controls, had the held story released. Fixed in idempotency-cache.ts: each API key (the name
// before the first ':' of the scoped key) has its own bound, so a key's flood only ever pushes
// out its own answers.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Remembered, RequestContext } from '../src/outcome.ts'
import { createWriteServices } from '../src/services.ts'
import { ArticleState, IdempotencyCache } from '../src/state.ts'
import { validateArticle } from '../src/validate.ts'
import { inProcessPublisher } from './support/in-process-publisher.ts'

/** The bound these tests give the cache: small, so a flood fits in a test. */
const MAX = 20

test('one API key’s answers never push out another’s: each key name has its own bound', () => {
  const cache = new IdempotencyCache<string>(60_000, MAX)
  cache.set('cms:rev-1', 'first', 0)
  for (let i = 0; i < 10 * MAX; i++) cache.set(`scraper:flood-${i}`, 'flood', 1)
  assert.equal(cache.get('cms:rev-1', 2), 'first', 'another key’s flood pushed the answer out')
  // a key's own answers still have their bound: the oldest go first
  assert.equal(cache.get('scraper:flood-0', 2), undefined)
  assert.equal(cache.get(`scraper:flood-${10 * MAX - 1}`, 2), 'flood')
  for (let i = 0; i < MAX; i++) cache.set(`cms:next-${i}`, 'next', 3)
  assert.equal(cache.get('cms:rev-1', 4), undefined, 'its own newer answers do push it out')
  // the TTL still holds
  const short = new IdempotencyCache<string>(10, MAX)
  short.set('cms:k', 'v', 0)
  assert.equal(short.get('cms:k', 10), undefined)
})

test('an import key flooding Idempotency-Keys cannot get a held story released by a CMS retry decided again', async () => {
  const state = new ArticleState()
  const idempotency = new IdempotencyCache<Remembered>(60_000, MAX)
  const publisher = inProcessPublisher(state, null)
  const { articles } = createWriteServices({ publisher, idempotency, publishTimeoutMs: 1000, onUnchanged: () => {} })
  const article = (json: Record<string, unknown>) => {
    const r = validateArticle({ id: 'story-1', language: 'en', headline: 'Story', body: ['Text'], ...json })
    assert.ok(r.ok, JSON.stringify(r))
    return r.article
  }
  const ctx = (source: string, key: string | null, requestHash = key ?? '', importer = false): RequestContext => ({
    actor: { source, importer },
    traceId: 't',
    idempotencyKey: key,
    requestHash,
  })

  // the CMS releases the story (its answer is lost on the way back), then the desk holds it
  const release = await articles.upsert(article({ pubStatus: 'usable' }), ctx('cms', 'cms:release-1', 'hash-release'))
  assert.equal(release.status, 201)
  const hold = await articles.upsert(article({ pubStatus: 'withheld' }), ctx('desk', 'desk:hold-1'))
  assert.equal(hold.status, 200)
  assert.equal(state.get('story-1')?.article.pubStatus, 'withheld')

  // the importer floods: its own page, re-imported with a fresh key each time (answered unchanged)
  const page = (() => {
    const r = validateArticle({ id: 'scraped-1', language: 'en', headline: 'Page', body: ['Scraped'] })
    assert.ok(r.ok)
    return r.article
  })()
  for (let i = 0; i < 3 * MAX; i++) await articles.upsert(page, ctx('import:scraper', `scraper:flood-${i}`, 'hash-page', true))

  // the CMS retries its release with the same key and content
  const published = publisher.published.length
  const retry = await articles.upsert(article({ pubStatus: 'usable' }), ctx('cms', 'cms:release-1', 'hash-release'))
  assert.deepEqual(retry, release, 'the retry gets the first answer')
  assert.equal(publisher.published.length, published, 'the retry wrote nothing')
  assert.equal(state.get('story-1')?.article.pubStatus, 'withheld', 'the desk’s hold stands')
})
