// A retry of a write answered 503 whose commit landed, planned before this instance read that
// commit back (red15c attack run, 2026-12-06). The publisher acknowledges a commit only once its
// tail has read it back (read-back.ts), and only then tells the submitter its answer
// (Job.committed); the writer's next transaction does not wait for that (it is planned on the
// state plus the commits not read back yet). So a CMS that retried a release at once, after a
// 503 on a slow commit, had its retry decided again in that window: over the desk's hold that
// came after the release, it released the story again, and the public got what the desk held.
// idempotency-inflight.test.ts has the same story over a publisher that tells `committed` at
// commit time; this one runs the real publisher (fake Kafka, read-back held as a slow tail does).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { NewswireEvent, TransactionalWriter } from '@newswire/shared'
import { createPublisher } from '../src/publisher.ts'
import type { Remembered, RequestContext } from '../src/outcome.ts'
import { createWriteServices } from '../src/services.ts'
import { ArticleState, IdempotencyCache } from '../src/state.ts'
import { validateEntry } from '../src/entry-validate.ts'
import { validateArticle } from '../src/validate.ts'
import { overFakeKafka } from './support/fake-producer.ts'

const ctx = (key: string | null, requestHash: string, source = 'cms'): RequestContext => ({
  actor: { source, importer: false },
  traceId: 't',
  idempotencyKey: key,
  requestHash,
})

/** A writer whose commits wait while `slow` is set, and a tail whose read-back of one commit waits too. */
function harness() {
  const state = new ArticleState()
  const written: NewswireEvent[] = []
  const gate = { slow: false, release: () => {}, holdReadBack: false }
  const heldReadBacks: (() => void)[] = []
  const publisher = createPublisher({
    ...overFakeKafka(state),
    wrapWriter: (w): TransactionalWriter => ({
      async commit() {
        if (gate.slow) await new Promise<void>((resolve) => (gate.release = resolve))
        return []
      },
      close: () => w.close(),
    }),
    // the tail reads a commit back and applies it (server.ts take); one may be held, as a slow tail
    readBack: (events) => {
      written.push(...events)
      let resolve = () => {}
      const done = new Promise<void>((r) => (resolve = r))
      const read = () => {
        for (const e of events) state.apply(e)
        resolve()
      }
      if (gate.holdReadBack) {
        gate.holdReadBack = false
        heldReadBacks.push(read)
      } else setImmediate(read)
      return { done, cancel: () => {} }
    },
  })
  const { articles, entries } = createWriteServices({
    publisher,
    idempotency: new IdempotencyCache<Remembered>(60_000),
    publishTimeoutMs: 200,
    onUnchanged: () => {},
  })
  return { state, written, gate, heldReadBacks, publisher, articles, entries }
}

const article = (headline: string, pubStatus: 'usable' | 'withheld') => {
  const r = validateArticle({ id: 'a', language: 'en', headline, body: ['b'], pubStatus })
  assert.ok(r.ok)
  return r.article
}

test('a retry of a release answered 503, planned before its commit is read back, gets its answer and does not undo the hold after it', async () => {
  const h = harness()
  await h.articles.upsert(article('draft', 'withheld'), ctx(null, ''))
  // the CMS releases the story: the commit is slow, the request times out (503), the commit lands
  h.gate.slow = true
  h.gate.holdReadBack = true
  const release = h.articles.upsert(article('released', 'usable'), ctx('cms:K', 'hash-of-the-release'))
  await assert.rejects(release, /may still be committed/)
  // meanwhile the desk holds it; the CMS retries its release with the same key, at once
  const hold = h.articles.patch('a', { pubStatus: 'withheld' }, ctx(null, '', 'desk'))
  const retry = h.articles.upsert(article('released', 'usable'), ctx('cms:K', 'hash-of-the-release'))
  h.gate.slow = false
  h.gate.release()
  // the tail reads the release back at last: the retry's answer, the first attempt's, waits for that
  await new Promise((r) => setTimeout(r, 20))
  for (const read of h.heldReadBacks.splice(0)) read()
  const [held, retried] = await Promise.all([hold, retry])
  await h.publisher.drain()
  await h.publisher.close()
  const log = h.written.map((e) => `${e.type} v${e.article.version} ${e.article.pubStatus}`)
  assert.deepEqual(log, ['CREATED v1 withheld', 'UPDATED v2 usable', 'UPDATED v3 withheld'], 'the retry wrote nothing')
  assert.equal(h.state.get('a')?.article.pubStatus, 'withheld', 'the hold stands')
  assert.equal(held.status, 200)
  const released = h.written[1]
  assert.deepEqual(retried.body, {
    id: 'a',
    version: 2,
    eventId: released?.eventId,
    type: 'UPDATED',
    changedFields: ['headline', 'pubStatus'],
  })
})

test('the same key with other content, planned before the first commit is read back, is refused and changes nothing', async () => {
  const h = harness()
  await h.articles.upsert(article('draft', 'withheld'), ctx(null, ''))
  h.gate.slow = true
  h.gate.holdReadBack = true
  const release = h.articles.upsert(article('released', 'usable'), ctx('cms:K', 'hash-of-the-release'))
  await assert.rejects(release, /may still be committed/)
  // other content under the key of a request that committed: 422, as once the first is answered
  const other = h.articles.upsert(article('other', 'usable'), ctx('cms:K', 'hash-of-other-content'))
  h.gate.slow = false
  h.gate.release()
  await assert.rejects(other, /idempotency_key_reused|other content/)
  for (const read of h.heldReadBacks.splice(0)) read()
  await h.publisher.drain()
  await h.publisher.close()
  assert.deepEqual(
    h.written.map((e) => `${e.type} v${e.article.version} ${e.article.headline}`),
    ['CREATED v1 draft', 'UPDATED v2 released'],
  )
})

test('a live-blog tool retrying an entry’s release the same way gets its answer, and the desk’s hold of the entry stands', async () => {
  const h = harness()
  const story = validateArticle({ id: 'a', language: 'en', headline: 'Live', summary: 's', live: true })
  assert.ok(story.ok)
  await h.articles.upsert(story.article, ctx(null, ''))
  const entry = (body: string, pubStatus: 'usable' | 'withheld') => {
    const r = validateEntry({ id: 'e1', body: [body], pubStatus })
    assert.ok(r.ok)
    return r.entry
  }
  await h.entries.upsert('a', entry('draft', 'withheld'), ctx(null, ''))
  h.gate.slow = true
  h.gate.holdReadBack = true
  const release = h.entries.upsert('a', entry('released', 'usable'), ctx('tool:K', 'hash-of-the-release', 'tool'))
  await assert.rejects(release, /may still be committed/)
  const hold = h.entries.patch('a', 'e1', { pubStatus: 'withheld' }, ctx(null, '', 'desk'))
  const retry = h.entries.upsert('a', entry('released', 'usable'), ctx('tool:K', 'hash-of-the-release', 'tool'))
  h.gate.slow = false
  h.gate.release()
  await new Promise((r) => setTimeout(r, 20))
  for (const read of h.heldReadBacks.splice(0)) read()
  const [, retried] = await Promise.all([hold, retry])
  await h.publisher.drain()
  await h.publisher.close()
  const log = h.written.filter((e) => e.entry !== null).map((e) => `${e.type} v${e.entry?.version} ${e.entry?.pubStatus}`)
  assert.deepEqual(log, ['ENTRY_CREATED v1 withheld', 'ENTRY_UPDATED v2 usable', 'ENTRY_UPDATED v3 withheld'], 'the retry wrote nothing')
  assert.equal(h.state.entry('a', 'e1')?.entry.pubStatus, 'withheld', 'the hold stands')
  assert.equal('version' in retried.body && retried.body.version, 2, 'the first attempt’s answer')
})
