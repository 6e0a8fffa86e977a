// red18b attack run (2026-12-06): a draft under embargo replaced by a version public at once, a
// moment before the embargo (the desk fixes the draft's headline and publishes it now). Ingest
// answered such a write without waiting for news.article-events to be stable past it: the new
// version, usable and under no embargo, "hides nothing" (stable-offsets.ts releaseClockMustSee
// looked at the new version alone). But it hides the version it replaces: a fan-out whose release
// clock reached the embargo before the write's commit markers (red17: another leader, a slow
// broker) takes the log as read to then, releases the draft it holds at its embargo, and the
// public is sent the replaced headline, never published, before the new version arrives. The
// same for a live-story entry. Now a write whose article (or entry) it replaces had an embargo
// waits as a hiding write does.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateEntry } from '../src/entry-validate.ts'
import type { RequestContext } from '../src/outcome.ts'
import { validateArticle } from '../src/validate.ts'
import { answeredWithin, stableGateHarness } from './support/stable-gate.ts'
import type { StableGateHarness } from './support/stable-gate.ts'

const ctx: RequestContext = { actor: { source: 'cms', importer: false }, traceId: 't', idempotencyKey: null, requestHash: '' }
const EMBARGO = '2030-01-01T00:00:00Z'

/** Whether `write` was answered before the events' markers were written (within 100 ms). */
async function answeredBeforeStable(h: StableGateHarness, write: () => Promise<unknown>): Promise<boolean> {
  h.gate.open = false
  const done = write()
  const early = await answeredWithin(done)
  h.open()
  await done
  await h.publisher.drain()
  await h.publisher.close()
  return early
}

const article = (extra: object) => {
  const r = validateArticle({ id: 'verdict', language: 'en', headline: 'Draft: guilty on all counts', body: ['b'], ...extra })
  assert.ok(r.ok)
  return r.article
}

test('a draft under embargo replaced by a version public at once: answered only once a fan-out can see it', async () => {
  const h = stableGateHarness()
  await h.articles.upsert(article({ embargoedUntil: EMBARGO }), ctx)
  const early = await answeredBeforeStable(h, () =>
    h.articles.upsert(article({ headline: 'Verdict: guilty on two counts', embargoedUntil: null }), ctx),
  )
  assert.equal(early, false, 'answered while a fan-out at the embargo could still release the replaced draft')
})

test('an entry under embargo replaced by a version public at once: answered only once a fan-out can see it', async () => {
  const h = stableGateHarness()
  await h.articles.upsert(article({ headline: 'Live: the verdict', live: true }), ctx)
  const entry = (extra: object) => {
    const r = validateEntry({ id: 'e1', headline: 'Draft: guilty on all counts', body: ['b'], ...extra })
    assert.ok(r.ok, JSON.stringify(r))
    return r.entry
  }
  await h.entries.upsert('verdict', entry({ embargoedUntil: EMBARGO }), ctx)
  const early = await answeredBeforeStable(h, () =>
    h.entries.upsert('verdict', entry({ headline: 'Guilty on two counts', embargoedUntil: null }), ctx),
  )
  assert.equal(early, false, 'answered while a fan-out at the embargo could still release the replaced entry')
})

test('a write public as it stands over a version that was public too is still answered without the wait', async () => {
  const h = stableGateHarness()
  await h.articles.upsert(article({}), ctx)
  const early = await answeredBeforeStable(h, () => h.articles.upsert(article({ headline: 'Verdict: guilty on two counts' }), ctx))
  assert.equal(early, true)
})

test('a version over one whose embargo passed long before (public since) is answered without the wait', async () => {
  const h = stableGateHarness()
  await h.articles.upsert(article({ embargoedUntil: '2001-01-01T00:00:00Z' }), ctx)
  const early = await answeredBeforeStable(h, () =>
    h.articles.upsert(article({ headline: 'Verdict: guilty on two counts', embargoedUntil: null }), ctx),
  )
  assert.equal(early, true)
})
