// The real ingest app in process with one story and one entry on it, for tests that send it bad
// input on every route: `send` a body as a client does, and `snapshot` what a refusal must leave
// as it was (the story's state and its entries, as read back).
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { http } from '../../../../test/helpers.ts'
import { ArticleState } from '../../src/state.ts'
import { startInProcessApp } from './in-process-app.ts'

const KEY = 'dev-ingest-key-1'

/** `story`: the JSON text that creates story `id`; `entry`: the JSON text of its entry `e1`. */
export async function storyToRefuse(t: TestContext, id: string, story: string, entry: string) {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const send = (path: string, body: string, method = 'POST', type = 'application/json') =>
    http(`${app.url}${path}`, { method, key: KEY, headers: { 'content-type': type }, body })
  const created = await send('/v1/articles', story)
  assert.equal(created.status, 201, created.text)
  const put = await send(`/v1/articles/${id}/entries/e1`, entry, 'PUT')
  assert.equal(put.status, 201, put.text)
  const snapshot = async () => JSON.stringify([state.get(id), (await http(`${app.url}/v1/articles/${id}/entries`, { key: KEY })).body])
  return { state, send, snapshot }
}
