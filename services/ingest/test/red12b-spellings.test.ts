// red12b attack run (2026-12-05), what held: a second spelling of an id, of a headline or of an
// instant. Tried: article ids that differ from an existing one by Unicode normalization, case,
// full-width or Bengali digits, a zero-width joiner or non-joiner (common in Bengali), trailing
// whitespace, percent-encoding in the route; headlines that differ by NFC/NFD only, or by a
// ZWJ/ZWNJ; embargo instants in lower case, without a zone, with a leap second. Ids are ASCII
// (fields.ts idSchema), so no second Unicode spelling of an id exists; a percent-encoded path
// names the id it decodes to, or one that does not exist; case makes another article, as it does
// another channel in the fan-out (`article:<id>` keeps the case). Text is compared after
// cleanText (NFC), so an NFD retry is `unchanged`, and a ZWJ/ZWNJ, which changes how Bengali
// renders, is a change. No fix was needed; this pins it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'

test('second spellings: Unicode ids refused, encoded paths reach only the id they decode to, NFC text compared, embargoes strict', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const post = (json: Record<string, unknown>) =>
    http(`${app.url}/v1/articles`, { method: 'POST', key: KEY, json: { language: 'bn', headline: 'শিরোনাম', body: ['বাক্য'], ...json } })
  assert.equal((await post({ id: 'bd-1' })).status, 201)

  for (const id of ['bd-১', 'bd\u200c-1', 'bd-1\u200d', 'ｂｄ-1', 'bd-１', 'bd-1 ', ' bd-1', 'bd-1\u0301', 'bd-1\u00ad']) {
    const r = await post({ id })
    assert.deepEqual([r.status, (r.body as { code: string }).code], [422, 'validation_failed'], `${JSON.stringify(id)}: ${r.text}`)
  }
  // a percent-encoded path names the id it decodes to, or none
  const withdraw = (path: string) => http(`${app.url}/v1/articles/${path}/withdraw`, { method: 'POST', key: KEY, json: { reason: 'x' } })
  for (const path of [
    'bd-1%20',
    'bd-1%E2%80%8D',
    'bd-1%E2%80%8C',
    'bd%E2%80%8C-1',
    'bd-1%2Fentries%2Fe1',
    'bd-1%00',
    'BD-1',
    'bd-%EF%BC%91',
  ]) {
    assert.equal((await withdraw(path)).status, 404, path)
  }
  assert.equal(state.get('bd-1')?.article.pubStatus, 'usable', 'no other spelling touched bd-1')
  const killed = await withdraw('bd%2D1')
  assert.deepEqual([killed.status, (killed.body as { id: string }).id], [200, 'bd-1'])

  // text: an NFD retry is the same content; a ZWNJ or ZWJ is a change
  assert.equal((await post({ id: 'bn-text', headline: 'রাশিয়া' })).status, 201)
  const nfd = await post({ id: 'bn-text', headline: 'রাশিয\u09bcা' })
  assert.deepEqual(nfd.body, { id: 'bn-text', version: 1, unchanged: true })
  for (const [headline, version] of [
    ['রাশি\u200cয়া', 2],
    ['রাশি\u200dয়া', 3],
  ] as const) {
    const r = await post({ id: 'bn-text', headline })
    assert.deepEqual([r.status, (r.body as { version: number }).version], [200, version], r.text)
  }

  // instants: a zone is required, upper-case T and Z only, no leap second, no rolled-over date
  for (const e of ['2030-01-01t00:00:00Z', '2030-01-01T00:00:00z', '2030-01-01T00:00:00', '2030-12-31T23:59:60Z', '2030-02-29T00:00:00Z']) {
    const r = await post({ id: 'bn-embargo', embargoedUntil: e })
    assert.equal(r.status, 422, `${e}: ${r.text}`)
  }
  assert.equal(state.get('bn-embargo'), undefined, 'a refused write changed nothing')
})
