// red27b attack run (2026-12-07): a takedown sent under a key bound to other content (a CMS keying
// by its revision: the save, then "embargo until 2030" under the same key) is decided as if sent
// without its key (red24f), and its retry again so, only if it only takes down (red25c). Its
// record carried no key, though, and nothing remembered it: once the save's answer was gone (pushed
// out by the CMS's next saves, past its TTL while the takedown's was not, or, answered `unchanged`,
// with a restart), the takedown's retry found its key free and was decided as a new request, with
// no check: it brought the desk's later embargo (2099) back to 2030, the story due out years early.
// Found by the entries-keys model once its clock moved and its keys were freed (red27b model).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { rememberAnswer } from '../src/answers.ts'
import { ArticleState } from '../src/state.ts'
import { recordOf } from './support/editorial-keys.ts'
import { startInProcessApp } from './support/in-process-app.ts'
import type { InProcessApp } from './support/in-process-app.ts'
import { Clock, ClockedCache, TTL } from './support/keys-clock.ts'

const KEY = 'red27b-key-0000001'
const env = `dev:${KEY}:*`
const article = { id: 'story', language: 'en', headline: 'Story', body: ['b'] }
const [SOON, LATE] = ['2030-06-01T12:00:00.000Z', '2099-12-31T23:59:00.000Z']

async function send(app: InProcessApp, method: string, path: string, body: object, idempotencyKey?: string) {
  const headers: Record<string, string> = { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey
  const r = await http(`${app.url}${path}`, { method, key: KEY, headers, body: JSON.stringify(body) })
  return { status: r.status, code: (r.body as { code?: string }).code, text: r.text }
}
const embargo = (app: InProcessApp, body: object, idempotencyKey?: string) => send(app, 'PATCH', '/v1/articles/story', body, idempotencyKey)
async function shown(app: InProcessApp): Promise<string | null> {
  const r = await http(`${app.url}/v1/articles/story`, { key: KEY })
  const e = (r.body as { article: { embargoedUntil: string | null } }).article.embargoedUntil
  return e && new Date(e).toISOString()
}

/** An ingest whose answers live on `clock`, at most `bound` of them per API key. */
const onClock = (clock: Clock, bound: number, state = new ArticleState()) =>
  startInProcessApp(state, env, undefined, undefined, bound, new ClockedCache(clock, bound))

/** The retried "embargo until 2030", refused as its lost answer says; the desk's 2099 stands. */
async function retryRefused(app: InProcessApp): Promise<void> {
  const retry = await embargo(app, { embargoedUntil: SOON }, 'cms-42-rev-1')
  assert.deepEqual([retry.status, retry.code], [409, 'idempotency_answer_forgotten'], retry.text)
  assert.equal(await shown(app), LATE)
}

/** A restart: the state from what was written, the keyed records' answers read back. */
async function restarted(app: InProcessApp, clock: Clock): Promise<InProcessApp> {
  const state = new ArticleState()
  const again = await onClock(clock, 100, state)
  for (const x of app.publisher.written) {
    if ('tombstone' in x) continue
    state.apply(x.event)
    if (x.idempotency) rememberAnswer(again.idempotency, recordOf(x.idempotency, clock.now), () => x.event)
  }
  await app.close()
  return again
}

/** The CMS's save under its revision's key, its embargo under the same key, the desk's later embargo. */
async function embargoedUnderSave(app: InProcessApp, before: () => Promise<void> = async () => {}) {
  const saved = await send(app, 'POST', '/v1/articles', article, 'cms-42-rev-1')
  assert.ok(saved.status < 300, saved.text)
  await before()
  const first = await embargo(app, { embargoedUntil: SOON }, 'cms-42-rev-1')
  assert.equal(first.status, 200, first.text)
  assert.equal((await embargo(app, { embargoedUntil: LATE })).status, 200)
}

test('a takedown decided without its key, retried once its key’s save was pushed out, does not bring the desk’s embargo forward', async (t) => {
  const clock = new Clock()
  const app = await onClock(clock, 2)
  t.after(() => app.close())
  await embargoedUnderSave(app)
  // the CMS's next saves push the save's answer out (a bound of two)
  for (const n of [1, 2]) {
    const other = await send(app, 'POST', '/v1/articles', { ...article, id: `other-${n}` }, `cms-${n}-rev-1`)
    assert.equal(other.status, 201, other.text)
  }
  await retryRefused(app)
})

test('a takedown decided without its key, retried once its key’s save passed its TTL, does not bring the desk’s embargo forward', async (t) => {
  const clock = new Clock()
  const app = await onClock(clock, 100)
  t.after(() => app.close())
  await embargoedUnderSave(app, async () => clock.tick(TTL - 5_000))
  clock.tick(10_000)
  await retryRefused(app)
})

test('a takedown decided without its key, retried after a restart that forgot its key’s unchanged save, does not bring the desk’s embargo forward', async (t) => {
  const clock = new Clock()
  let app = await onClock(clock, 100)
  t.after(() => app.close())
  // the save answered `unchanged` (sent before without a key): in no record
  assert.equal((await send(app, 'POST', '/v1/articles', article)).status, 201)
  await embargoedUnderSave(app)
  app = await restarted(app, clock)
  await retryRefused(app)
})

test('a takedown decided without its key, retried once its key is free, still goes through where it only takes down', async (t) => {
  const clock = new Clock()
  const app = await onClock(clock, 2)
  t.after(() => app.close())
  await embargoedUnderSave(app)
  for (const n of [1, 2])
    assert.equal((await send(app, 'POST', '/v1/articles', { ...article, id: `other-${n}` }, `cms-${n}-rev-1`)).status, 201)
  // the desk lifts its embargo: the retried one takes the story down again
  assert.equal((await embargo(app, { embargoedUntil: null })).status, 200)
  const retry = await embargo(app, { embargoedUntil: SOON }, 'cms-42-rev-1')
  assert.equal(retry.status, 200, retry.text)
  assert.equal(await shown(app), SOON)
})
