// red12b attack run (2026-12-05): a real correction judged a retry. A correction note equal to the
// latest one was dropped whatever else the update changed (meant for a retry without an
// Idempotency-Key, which changes nothing else). A desk that corrects a death toll twice, with the
// same wording both times ("An earlier version gave the wrong death toll."), had the second
// correction's text written but its signal lost: the UPDATED event carried no `correction`, and
// `corrections` kept one note, so no reader was told the story was corrected again. Fixed in
// corrections.ts (with decide.ts and entry-decide.ts): a repeated note adds nothing only to an
// update that changes nothing else; a retry still answers `unchanged`. The editorial and entries
// models say the same.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'
const NOTE = 'An earlier version gave the wrong death toll.'

test('the same correction note on an update that changes the text is a second correction; a retry of it adds nothing', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const post = (json: Record<string, unknown>) =>
    http(`${app.url}/v1/articles`, {
      method: 'POST',
      key: KEY,
      json: { id: 'toll', language: 'en', headline: 'Fire', live: true, ...json },
    })
  assert.equal((await post({ body: ['Three dead.'] })).status, 201)
  const first = await post({ body: ['Four dead.'], correction: { note: NOTE } })
  assert.deepEqual((first.body as { changedFields: string[] }).changedFields, ['body', 'corrections'])
  const second = await post({ body: ['Five dead.'], correction: { note: NOTE } })
  assert.equal(second.status, 200, second.text)
  assert.deepEqual((second.body as { changedFields: string[] }).changedFields, ['body', 'corrections'], second.text)
  const event = app.publisher.published.at(-1)
  assert.equal(event?.correction?.note, NOTE, 'the second correction is told')
  assert.deepEqual(
    state.get('toll')?.article.corrections?.map((c) => c.note),
    [NOTE, NOTE],
  )
  // a retry (no Idempotency-Key) of the same correction changes nothing
  const retry = await post({ body: ['Five dead.'], correction: { note: NOTE } })
  assert.deepEqual(retry.body, { id: 'toll', version: 3, unchanged: true })

  // the same for an entry of a live story
  const put = (json: Record<string, unknown>) => http(`${app.url}/v1/articles/toll/entries/e1`, { method: 'PUT', key: KEY, json })
  assert.equal((await put({ body: ['Three dead.'] })).status, 201)
  assert.equal((await put({ body: ['Four dead.'], correction: { note: NOTE } })).status, 200)
  const again = await put({ body: ['Five dead.'], correction: { note: NOTE } })
  assert.deepEqual((again.body as { changedFields: string[] }).changedFields, ['body', 'corrections'], again.text)
  assert.equal(app.publisher.published.at(-1)?.correction?.note, NOTE)
  const entryRetry = await put({ body: ['Five dead.'], correction: { note: NOTE } })
  assert.equal((entryRetry.body as { unchanged?: boolean }).unchanged, true, entryRetry.text)
})
