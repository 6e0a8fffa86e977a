// Reads over a state this instance cannot decode (a newer ingest's schema): GET of the article
// answers 503 not_ready (app.ts), and so must the story's entry list, which showed the story and
// its entries as last read here, e.g. an entry the newer instance killed still live (rev37 review).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { entryStateKey } from '@newswire/shared'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { apiKeysEnv, keys } from './support/editorial-model.ts'
import { startInProcessApp } from './support/in-process-app.ts'
import type { InProcessApp } from './support/in-process-app.ts'

const state = new ArticleState()
let ingest: InProcessApp
before(async () => {
  ingest = await startInProcessApp(state, apiKeysEnv)
  const story = await http(`${ingest.url}/v1/articles`, {
    method: 'POST',
    key: keys.cms.key,
    json: { id: 'live', language: 'bn', headline: 'লাইভ', summary: 'সারাংশ', live: true },
  })
  assert.equal(story.status, 201, story.text)
  const entry = await http(`${ingest.url}/v1/articles/live/entries/e1`, { method: 'PUT', key: keys.cms.key, json: { body: ['এক'] } })
  assert.equal(entry.status, 201, entry.text)
})
after(() => ingest.close())

const list = () => http(`${ingest.url}/v1/articles/live/entries`, { key: keys.desk.key })

test('the entry list of a story with an unreadable entry answers 503 not_ready until a readable record follows', async () => {
  assert.equal((await list()).status, 200)
  state.readable(entryStateKey('live', 'e1'), false)
  const stale = await list()
  assert.equal(stale.status, 503, stale.text)
  assert.equal((stale.body as { code: string }).code, 'not_ready')
  state.readable(entryStateKey('live', 'e1'), true)
  assert.equal((await list()).status, 200)
})

test('the entry list of a story whose own state is unreadable answers 503 not_ready', async () => {
  state.readable('live', false)
  const stale = await list()
  assert.equal(stale.status, 503, stale.text)
  state.readable('live', true)
})
