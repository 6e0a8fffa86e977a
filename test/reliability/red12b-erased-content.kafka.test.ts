// red12b attack run (2026-12-05), on a real broker: after an erasure (POST /v1/articles/{id}/erase),
// what ingest itself shows of the story. The attack: GET the erased story's entries (read scope)
// on the instance that erased it, and on an instance started afterwards, which rebuilds its state
// from news.articles before compaction has run (each entry's record, then its tombstone). Both
// served every erased entry's headline and body, and a story withdrawn before its erasure kept its
// text too: ingest held a tombstone's key as "killed" with whatever it held before. The fix
// (services/ingest/src/erasure.ts, state.ts) holds an erased key killed and without its text.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { article, publish } from '../../services/fanout/test/helpers.ts'
import { http, startTestIngest, uniquePrefix } from '../helpers.ts'

const SECRET = 'Wv4erasedText'

test('after an erasure, neither the erasing ingest nor one started later shows the erased story’s or entries’ text', {
  timeout: 120_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const ids = ['red12b-erased', 'red12b-withdrawn-erased']
  for (const id of ids) {
    await publish(ingest.url, article(id, { live: true, headline: `Story ${SECRET}` }))
    for (const e of ['e1', 'e2']) {
      const r = await http(`${ingest.url}/v1/articles/${id}/entries/${e}`, {
        method: 'PUT',
        json: { headline: `Entry ${SECRET}`, body: [`Text ${SECRET}`] },
      })
      assert.equal(r.status, 201, r.text)
    }
  }
  const withdrawn = await http(`${ingest.url}/v1/articles/${ids[1]}/withdraw`, { method: 'POST', json: { reason: 'legal' } })
  assert.equal(withdrawn.status, 200, withdrawn.text)
  for (const id of ids) {
    const erased = await http(`${ingest.url}/v1/articles/${id}/erase`, { method: 'POST', json: { reason: 'court order' } })
    assert.equal(erased.status, 200, erased.text)
  }

  const later = await startTestIngest(t, prefix)
  for (const [name, url] of [
    ['the erasing instance', ingest.url],
    ['an instance started later', later.url],
  ] as const) {
    for (const id of ids) {
      for (const path of [`/v1/articles/${id}`, `/v1/articles/${id}/entries`, `/v1/articles/${id}/entries/e1`]) {
        const r = await http(`${url}${path}`)
        assert.equal(r.status, 200, `${name} ${path}: ${r.text}`)
        assert.ok(!r.text.includes(SECRET), `${name}: GET ${path} shows the erased text: ${r.text}`)
      }
      const listed = await http(`${url}/v1/articles/${id}/entries`)
      const entries = (listed.body as { entries: { id: string; pubStatus: string }[] }).entries
      assert.deepEqual(
        entries.map((e) => [e.id, e.pubStatus]),
        [
          ['e1', 'canceled'],
          ['e2', 'canceled'],
        ],
        `${name}: ${listed.text}`,
      )
    }
  }
})
