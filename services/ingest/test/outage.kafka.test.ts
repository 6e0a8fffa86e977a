// Kafka stops mid-test: ingest answers 503 with Retry-After (never a 2xx it cannot keep), turns
// /readyz false, and recovers by itself when the broker is back; nothing lost, nothing doubled.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { topicNames } from '@newswire/shared'
import { brokersOf, isolatedSpec, startCluster, stopCluster } from '../../../deploy/local/broker.ts'
import { http, readToEnd, sleep, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'

test('broker stopped mid-test: 503 then recovery, with exactly the acknowledged events in Kafka', async (t) => {
  const spec = isolatedSpec('outage-test', 9192)
  await startCluster(spec, { fresh: true, log: () => {} })
  t.after(() => stopCluster(spec))
  const brokers = brokersOf(spec).join(',')
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix, { KAFKA_BROKERS: brokers, INGEST_PUBLISH_TIMEOUT_MS: '3000' })
  const post = (id: string) =>
    http(`${ingest.url}/v1/articles`, { method: 'POST', json: { id, language: 'en', headline: `Story ${id}`, body: ['Text.'] } })

  const acknowledged: string[] = []
  const before = await post('before-1')
  assert.equal(before.status, 201, before.text)
  acknowledged.push('before-1')

  await stopCluster(spec)
  const during = await post('during-1')
  assert.equal(during.status, 503, during.text)
  assert.equal(during.headers.get('retry-after'), '5')
  assert.equal((during.body as { code: string }).code, 'kafka_unavailable')
  // the health probe notices within a few seconds even without traffic
  let ready = 200
  for (let i = 0; i < 40 && ready === 200; i++) {
    ready = (await http(`${ingest.url}/readyz`, { key: null })).status
    if (ready === 200) await sleep(250)
  }
  assert.equal(ready, 503)
  // a read still answers, from memory, and says it could not catch up with Kafka
  const t0 = performance.now()
  const stale = await http(`${ingest.url}/v1/articles/before-1`)
  assert.equal(stale.status, 200, stale.text)
  assert.equal(stale.headers.get('newswire-stale'), 'true')
  assert.ok(performance.now() - t0 < 10_000, 'a read does not wait for the broker longer than its bound')

  await startCluster(spec, { log: () => {} })
  // recovers by itself: the client retries as Retry-After says
  let after = await post('during-1')
  for (let i = 0; i < 30 && after.status === 503; i++) {
    await sleep(1000)
    after = await post('during-1')
  }
  assert.ok(after.status === 201 || after.status === 200, after.text)
  acknowledged.push('during-1')
  const later = await post('after-1')
  assert.equal(later.status, 201, later.text)
  acknowledged.push('after-1')
  let readyAgain = 503
  for (let i = 0; i < 40 && readyAgain !== 200; i++) {
    readyAgain = (await http(`${ingest.url}/readyz`, { key: null })).status
    if (readyAgain !== 200) await sleep(250)
  }
  assert.equal(readyAgain, 200)
  // reads are fresh again once the state's consumer is back (it reconnects by itself)
  let fresh = await http(`${ingest.url}/v1/articles/during-1`)
  for (let i = 0; i < 30 && fresh.headers.get('newswire-stale') !== null; i++) {
    await sleep(1000)
    fresh = await http(`${ingest.url}/v1/articles/during-1`)
  }
  assert.equal(fresh.status, 200, fresh.text)
  assert.equal(fresh.headers.get('newswire-stale'), null)

  // Read to the end of the topic, so a duplicate of an acknowledged write would be seen
  const events = await readToEnd(brokers, topicNames(prefix).events)
  const ids = events.map((e) => `${e.event.article.id}@${e.event.article.version}`).sort()
  assert.deepEqual(ids, ['after-1@1', 'before-1@1', 'during-1@1'])
  // Close while the broker is up: the after hooks stop the broker first
  await ingest.close()
})
