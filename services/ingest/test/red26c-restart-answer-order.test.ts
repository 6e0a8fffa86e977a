// red26c attack run (2026-12-07): a restarted ingest reads its Idempotency-Key answers back from
// the records (answers.ts), the partitions of the events topic in any order and the state tail's
// records beside them. A key whose answer its API key's bound had pushed out is free for other
// content (README "Idempotency"): the CMS's save of one live story's entry under its revision key,
// pushed out, then the editor's release of another story's entry under the same key. Read back in
// that order, the older save stood for the key after the restart: the release's retry was refused
// 422 ("changed nothing", though it was committed), and once the save's TTL ended the retry was
// decided again, over the desk's hold that followed it: the held entry went out to every reader.
// The answer given last now stands for its key, whatever order its records are read in.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { NewswireEvent } from '@newswire/shared'
import { rememberAnswer } from '../src/answers.ts'
import { ArticleState } from '../src/state.ts'
import { http } from '../../../test/helpers.ts'
import { recordOf } from './support/editorial-keys.ts'
import type { IdempotencyHeaders } from './support/editorial-keys.ts'
import { startInProcessApp } from './support/in-process-app.ts'
import type { InProcessApp } from './support/in-process-app.ts'

const KEY = 'red26c-key-0000001'
const env = `dev:${KEY}:*`
/** The in-process app's INGEST_IDEMPOTENCY_TTL_MS. */
const TTL = 60_000

async function send(app: InProcessApp, method: string, path: string, json: unknown, idem?: string) {
  const headers: Record<string, string> = { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }
  if (idem) headers['idempotency-key'] = idem
  const r = await http(`${app.url}${path}`, { method, key: KEY, headers, body: JSON.stringify(json) })
  return { status: r.status, body: r.body as { code?: string; eventId?: string; version?: number }, text: r.text }
}

const entry = (pubStatus?: string) => ({ headline: 'Fire', body: ['Text.'], ...(pubStatus ? { pubStatus } : {}) })
const release = { pubStatus: 'usable' }

/** The save under `cms-rev-7` pushed out, the editor's release of another story's entry under it, then the desk's hold. */
async function released(t: { after: (fn: () => Promise<void>) => void }) {
  // one answer kept per API key: the next keyed request pushes the save's out
  const app = await startInProcessApp(new ArticleState(), env, undefined, undefined, 1)
  t.after(() => app.close())
  for (const id of ['s0', 's1']) {
    const r = await send(app, 'POST', '/v1/articles', { id, language: 'en', headline: 'Live', summary: 'Live.', live: true })
    assert.equal(r.status, 201, r.text)
  }
  assert.equal((await send(app, 'PUT', '/v1/articles/s1/entries/e0', entry('withheld'))).status, 201)
  assert.equal((await send(app, 'PUT', '/v1/articles/s0/entries/e1', entry(), 'cms-rev-7')).status, 201)
  assert.equal((await send(app, 'PUT', '/v1/articles/s0/entries/e2', entry(), 'cms-rev-8')).status, 201)
  const first = await send(app, 'PATCH', '/v1/articles/s1/entries/e0', release, 'cms-rev-7')
  assert.deepEqual([first.status, first.body.version], [200, 2], first.text)
  assert.equal((await send(app, 'PATCH', '/v1/articles/s1/entries/e0', { pubStatus: 'withheld' })).status, 200)
  return { app, first }
}

/** An instance restarted over what `app` wrote, its answers read back from the records in `order`. */
async function restarted(
  t: { after: (fn: () => Promise<void>) => void },
  app: InProcessApp,
  order: (keyed: ({ event: NewswireEvent } & IdempotencyHeaders)[]) => { rec: { event: NewswireEvent } & IdempotencyHeaders; at: number }[],
) {
  const state = new ArticleState()
  const keyed: ({ event: NewswireEvent } & IdempotencyHeaders)[] = []
  for (const w of app.publisher.written) {
    if ('tombstone' in w) continue
    state.apply(w.event)
    if (w.idempotency) keyed.push({ event: w.event, ...w.idempotency })
  }
  const again = await startInProcessApp(state, env)
  t.after(() => again.close())
  for (const { rec, at } of order(keyed)) rememberAnswer(again.idempotency, recordOf(rec, at), () => rec.event)
  return again
}

/** The key's records, story s1's partition read before s0's (the release first, the save last). */
const s1First = (keyed: ({ event: NewswireEvent } & IdempotencyHeaders)[]) =>
  [...keyed].sort((a, b) => b.event.article.id.localeCompare(a.event.article.id))

test('after a restart that reads the older answer of a key last, the release’s retry still gets its first answer', async (t) => {
  const { app, first } = await released(t)
  const again = await restarted(t, app, (keyed) => s1First(keyed).map((rec) => ({ rec, at: rec.event.ingestedAt })))
  const retry = await send(again, 'PATCH', '/v1/articles/s1/entries/e0', release, 'cms-rev-7')
  assert.deepEqual([retry.status, retry.body.eventId, retry.body.version], [200, first.body.eventId, 2], retry.text)
})

test('once the older answer’s TTL ends, the release’s retry is not decided again over the desk’s hold', async (t) => {
  const { app, first } = await released(t)
  const now = Date.now()
  // the save long ago (its TTL ends in a moment), the rest now
  const again = await restarted(t, app, (keyed) =>
    s1First(keyed).map((rec) => ({ rec, at: rec.event.type === 'ENTRY_CREATED' && rec.event.entry?.id === 'e1' ? now - TTL + 300 : now })),
  )
  await new Promise((r) => setTimeout(r, 400))
  const retry = await send(again, 'PATCH', '/v1/articles/s1/entries/e0', release, 'cms-rev-7')
  assert.deepEqual([retry.status, retry.body.eventId], [200, first.body.eventId], retry.text)
  const shown = await http(`${again.url}/v1/articles/s1/entries/e0`, { key: KEY })
  assert.equal((shown.body as { entry: { pubStatus: string } }).entry.pubStatus, 'withheld', shown.text)
})
