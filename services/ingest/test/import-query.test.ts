// The import route's query, read as strictly as a JSON body (inexact-numbers.test.ts). Before:
// `?urgency=` went through Number(), so `0x1`, `%201` (" 1") and `1.0000000000000001` made a
// flash; a parameter given twice (`?id=a&id=b`, an array to express) was ignored, so the page got
// an id derived from its headline and a re-import missed the article the scraper named (a kill of
// that article does not hold for the new one), and `?urgency=1&urgency=9` took the default 5.
// Each is refused now (422 naming the parameter) and changes nothing.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { assertRefused } from './support/answers.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'
const PAGE = 'Port reopens after storm\n17 August 2024, 9:15 AM\nShips moved again on Saturday.\nCategory : National\n'

test("the import's query parameters are read as written, once each, or refused", async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const post = (query: string) =>
    http(`${app.url}/v1/import/scraped?${query}`, { method: 'POST', key: KEY, headers: { 'content-type': 'text/plain' }, body: PAGE })
  const refused = async (query: string, field: string, code: string) => assertRefused(await post(query), field, code, query)
  await refused('id=q-1&urgency=0x1', 'urgency', 'invalid_type')
  await refused('id=q-1&urgency=%201', 'urgency', 'invalid_type')
  await refused('id=q-1&urgency=+1', 'urgency', 'invalid_type')
  // a leading zero is not JSON's syntax (and octal to some readers): seventh mutation batch, qu4
  await refused('id=q-1&urgency=01', 'urgency', 'invalid_type')
  await refused('id=q-1&urgency=1.0000000000000001', 'urgency', 'inexact_number')
  await refused('id=q-1&urgency=1&urgency=9', 'urgency', 'duplicate_parameter')
  await refused('id=q-1&id=q-2', 'id', 'duplicate_parameter')
  await refused('id=q-1&url=https://a.example/1&url=https://b.example/1', 'url', 'duplicate_parameter')
  await refused('id=q-1&timeZone=Asia/Dhaka&timeZone=UTC', 'timeZone', 'duplicate_parameter')
  assert.deepEqual(app.publisher.published, [], 'nothing was written')

  // one value each, a number as JSON writes it: taken
  const created = await post('id=q-1&urgency=3.0')
  assert.equal(created.status, 201, created.text)
  assert.deepEqual([state.get('q-1')?.article.urgency, app.publisher.published.length], [3, 1])
  const updated = await post('id=q-1&urgency=2')
  assert.equal(updated.status, 200, updated.text)
  assert.equal(state.get('q-1')?.article.urgency, 2)
})
