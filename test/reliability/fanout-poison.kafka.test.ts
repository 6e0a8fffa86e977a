// Issue #7, poison messages: bytes in news.article-events that are not a known Avro
// single-object ArticleEvent (garbage, an unknown schema fingerprint, a truncated valid record)
// are counted by reason, copied to news.article-events.dlq with the reason in headers and
// skipped; the fan-out neither stalls nor crashes and the next good event reaches the client.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { AVRO_CONTENT_TYPE, entryStateKey, Kafka, logLevel, topicNames } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import { repoRoot } from '../../deploy/local/broker.ts'
import { article, connect, drain, eventsOf, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { brokers, codec, http, readTopic, sleep, startTestIngest, uniquePrefix } from '../helpers.ts'
import { metricValue, ms, readRaw, spawnFanout } from './support.ts'
import { writeUnreadable } from './unreadable.ts'

test('poison messages: counted by reason, dead-lettered once, skipped; the live stream goes on', async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const env = { KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '3' }
  const ingest = await startTestIngest(t, prefix)
  // A real process: the DLQ producer must be flushed by its SIGTERM shutdown too
  const fanout = await spawnFanout(t, env)
  const client = await connect(t, `ws://127.0.0.1:${fanout.port}/v1/stream`)
  client.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
  await client.next((m) => m.type === 'subscribed')

  const good = readFileSync(join(repoRoot, 'schemas/fixtures/article-event.v2.bin'))
  assert.equal(codec.decode(good).article.id.length > 0, true, 'the fixture is a valid record')
  const poison = [
    { reason: 'not_avro', value: Buffer.from('{"id":"not-avro","headline":"JSON, not Avro"}') },
    { reason: 'unknown_schema', value: Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.alloc(8, 0xab), good.subarray(10)]) },
    { reason: 'truncated', value: good.subarray(0, Math.floor(good.length / 2)) },
  ]
  const kafka = new Kafka({ clientId: 'poison-test', brokers, logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  t.after(() => producer.disconnect())
  const t0 = performance.now()
  const where = new Map<string, string>()
  for (const [i, p] of poison.entries()) {
    const [meta] = await producer.send({
      topic: topics.events,
      acks: -1,
      messages: [{ key: `poison-${i}`, value: p.value, partition: i % 3, headers: { 'test-case': p.reason } }],
    })
    where.set(p.reason, `${meta?.partition}:${meta?.baseOffset}`)
  }

  // A good article after the poison, posted through ingest
  const ack = await publish(ingest.url, article('after-poison-1'))
  const got = await client.next((m) => m.type === 'event', 10_000)
  const latency = performance.now() - t0
  assert.equal((got.event as { eventId: string }).eventId, ack.eventId, 'the good event arrives')
  assert.deepEqual(
    eventsOf(client.messages).map((m) => m.event.article.id),
    ['after-poison-1'],
    'nothing but the good event reaches the client',
  )

  // Second instance with FANOUT_DLQ=false: counts and skips the same records, writes no copy
  const passive = await spawnFanout(t, { ...env, FANOUT_DLQ: 'false' })
  const passiveClient = await connect(t, `ws://127.0.0.1:${passive.port}/v1/stream`)
  passiveClient.send({ type: 'subscribe', id: 'p1', channels: ['category:national'] })
  await passiveClient.next((m) => m.type === 'subscribed')
  const ack2 = await publish(ingest.url, article('after-poison-2'))
  for (const c of [client, passiveClient]) {
    const e = await c.next((m) => m.type === 'event' && (m.event as { eventId: string }).eventId === ack2.eventId, 10_000)
    assert.equal((e.event as { article: { id: string } }).article.id, 'after-poison-2')
  }

  const dlq = await readRaw(brokers.join(','), topics.dlq, (all) => all.length >= 3, 15_000)
  assert.equal(dlq.length, 3, 'three copies in the DLQ')
  for (const p of poison) {
    const copy = dlq.find((r) => r.headers['dlq-reason'] === p.reason)
    assert.ok(copy, `a DLQ copy with dlq-reason ${p.reason}`)
    assert.ok(copy.value?.equals(p.value), `${p.reason}: bytes untouched`)
    assert.equal(copy.headers['test-case'], p.reason, 'original headers kept')
    assert.equal(copy.headers['dlq-source-topic'], topics.events)
    assert.equal(`${copy.headers['dlq-source-partition']}:${copy.headers['dlq-source-offset']}`, where.get(p.reason))
    assert.ok((copy.headers['dlq-detail'] ?? '').length > 0, `${p.reason}: detail header`)
    assert.match(copy.headers['dlq-at'] ?? '', /^\d{4}-\d\d-\d\dT/)
  }

  const metricsOf = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const active = await metricsOf(fanout.port)
  const idle = await metricsOf(passive.port)
  for (const text of [active, idle]) {
    for (const p of poison) assert.equal(metricValue(text, 'newswire_fanout_decode_errors_total', { reason: p.reason }), 1, p.reason)
    assert.equal(metricValue(text, 'newswire_fanout_decode_errors_total'), 3, 'three decode errors in all')
  }
  assert.equal(metricValue(active, 'newswire_fanout_dead_letters_total', { result: 'sent' }), 3)
  assert.equal(metricValue(idle, 'newswire_fanout_dead_letters_total'), 0, 'FANOUT_DLQ=false writes no copy')
  assert.equal((await fetch(`http://127.0.0.1:${fanout.port}/readyz`)).status, 200, 'still ready')

  // A poison record right before SIGTERM: the shutdown waits for its DLQ copy
  await producer.send({
    topic: topics.events,
    acks: -1,
    messages: [{ key: 'poison-late', value: Buffer.from('late garbage'), partition: 0 }],
  })
  // As soon as the fan-out has counted it (its DLQ copy may still be in flight), SIGTERM
  const deadline = Date.now() + 10_000
  while (metricValue(await metricsOf(fanout.port), 'newswire_fanout_decode_errors_total') < 4 && Date.now() < deadline) await sleep(5)
  await Promise.all([passive.stop(), fanout.stop()])
  assert.equal(fanout.child.exitCode, 0, `clean exit:\n${fanout.output().slice(-2000)}`)
  const after = await readRaw(brokers.join(','), topics.dlq, (all) => all.length >= 4, 15_000)
  assert.equal(after.length, 4, 'the late poison record was dead-lettered before exit')

  const figures = {
    'poison records': poison.length + 1,
    'poison produced → next good event on the socket': ms(latency),
    'DLQ copies (2 instances, one with FANOUT_DLQ=false)': after.length,
  }
  t.diagnostic(`figures ${JSON.stringify(figures)}`)
})

// Attack run red7 (2026-12-05): a kill the fan-out cannot decode. A newer ingest writing a schema
// this fan-out lacks (a deploy in the wrong order), or one corrupt record, turns a WITHDRAWN into
// poison: it is counted, dead-lettered and skipped (fanout/src/feed.ts), while its key (the
// article id) and its `event-type: WITHDRAWN` header are right there. The story stays public on
// every path: live readers are never told, a fresh snapshot still lists it, and positions move
// past the kill's offset, so even once the fan-out can read it, those readers' resumes start after
// it. Nothing alerts on decode errors (deploy/prometheus/rules).
test('a kill the fan-out cannot decode still takes the story off public readers and snapshots', async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const client = await connect(t, fanout.wsUrl)
  client.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
  await client.next((m) => m.type === 'subscribed')

  const id = 'poison-kill-1'
  await publish(ingest.url, article(id))
  await client.next((m) => m.type === 'event' && (m.event as { article: { id: string } }).article.id === id)

  // The kill as ingest would write it, but under a writer schema this fan-out does not know
  await writeUnreadable(t, topics, id, { type: 'WITHDRAWN', reason: 'legal: court order' })
  await publish(ingest.url, article('poison-kill-after'))
  await drain(fanout, client, ingest.url)

  const told = client.messages.filter((m) => m.type === 'withdrawn' && m.articleId === id)
  const page = (await (await fetch(`${fanout.url}/v1/snapshot?channels=category:national`)).json()) as {
    items: { article: { id: string } }[]
  }
  const listed = page.items.map((i) => i.article.id)
  assert.ok(listed.includes('poison-kill-after'), 'the snapshot is current')
  assert.deepEqual(
    { readerTold: told.length, inPublicSnapshot: listed.includes(id) },
    { readerTold: 1, inPublicSnapshot: false },
    'the public reader who saw the story is told it is gone, and no public snapshot lists it',
  )
  // an instance started after it reads the same record at start
  const later = await startTestFanout(t, prefix)
  const again = (await (await fetch(`${later.url}/v1/snapshot?channels=category:national`)).json()) as {
    items: { article: { id: string } }[]
  }
  assert.deepEqual(
    again.items.map((i) => i.article.id),
    ['poison-kill-after'],
    'an instance started later does not list it either',
  )
})

// Attack run red7 (2026-12-05): a tombstone in news.articles. schemas/README.md tells every
// consumer to treat a null value for a key "like a WITHDRAWN event for that article"; the
// fan-out's own start-up (feed.ts loadArticles) skips it and keeps the state before it, which
// compaction has not removed yet (min.compaction.lag.ms, then delete.retention.ms): an instance
// started in that time lists the erased article to the public again.
test('a fan-out started after a tombstone in news.articles does not list the erased article', async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const ingest = await startTestIngest(t, prefix)
  const id = 'tombstoned-1'
  await publish(ingest.url, article(id))
  // newer events push its CREATED out of a small history: the instance knows it from news.articles only
  for (let i = 0; i < 12; i++) await publish(ingest.url, article(`tombstone-filler-${i}`))
  const state = await readRaw(brokers.join(','), topics.articles, (all) => all.some((r) => r.key?.toString() === id))
  const record = state.find((r) => r.key?.toString() === id)
  assert.ok(record)
  const kafka = new Kafka({ clientId: 'tombstone-test', brokers, logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  t.after(() => producer.disconnect())
  await producer.send({ topic: topics.articles, acks: -1, messages: [{ key: id, value: null, partition: record.partition }] })

  const fanout = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: '3' })
  const page = (await (await fetch(`${fanout.url}/v1/snapshot?channels=category:national&limit=200`)).json()) as {
    items: { article: { id: string } }[]
  }
  const listed = page.items.map((i) => i.article.id)
  assert.ok(listed.includes('tombstone-filler-11'), `the snapshot is current: ${listed}`)
  assert.ok(!listed.includes(id), 'the public snapshot lists an article its news.articles state erased')
})

// Review rev34 of the tombstone fix (6117393): the kill a tombstone loads as is a state from
// news.articles, which stands in only until history replays the article's events (ledger.ts
// apply). An instance whose history still holds the erased article's events (the default
// FANOUT_HISTORY_SIZE, an article erased within hours of publication) replays them over the
// kill, and lists the article to the public again.
test('a fan-out whose history still holds an erased article’s events does not list it', async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const ingest = await startTestIngest(t, prefix)
  const id = 'tombstoned-in-history-1'
  await publish(ingest.url, article(id))
  await publish(ingest.url, article('tombstone-after-1'))
  const state = await readRaw(brokers.join(','), topics.articles, (all) => all.some((r) => r.key?.toString() === id))
  const record = state.find((r) => r.key?.toString() === id)
  assert.ok(record)
  const kafka = new Kafka({ clientId: 'tombstone-history-test', brokers, logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  t.after(() => producer.disconnect())
  await producer.send({ topic: topics.articles, acks: -1, messages: [{ key: id, value: null, partition: record.partition }] })

  const fanout = await startTestFanout(t, prefix)
  const page = (await (await fetch(`${fanout.url}/v1/snapshot?channels=category:national&limit=200`)).json()) as {
    items: { article: { id: string } }[]
  }
  const listed = page.items.map((i) => i.article.id)
  assert.ok(listed.includes('tombstone-after-1'), `the snapshot is current: ${listed}`)
  assert.ok(!listed.includes(id), `the public snapshot lists an article its news.articles state erased: ${listed}`)
})

// Review rev34 of the undecodable-kill fix (3f031b0): a Kafka replay substitutes the kill only
// where the ledger applied it at that offset. An instance started after the kill knows it from
// news.articles (a state with no offset) when the record is older than its memory: the replay
// skips the record, and every earlier version of the story is an intermediate one, sent to nobody.
// A reader who saw the story and resumes there from before the kill is never told, while the
// same kill, decodable, reaches it (kill-after-restart.kafka.test.ts).
for (const history of ['3', '12'])
  test(`a reader resuming from before an undecodable kill on an instance started after it is told of the kill (history ${history})`, async (t) => {
    const prefix = uniquePrefix()
    const topics = topicNames(prefix)
    const ingest = await startTestIngest(t, prefix)
    const a = await startTestFanout(t, prefix)
    const id = 'poison-kill-replay-1'
    await publish(ingest.url, article(id))
    await a.settled()
    const first = await connect(t, a.wsUrl)
    first.send({ type: 'subscribe', id: 's1', channels: ['category:national'] })
    const subscribed = await first.next((m) => m.type === 'subscribed')
    assert.ok(JSON.stringify(subscribed.snapshot).includes(id), 'the reader sees the story')
    const position = subscribed.position as string
    first.ws.close()

    await writeUnreadable(t, topics, id, { type: 'WITHDRAWN', reason: 'legal: court order' })
    // routine traffic after it, on every partition: the kill's record leaves a small memory
    for (let i = 0; i < 9; i++) await publish(ingest.url, article(`poison-kill-replay-filler-${i}`))

    // the instance that was up all along tells a reader resuming there
    await a.settled()
    const control = await connect(t, a.wsUrl)
    control.send({ type: 'subscribe', id: 's1', channels: ['category:national'], since: position })
    await control.next((m) => m.type === 'withdrawn' && m.articleId === id, 10_000)

    // one started now (a deploy) with a small memory
    const b = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: history })
    await b.settled()
    const page = (await (await fetch(`${b.url}/v1/snapshot?channels=category:national&limit=200`)).json()) as {
      items: { article: { id: string } }[]
    }
    assert.ok(!page.items.some((i) => i.article.id === id), 'the new instance knows the story is killed')
    const back = await connect(t, b.wsUrl)
    back.send({ type: 'subscribe', id: 's1', channels: ['category:national'], since: position })
    const resumed = await back.next((m) => m.type === 'subscribed')
    assert.notEqual(resumed.replay, 'none', 'a resume, not a fresh snapshot')
    t.diagnostic(`replay: ${String(resumed.replay)}`)
    await new Promise((r) => setTimeout(r, 2500))
    assert.ok(
      back.messages.some((m) => m.type === 'withdrawn' && m.articleId === id),
      `the reader who saw the story never heard of its kill: ${back.messages.map((m) => `${m.type}:${String(m.replay ?? m.articleId ?? '')}`).join(',')}`,
    )
  })

// An entry's deletion is as final as a kill, and its headers name it (`event-type`, `entry-id`):
// undecodable, it stands in the same way (unreadable.ts), live, at a start from news.articles, and
// in a resume (before, it was only skipped, and the public kept an entry the newsroom deleted).
test('an entry deletion the fan-out cannot decode still takes the entry off public readers, live and after a restart', async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const ingest = await startTestIngest(t, prefix)
  const a = await startTestFanout(t, prefix)
  await publish(ingest.url, article('poison-live', { live: true }))
  const put = await http(`${ingest.url}/v1/articles/poison-live/entries/seen`, { method: 'PUT', json: { body: ['names a minor'] } })
  assert.equal(put.status, 201, put.text)
  await a.settled()
  const live = await connect(t, a.wsUrl)
  live.send({ type: 'subscribe', id: 's', channels: ['story:poison-live'] })
  const subscribed = await live.next((m) => m.type === 'subscribed')
  assert.deepEqual(
    (subscribed.entries as { id: string }[]).map((e) => e.id),
    ['seen'],
  )
  const position = subscribed.position as string

  // the deletion as ingest would write it, under a writer schema this fan-out does not know
  const all = await readTopic(topics.events, (rs) => rs.some((r) => r.event.entry?.id === 'seen'))
  const created = all.find((r) => r.event.entry?.id === 'seen')
  assert.ok(created?.event.entry)
  const entry = created.event.entry
  const deletion = codec.encode({
    ...created.event,
    eventId: randomUUID(),
    type: 'ENTRY_DELETED',
    reason: 'names a minor',
    changedFields: ['pubStatus'],
    entry: { ...entry, version: entry.version + 1, pubStatus: 'canceled' },
  } as NewswireEvent)
  const unknownWriter = Buffer.alloc(8, 0x4e)
  const value = Buffer.concat([deletion.subarray(0, 2), unknownWriter, deletion.subarray(10)])
  const headers = {
    'event-type': 'ENTRY_DELETED',
    'entry-id': 'seen',
    'schema-fingerprint': unknownWriter.toString('hex'),
    'content-type': AVRO_CONTENT_TYPE,
  }
  const producer = new Kafka({ clientId: 'poison-deletion-test', brokers, logLevel: logLevel.NOTHING }).producer({
    allowAutoTopicCreation: false,
  })
  await producer.connect()
  t.after(() => producer.disconnect())
  await producer.send({ topic: topics.events, acks: -1, messages: [{ key: 'poison-live', value, partition: created.partition, headers }] })
  await producer.send({
    topic: topics.articles,
    acks: -1,
    messages: [{ key: entryStateKey('poison-live', 'seen'), value, partition: created.partition, headers }],
  })
  await live.next((m) => m.type === 'entryWithdrawn' && m.entryId === 'seen', 10_000)

  // an instance started now knows the entry is deleted, from news.articles and from its history
  for (const history of ['3', '50000']) {
    const b = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: history })
    await b.settled()
    const fresh = await connect(t, b.wsUrl)
    fresh.send({ type: 'subscribe', id: 's', channels: ['story:poison-live'] })
    const snapshot = await fresh.next((m) => m.type === 'subscribed')
    assert.deepEqual(
      (snapshot.entries as { id: string }[]).map((e) => e.id),
      [],
      `history ${history}: a new reader is shown the deleted entry`,
    )
    // a reader who saw it resumes there: told, or told to start over without it
    const back = await connect(t, b.wsUrl)
    back.send({ type: 'subscribe', id: 's', channels: ['story:poison-live'], since: position })
    await back.until((all) => all.some((m) => m.type === 'reset' || (m.type === 'entryWithdrawn' && m.entryId === 'seen')), 10_000)
    const reset = back.messages.find((m) => m.type === 'reset')
    if (reset) assert.ok(!JSON.stringify(reset).includes('names a minor'), `history ${history}: a reset with the deleted entry`)
  }
})
