// red23b attack run (2026-12-07), a record copied back: an operator restores news.articles from a
// backup, or a mirror copies records into it, and an article's first version, published then
// killed, is written again after its kill (same key, same partition, a later offset; here with
// kafkajs, as any tool would). A fan-out started afterwards took the latest offset as the state:
// the killed article was on the public first page and in every new public subscription's snapshot
// (its kill was older than the history it read). Ingest already kept the highest version; the
// fan-out's load now does too (state-load.ts), and logs the stale record.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { brokers, http, readToEnd, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, connect, publish, startTestFanout, withdraw } from './helpers.ts'

test('a killed article copied back to news.articles after its kill stays killed at the next start, for every reader', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  await publish(ingest.url, article('killed', { urgency: 1 }))
  await withdraw(ingest.url, 'killed', 'legal')
  // newer events push its kill out of a small history
  for (let i = 0; i < 30; i++) await publish(ingest.url, article(`other-${i}`))
  const records = await readToEnd(brokers.join(','), `${prefix}news.articles`)
  const old = records.find((r) => r.event.article.id === 'killed' && r.event.type === 'CREATED')
  assert.ok(old, 'the first version is in news.articles')
  const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer()
  await producer.connect()
  await producer.send({
    topic: `${prefix}news.articles`,
    messages: [{ partition: old.partition, key: old.message.key, value: old.message.value, headers: old.message.headers }],
  })
  await producer.disconnect()

  const fanout = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: '3' })
  const page = await fetch(`${fanout.url}/v1/snapshot?channels=category:national`).then((r) => r.text())
  assert.ok(page.includes('"other-29"'), 'the page was read')
  assert.ok(!page.includes('"killed"'), `the public first page holds the killed article: ${page.slice(0, 300)}`)
  const reader = await connect(t, fanout.wsUrl)
  reader.send({ type: 'subscribe', id: 's', channels: ['category:national'], snapshot: 50 })
  const subscribed = await reader.next((m) => m.type === 'subscribed')
  assert.ok(!JSON.stringify(subscribed).includes('"killed"'), 'a new public subscription was given the killed article')
  // and ingest, restarted over it, still refuses to revive it
  await ingest.close()
  const again = await startTestIngest(t, prefix)
  const revived = await http(`${again.url}/v1/articles`, { method: 'POST', json: article('killed', { urgency: 1, headline: 'again' }) })
  assert.equal(revived.status, 409)
})
