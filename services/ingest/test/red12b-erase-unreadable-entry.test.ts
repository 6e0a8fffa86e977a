// red12b attack run (2026-12-05): a court order during a deploy. The README promises that a story
// whose entry this instance cannot read (a newer instance wrote it with a schema this one lacks)
// "can still be changed and killed"; a withdrawal is. An erasure was refused (503 not_ready) for
// as long as any entry of the story stayed unreadable: it listed the story's entries to tombstone
// their keys, and the listing refuses to show an entry it cannot read. An erasure decides nothing
// over an entry (it only removes it), so fixed in state.ts and batch-plan.ts: the keys an erasure
// tombstones are every entry key of the story, readable or not (entryKeys).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { entryStateKey } from '@newswire/shared'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'

test('a story one of whose entries this instance cannot read is erased, that entry’s key tombstoned too', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const call = (path: string, method: string, json: unknown) => http(`${app.url}${path}`, { method, key: KEY, json })
  assert.equal(
    (await call('/v1/articles', 'POST', { id: 'deploy', language: 'en', headline: 'Live', body: ['b'], live: true })).status,
    201,
  )
  for (const e of ['e1', 'e2']) assert.equal((await call(`/v1/articles/deploy/entries/${e}`, 'PUT', { body: [`Entry ${e}`] })).status, 201)
  // a newer instance wrote e2 with a schema this one cannot decode
  state.readable(entryStateKey('deploy', 'e2'), false)
  const erased = await call('/v1/articles/deploy/erase', 'POST', { reason: 'court order' })
  assert.equal(erased.status, 200, erased.text)
  assert.equal((erased.body as { type: string }).type, 'WITHDRAWN')
  assert.equal(state.article('deploy')?.article.pubStatus, 'canceled')
  // both entry keys tombstoned (the in-process publisher reads its tombstones back at once)
  assert.equal(state.unreadable, 0, 'the unreadable entry is erased')
  assert.deepEqual(
    state.entries('deploy').map((e) => [e.entry.id, e.entry.pubStatus, e.entry.body]),
    [
      ['e1', 'canceled', []],
      ['e2', 'canceled', []],
    ],
  )
})
