// red13b attack run (2026-12-05), on a real broker: an erased story's text in the dead-letter
// topic. A deploy in the wrong order (a newer ingest writing a schema this fan-out lacks) makes
// every change written meanwhile undecodable; the fan-out copies each, bytes and text untouched,
// to news.article-events.dlq. Then the desk erases the story (court order): ingest tombstones
// news.articles, and the text is to stay only in news.article-events until its retention (7
// days) removes it. The DLQ copy stayed 30 days, and a fan-out started after the erasure read the
// record in its history and copied it again, its 30 days counted anew.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigResourceTypes, Kafka, logLevel, topicNames } from '@newswire/shared'
import { article, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { brokers, http, sleep, startTestIngest, uniquePrefix } from '../helpers.ts'
import { metricValue, readRaw } from './support.ts'
import { writeUnreadable } from './unreadable.ts'

const SECRET = 'Qz7courtOrderedText'

const holdsSecret = (value: Buffer | null) => value?.includes(Buffer.from(SECRET)) === true

test('an erased story’s text is not dead-lettered again after its erasure, nor kept past the events’ retention', {
  timeout: 120_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const id = 'red13b-dlq-erased'
  await publish(ingest.url, article(id))
  // the newer ingest's edit (undecodable here), then its next write in the schema all know
  await writeUnreadable(t, topics, id, { type: 'UPDATED', article: { headline: `Hold: ${SECRET}` } })
  await writeUnreadable(t, topics, id, { type: 'UPDATED', decodable: true, article: { version: 3, headline: 'Readable again' } })
  const before = await readRaw(brokers.join(','), topics.dlq, (all) => all.some((r) => holdsSecret(r.value)), 15_000)
  assert.equal(before.filter((r) => holdsSecret(r.value)).length, 1, 'the running fan-out dead-lettered the record once')

  const erased = await http(`${ingest.url}/v1/articles/${id}/erase`, { method: 'POST', json: { reason: 'court order' } })
  assert.equal(erased.status, 200, erased.text)

  // A fan-out started after the erasure: the record is still in news.article-events (7 days)
  const later = await startTestFanout(t, prefix)
  const deadline = Date.now() + 10_000
  const errors = async () => metricValue(await (await fetch(`${later.url}/metrics`)).text(), 'newswire_fanout_decode_errors_total')
  while ((await errors()) < 1 && Date.now() < deadline) await sleep(20)
  // (its copy in news.articles, not yet compacted, is counted too: that topic is never dead-lettered)
  assert.ok((await errors()) >= 1, 'the later instance read the undecodable record')
  await sleep(2_000) // a copy is sent in the background: give it the time one takes (milliseconds)
  await fanout.close()
  await later.close()
  const kafka = new Kafka({ clientId: 'red13b-dlq', brokers, logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  t.after(() => admin.disconnect())
  const copies = (await admin.fetchTopicOffsets(topics.dlq)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0)
  const after = await readRaw(brokers.join(','), topics.dlq, (all) => all.length >= copies, 15_000)
  assert.equal(
    after.filter((r) => holdsSecret(r.value)).length,
    1,
    'a fan-out started after the erasure copied the erased text to the DLQ again',
  )

  // Whatever copy was made before the erasure goes with the events it copies, not 23 days later
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [topics.events, topics.dlq].map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  })
  const retention = (topic: string) =>
    Number(resources.find((r) => r.resourceName === topic)?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue)
  assert.ok(
    retention(topics.dlq) <= retention(topics.events),
    `the DLQ keeps copies ${retention(topics.dlq) / 86_400_000} days, the events topic ${retention(topics.events) / 86_400_000}`,
  )
})
