// A keyed request a newer ingest committed in a schema this instance cannot decode (a deploy in
// the wrong order), its answer lost: the CMS retries it here. The record's headers name the
// Idempotency-Key, but its answer was skipped with the record (server.ts tail, answers.ts), so
// once a readable record of the article followed (a desk's correction), the retry was decided
// again over it: the newer instance's write repeated, the desk's undone, under a 2xx. It must
// not be written again (rev37 review).
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { topicNames } from '@newswire/shared'
import { article, publish } from '../../services/fanout/test/helpers.ts'
import { http, sleep, startTestIngest, uniquePrefix } from '../helpers.ts'
import { metricValue } from './support.ts'
import { writeUnreadable } from './unreadable.ts'

test('a retry of a keyed write committed in a record this instance cannot decode is not decided again', async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const ingest = await startTestIngest(t, prefix)
  const id = 'unreadable-answer-1'
  await publish(ingest.url, article(id))
  const retried = article(id, { headline: 'The newer instance wrote this' })
  const requestHash = createHash('sha256')
    .update(`POST /v1/articles\n${JSON.stringify(retried)}`)
    .digest('hex')
  // the newer instance committed the keyed request (version 2), undecodable here
  await writeUnreadable(t, topics, id, {
    type: 'UPDATED',
    article: { headline: 'The newer instance wrote this' },
    headers: { 'idempotency-key': 'dev:cms-retry-1', 'request-hash': requestHash },
  })
  // then the desk's correction (version 3), readable here
  await writeUnreadable(t, topics, id, { type: 'UPDATED', article: { version: 3, headline: 'The desk corrected it' }, decodable: true })
  const deadline = Date.now() + 10_000
  for (;;) {
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text()
    if ((ingest.state.get(id)?.article.version ?? 0) >= 3 && metricValue(metrics, 'newswire_ingest_unreadable_states') === 0) break
    assert.ok(Date.now() < deadline, 'the tail did not read the desk’s correction')
    await sleep(50)
  }

  const retry = await http(`${ingest.url}/v1/articles`, { method: 'POST', json: retried, headers: { 'idempotency-key': 'cms-retry-1' } })
  assert.equal(retry.status, 503, `decided again: ${retry.text}`)
  assert.equal((retry.body as { code: string }).code, 'not_ready')
  assert.equal(ingest.state.get(id)?.article.headline, 'The desk corrected it', 'the desk’s correction stands')
})
