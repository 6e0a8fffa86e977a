// red12b attack run (2026-12-05): the batch endpoints take `application/json-seq` (RFC 7464: each
// JSON text is preceded by a record separator, RS 0x1E, and followed by a line feed, and may span
// lines), but read every body as NDJSON: every record of a valid JSON text sequence failed as
// malformed JSON (the RS before it), and a pretty-printed one was cut into one failing "line" per
// line. Nothing was written, so nothing leaked, but an accepted type never worked and its answers
// blamed the client's JSON. Fixed in http.ts (batchRecords): a JSON text sequence is split on RS,
// NDJSON on line feeds; each record is then one line of the batch, as before.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'

test('a JSON text sequence (application/json-seq) is read record by record, pretty-printed records included', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const article = (id: string) => ({ id, language: 'en', headline: 'Headline', body: ['Text'] })
  const body = `\x1e${JSON.stringify(article('seq-1'))}\n\x1e${JSON.stringify(article('seq-2'), null, 2)}\n\x1e{"id":\n`
  const r = await http(`${app.url}/v1/articles/batch`, {
    method: 'POST',
    key: KEY,
    headers: { 'content-type': 'application/json-seq' },
    body,
  })
  assert.equal(r.status, 200, r.text)
  const { summary, results } = r.body as { summary: Record<string, number>; results: { line: number; status: number; code?: string }[] }
  assert.deepEqual(summary, { lines: 3, created: 2, updated: 0, unchanged: 0, failed: 1 }, r.text)
  assert.deepEqual(
    results.map((x) => [x.line, x.status, x.code]),
    [
      [1, 201, undefined],
      [2, 201, undefined],
      [3, 400, 'malformed_json'],
    ],
  )
  assert.equal(state.get('seq-2')?.article.headline, 'Headline')

  // entries take it too; NDJSON is read as before
  await http(`${app.url}/v1/articles`, { method: 'POST', key: KEY, json: { ...article('live-1'), live: true } })
  const entries = await http(`${app.url}/v1/articles/live-1/entries/batch`, {
    method: 'POST',
    key: KEY,
    headers: { 'content-type': 'application/json-seq' },
    body: `\x1e${JSON.stringify({ id: 'e1', body: ['one'] }, null, 1)}\n`,
  })
  assert.deepEqual((entries.body as { summary: Record<string, number> }).summary, {
    lines: 1,
    created: 1,
    updated: 0,
    unchanged: 0,
    failed: 0,
  })
  const ndjson = await http(`${app.url}/v1/articles/batch`, {
    method: 'POST',
    key: KEY,
    headers: { 'content-type': 'application/x-ndjson' },
    body: `${JSON.stringify(article('nd-1'))}\n${JSON.stringify(article('nd-2'))}\n`,
  })
  assert.deepEqual((ndjson.body as { summary: Record<string, number> }).summary, {
    lines: 2,
    created: 2,
    updated: 0,
    unchanged: 0,
    failed: 0,
  })
})
