import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeEarlierViews, EARLIER_VIEWS_HEADER, earlierViewOf, ProblemError } from '@newswire/shared'
import type { ArticleEvent, NewswireEvent } from '@newswire/shared'
import { planBatch } from '../src/batch-plan.ts'
import type { Encoder, Job, PlanContext, Queued } from '../src/batch-plan.ts'
import { decide } from '../src/decide.ts'
import { eventRecords, recordBytes } from '../src/records.ts'
import { ArticleState } from '../src/state.ts'
import { articleInput, T0 } from './support/article-input.ts'

let seq = 0
/** Version `version` of article `id`, as ingest would commit it. */
function eventOf(id: string, version: number): ArticleEvent {
  const d = decide(undefined, articleInput({ id }), T0)
  assert.equal(d.kind, 'created')
  const article = d.kind === 'created' ? d.article : assert.fail('created')
  return {
    eventId: `e-${++seq}`,
    type: version === 1 ? 'CREATED' : 'UPDATED',
    occurredAt: T0,
    ingestedAt: T0,
    source: 'cms',
    traceId: 't',
    changedFields: [],
    reason: null,
    article: { ...article, version },
    correction: null,
    entry: null,
  }
}

/** Encodes every event as `bytes` zero bytes. */
function encoder(bytes: number): Encoder {
  return { encode: () => Buffer.alloc(bytes), fingerprintHex: '00' }
}

/** A job that writes the next version of `id` on what it sees, and answers the version it saw. */
function nextVersion(id: string): Job<number> {
  return {
    articleId: id,
    idempotency: null,
    plan: (current) => {
      const seen = current?.article.version ?? 0
      return { event: eventOf(id, seen + 1), result: seen }
    },
  }
}

/** A job that moves `id` to `category` in its next version, at `at`. */
function moveTo(id: string, category: string, at: number): Job<number> {
  return {
    articleId: id,
    idempotency: null,
    plan: (current) => {
      const e = eventOf(id, (current?.article.version ?? 0) + 1)
      return { event: { ...e, ingestedAt: at, article: { ...e.article, category } }, result: e.article.version }
    },
  }
}

/** The categories of the earlier versions an article's state record carries. */
function carriedCategories(p: { records: { state: { headers: Readonly<Record<string, string>> } } | null } | undefined): (string | null)[] {
  const header = p?.records?.state.headers[EARLIER_VIEWS_HEADER] ?? assert.fail('no earlier-views header')
  return (decodeEarlierViews(header) ?? assert.fail(`unreadable: ${header}`)).map((v) => v.category)
}

function queued<R>(job: Job<R>, partition = 0): Queued {
  // As the publisher queues it: the result's type is the caller's
  return { job: job as Job<unknown>, partition, settled: false, attempt: null }
}

function context(state: ArticleState, extra: Partial<PlanContext> = {}): PlanContext {
  return { state, encoder: encoder(100), source: { fingerprintHex: '00', instanceId: 'i' }, budget: 10_000, unseen: [], ...extra }
}

test('each request is planned on the state plus the batch earlier events', () => {
  const state = new ArticleState()
  state.apply(eventOf('a', 1))
  const batch = [queued(nextVersion('a')), queued(nextVersion('a')), queued(nextVersion('b'))]
  const { planned, deferred, landed } = planBatch(batch, context(state))
  assert.deepEqual(
    planned.map((p) => [p.plan?.result, p.plan?.event?.article.version]),
    [
      [1, 2],
      [2, 3],
      [0, 1],
    ],
  )
  assert.ok(planned.every((p) => p.records !== null))
  assert.deepEqual([deferred, landed], [[], []])
  // Planning does not touch the state: only a commit does
  assert.equal(state.get('a')?.article.version, 1)
})

test('committed events not read back yet are seen, unless the state already has them or something newer', () => {
  const state = new ArticleState()
  state.apply(eventOf('a', 3))
  const unseen: NewswireEvent[] = [eventOf('a', 2), eventOf('b', 4)]
  const { planned } = planBatch([queued(nextVersion('a')), queued(nextVersion('b'))], context(state, { unseen }))
  assert.deepEqual(
    planned.map((p) => p.plan?.result),
    [3, 4],
  )
})

test('a request whose earlier commit landed gets that answer, not a new plan', () => {
  const state = new ArticleState()
  const landedEvent = eventOf('a', 1)
  state.apply(landedEvent)
  const retried = { ...queued(nextVersion('a')), attempt: { eventId: landedEvent.eventId, result: 'first' } }
  const lost = { ...queued(nextVersion('b')), attempt: { eventId: 'never-committed', result: 'lost' } }
  const settled = { ...queued(nextVersion('c')), settled: true }
  const { planned, landed } = planBatch([retried, lost, settled], context(state))
  assert.deepEqual(landed, [{ pending: retried, result: 'first' }])
  assert.deepEqual(
    planned.map((p) => p.pending),
    [lost],
  )
})

test('a plan that throws fails its own request; the others are planned', () => {
  const state = new ArticleState()
  const refused: Job<number> = {
    articleId: 'x',
    idempotency: null,
    plan: () => {
      throw new Error('refused')
    },
  }
  const { planned } = planBatch([queued(nextVersion('a')), queued(refused), queued(nextVersion('a'))], context(state))
  assert.deepEqual(
    planned.map((p) => (p.plan === null ? `error ${(p.error as Error).message}` : p.plan.result)),
    [0, 'error refused', 1],
  )
})

test('requests past a partition byte budget wait for the next transaction; an event past it alone is refused', () => {
  const state = new ArticleState()
  // As large as any of them: a later version's state carries the view of the ones before
  const earlier = [earlierViewOf(eventOf('a', 1).article, T0)]
  const one = eventRecords({ fingerprintHex: '00', instanceId: 'i' }, eventOf('a', 2), null, Buffer.alloc(100), earlier)
  const size = Math.max(recordBytes(one.event), recordBytes(one.state))
  // Three fit in one partition's budget, a fourth does not; another partition has its own
  const budget = 3 * size + Math.floor(size / 2)
  const batch = [0, 1, 2, 3, 4].map(() => queued(nextVersion('a')))
  const other = queued(nextVersion('z'), 1)
  const { planned, deferred } = planBatch([...batch.slice(0, 3), other, ...batch.slice(3)], context(state, { budget }))
  assert.deepEqual(
    planned.map((p) => p.pending),
    [...batch.slice(0, 3), other],
  )
  assert.deepEqual(deferred, batch.slice(3))

  const huge = planBatch([queued(nextVersion('a')), queued(nextVersion('b'))], context(state, { encoder: encoder(budget), budget }))
  assert.deepEqual(huge.deferred, [])
  assert.ok(huge.planned.every((p) => p.plan === null && p.error instanceof ProblemError && p.error.code === 'payload_too_large'))
})

/** What the next version of 'a' planned on `state` carries (with `unseen` commits of this writer). */
const nextCarries = (state: ArticleState, unseen: NewswireEvent[] = []) =>
  planBatch([queued(moveTo('a', 'sports', T0 + 3))], context(state, { unseen })).planned.map(carriedCategories)

test("an article's state record carries the views of the versions before it, however the state learned them", () => {
  const state = new ArticleState()
  state.apply(eventOf('a', 1))
  const first = planBatch([queued(moveTo('a', 'politics', T0 + 1)), queued(moveTo('a', 'world', T0 + 2))], context(state))
  assert.deepEqual(first.planned.map(carriedCategories), [['international'], ['international', 'politics']])
  assert.equal(first.planned[0]?.records?.event.headers[EARLIER_VIEWS_HEADER], undefined, 'news.article-events does not carry it')
  const [p2, p3] = first.planned.map((p) => p.plan?.event ?? assert.fail('no event'))

  // committed by this writer and not read back yet
  assert.deepEqual(nextCarries(state, [p2, p3] as NewswireEvent[]), [['international', 'politics', 'world']])

  // read back in order by the tail, as our own commits (no header read)
  const tail = new ArticleState()
  tail.apply(eventOf('a', 1))
  for (const e of [p2, p3] as NewswireEvent[]) tail.apply(e)
  assert.deepEqual(nextCarries(tail), [['international', 'politics', 'world']])

  // rebuilt at start from news.articles: compaction left the latest record alone, with its header
  const rebuilt = new ArticleState()
  const header = first.planned[1]?.records?.state.headers[EARLIER_VIEWS_HEADER] ?? assert.fail('no header')
  rebuilt.apply(p3 as NewswireEvent, decodeEarlierViews(header) ?? undefined)
  assert.deepEqual(nextCarries(rebuilt), [['international', 'politics', 'world']])

  // a state that holds an older version and reads a later one whose predecessor it never saw
  const skipped = new ArticleState()
  skipped.apply(eventOf('a', 1))
  skipped.apply(p3 as NewswireEvent, decodeEarlierViews(header) ?? undefined)
  assert.deepEqual(nextCarries(skipped), [['international', 'politics', 'world']])
})

test("an entry state record carries no earlier views (its story's record does)", () => {
  const state = new ArticleState()
  const story = eventOf('s', 1)
  state.apply(story)
  const entry = {
    ...eventOf('s', 1),
    type: 'ENTRY_CREATED' as const,
    entry: { id: 'e1', version: 1, seq: 1 } as NewswireEvent['entry'],
  }
  const job: Job<number> = { articleId: 's', idempotency: null, plan: () => ({ event: entry as NewswireEvent, result: 0 }) }
  const [p] = planBatch([queued(job)], context(state)).planned
  assert.equal(p?.records?.state.key, 's/entries/e1')
  assert.equal(p?.records?.state.headers[EARLIER_VIEWS_HEADER], undefined)
})

test('earlier views that alone would take a version past the budget are left out, never the version', () => {
  const state = new ArticleState()
  state.apply(eventOf('a', 1))
  const small = planBatch([queued(moveTo('a', 'politics', T0 + 1))], context(state)).planned[0]?.records ?? assert.fail('planned')
  const withViews = recordBytes(small.state)
  assert.ok(withViews > recordBytes(small.event), 'the state carries a header')
  // a budget the event fits and the state with its header does not
  const [tight] = planBatch([queued(moveTo('a', 'politics', T0 + 1))], context(state, { budget: withViews - 1 })).planned
  assert.equal(tight?.error, undefined)
  assert.equal(tight?.records?.state.headers[EARLIER_VIEWS_HEADER], undefined)
})
