// red12b attack run (2026-12-05), on a real broker: the largest article ingest accepts can still be
// killed. Its kill (WITHDRAWN) is the article again with a reason of up to 1000 characters, 3000
// bytes in Bengali: an article written up to the 900 KiB a transaction may write to a partition was
// accepted, and its withdrawal refused (413) for good. The fix (services/ingest/src/batch-plan.ts,
// publisher.ts) has every write that is not a kill leave KILL_ROOM_BYTES free.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http, startTestIngest, uniquePrefix } from '../helpers.ts'

const body = (chars: number) =>
  Array.from({ length: Math.ceil(chars / 50_000) }, (_, i) => 'x'.repeat(Math.min(50_000, chars - i * 50_000)))

test('the largest article accepted is withdrawn with the longest Bengali reason', { timeout: 180_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  // the largest body accepted, found by halving (ids of one length: the id is in the event twice)
  let lo = 800_000
  let hi = 940_000
  let n = 0
  let largest: string | null = null
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    const id = `limit-${String(n++).padStart(3, '0')}`
    const r = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: { id, language: 'bn', headline: 'h', body: body(mid) } })
    assert.ok(r.status === 201 || r.status === 413, `${r.status} ${r.text.slice(0, 300)}`)
    if (r.status === 201) {
      lo = mid
      largest = id
    } else hi = mid - 1
  }
  assert.ok(largest, 'no article was accepted')
  const last = `limit-${String(n++).padStart(3, '0')}`
  const created = await http(`${ingest.url}/v1/articles`, {
    method: 'POST',
    json: { id: last, language: 'bn', headline: 'h', body: body(lo) },
  })
  assert.equal(created.status, 201, created.text.slice(0, 300))
  const killed = await http(`${ingest.url}/v1/articles/${last}/withdraw`, {
    method: 'POST',
    json: { reason: 'আ'.repeat(1000) },
    headers: { 'idempotency-key': `kill-${'k'.repeat(190)}` },
  })
  assert.equal(killed.status, 200, killed.text.slice(0, 400))
  assert.equal((killed.body as { type: string }).type, 'WITHDRAWN')
})
