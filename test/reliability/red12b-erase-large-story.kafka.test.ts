// red12b attack run (2026-12-05), on a real broker: erasing a live story with thousands of entries.
// One transaction for the kill and every key's tombstone passed the 900 KiB a transaction may
// write to a partition, and every erasure of such a story was refused (413), for good. The fix
// (services/ingest/src/articles.ts) writes the kill with the first keys and the rest in
// transactions of their own before answering. Here: 2,500 entries with long ids (about 1.1 MB of
// tombstones), erased; a fresh instance reads every entry deleted and without its text.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { article, publish } from '../../services/fanout/test/helpers.ts'
import { http, startTestIngest, uniquePrefix } from '../helpers.ts'

const ENTRIES = 2500
const SECRET = 'Zr5erasedEntry'

test('a live story with thousands of entries is erased: every key, in transactions within the budget', { timeout: 240_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const story = `red12b-big-${'s'.repeat(140)}`
  await publish(ingest.url, article(story, { live: true, headline: 'Live: a long night' }))
  for (let from = 0; from < ENTRIES; from += 1000) {
    const lines = []
    for (let i = from; i < Math.min(ENTRIES, from + 1000); i++)
      lines.push(JSON.stringify({ id: `e-${String(i).padStart(5, '0')}-${'e'.repeat(140)}`, body: [`Entry ${i} ${SECRET}`] }))
    const r = await http(`${ingest.url}/v1/articles/${story}/entries/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: `${lines.join('\n')}\n`,
    })
    assert.equal(r.status, 200, r.text.slice(0, 500))
    const summary = (r.body as { summary: { created: number; failed: number } }).summary
    assert.equal(summary.failed, 0, r.text.slice(0, 1000))
  }
  const erased = await http(`${ingest.url}/v1/articles/${story}/erase`, { method: 'POST', json: { reason: 'court order' } })
  assert.equal(erased.status, 200, erased.text)
  assert.equal((erased.body as { type: string }).type, 'WITHDRAWN')

  const fresh = await startTestIngest(t, prefix)
  const listed = await http(`${fresh.url}/v1/articles/${story}/entries`)
  assert.equal(listed.status, 200, listed.text.slice(0, 500))
  const entries = (listed.body as { entries: { pubStatus: string }[] }).entries
  assert.equal(entries.length, ENTRIES)
  assert.ok(
    entries.every((e) => e.pubStatus === 'canceled'),
    'an entry is not deleted',
  )
  assert.ok(!listed.text.includes(SECRET), 'an erased entry keeps its text on a fresh instance')
})
