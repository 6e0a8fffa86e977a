// red17 attack run (2026-12-06): a kill answered before an embargo must be readable by the fan-out
// before that embargo. The publisher answered once its own tail read the commit back from
// news.articles, but Kafka writes the commit markers to each partition's leader on its own: the
// events' partition of news.article-events (another leader, a slow broker) could still end before
// the kill, and a fan-out that asked where the log ends then took itself to be read up to that
// moment and released the draft at its embargo, the kill read after. Now the answer waits until
// news.article-events' last stable offsets pass the commit's events (stable-offsets.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RequestContext } from '../src/outcome.ts'
import { validateArticle } from '../src/validate.ts'
import { stableGateHarness } from './support/stable-gate.ts'

const ctx: RequestContext = { actor: { source: 'cms', importer: false }, traceId: 't', idempotencyKey: null, requestHash: '' }
const keyed: RequestContext = { ...ctx, idempotencyKey: 'cms:K', requestHash: 'hash-of-the-kill' }

test('a kill is answered only once news.article-events is stable past it, not when news.articles is read back', async () => {
  const h = stableGateHarness()
  const r = validateArticle({ id: 'draft', language: 'en', headline: 'Verdict', body: ['b'], embargoedUntil: '2030-01-01T00:00:00Z' })
  assert.ok(r.ok)
  await h.articles.upsert(r.article, ctx)
  // the kill's commit markers are slow on the events' partition
  h.gate.open = false
  let answered = false
  const kill = h.articles.withdraw('draft', 'legal', ctx).then((o) => {
    answered = true
    return o
  })
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(answered, false, 'answered while a read_committed reader of news.article-events could not see the kill')
  assert.deepEqual(
    h.asked.at(-1)?.map((e) => e.topic),
    ['e'],
    'waited on the events topic only',
  )
  for (const go of h.gate.waiting.splice(0)) go()
  assert.equal((await kill).status, 200)
  await h.publisher.drain()
  await h.publisher.close()
})

test('a retry of that kill, answered 503 while its commit was not yet stable, waits for it too', async () => {
  const h = stableGateHarness(200)
  const r = validateArticle({ id: 'draft', language: 'en', headline: 'Verdict', body: ['b'], embargoedUntil: '2030-01-01T00:00:00Z' })
  assert.ok(r.ok)
  await h.articles.upsert(r.article, ctx)
  h.gate.open = false
  // the kill commits, but is not stable in time: 503, "may still be committed"
  await assert.rejects(h.articles.withdraw('draft', 'legal', keyed), /may still be committed/)
  // the CMS retries at once: the answer is the first attempt's, once that commit is stable
  let answered = false
  const retry = h.articles.withdraw('draft', 'legal', keyed).then((o) => {
    answered = true
    return o
  })
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(answered, false, 'the retry was answered from the first commit before a reader of the events topic could see it')
  for (const go of h.gate.waiting.splice(0)) go()
  const o = await retry
  assert.equal(o.status, 200)
  assert.equal('type' in o.body && o.body.type, 'WITHDRAWN')
  await h.publisher.drain()
  await h.publisher.close()
})

test('a kill never stable within 2 s is acknowledged anyway (it is durable), and counted for the alert', async () => {
  const h = stableGateHarness()
  const r = validateArticle({ id: 'draft', language: 'en', headline: 'Verdict', body: ['b'] })
  assert.ok(r.ok)
  await h.articles.upsert(r.article, ctx)
  h.gate.open = false
  const t0 = performance.now()
  const o = await h.articles.withdraw('draft', 'legal', ctx)
  assert.equal(o.status, 200)
  assert.ok(performance.now() - t0 >= 1_900, 'waited the 2 s bound')
  assert.deepEqual(h.unseen, ['events_stable'])
  await h.publisher.drain()
  await h.publisher.close()
})

test('a write public as it stands is answered without the wait; one that hides anything waits', async () => {
  const h = stableGateHarness()
  h.gate.open = false
  const pub = validateArticle({ id: 'public', language: 'en', headline: 'Rain', body: ['b'] })
  assert.ok(pub.ok)
  assert.equal((await h.articles.upsert(pub.article, ctx)).status, 201)
  assert.deepEqual(h.asked, [], 'a usable write under no embargo hides nothing: no offsets asked')
  const held = validateArticle({ id: 'public', language: 'en', headline: 'Rain', body: ['b'], pubStatus: 'withheld' })
  assert.ok(held.ok)
  let answered = false
  const hold = h.articles.upsert(held.article, ctx).then(() => (answered = true))
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(answered, false, 'the hold was answered before a fan-out could see it')
  for (const go of h.gate.waiting.splice(0)) go()
  await hold
  await h.publisher.drain()
  await h.publisher.close()
})
