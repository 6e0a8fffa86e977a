// red11 attack run, on a real broker: an operator erases one entry of a live story with a tombstone
// under its key `<story>/entries/<entry>` (deploy/README.md names that key), written as Kafka tools
// write a keyed record: the default partitioner puts it on that key's partition. Ingest keeps an
// entry's state on its story's partition. The tombstone, at a lower offset in its own partition
// than the entry's record in the story's, did not erase the entry: a fan-out started after it
// showed the entry to the public, and a restarted ingest took writes to it. Both now take the
// erasure whatever partition it sits on.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { entryStateKey, Kafka, logLevel, partitionOf, topicNames } from '@newswire/shared'
import { connect, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { http, startTestIngest, uniquePrefix } from '../helpers.ts'

const PARTITIONS = 3

/** A live story whose entry e1's key hashes to another partition than the story (most do), with entries written through ingest. */
async function storyApart(t: TestContext, prefix: string, entries: [string, string][]): Promise<string> {
  let storyId = 'erase-story-0'
  for (let i = 1; partitionOf(storyId, PARTITIONS) === partitionOf(entryStateKey(storyId, 'e1'), PARTITIONS); i++)
    storyId = `erase-story-${i}`
  const ingest = await startTestIngest(t, prefix)
  const created = await http(`${ingest.url}/v1/articles`, {
    method: 'POST',
    json: { id: storyId, language: 'en', headline: 'A live story', body: ['p'], category: 'national', urgency: 3, live: true },
  })
  assert.equal(created.status, 201, created.text)
  for (const [id, body] of entries) {
    const r = await http(`${ingest.url}/v1/articles/${storyId}/entries/${id}`, { method: 'PUT', json: { body: [body] } })
    assert.equal(r.status, 201, r.text)
  }
  return storyId
}

/** The operator's erasure of `key`, as any Kafka tool writes a keyed tombstone (the default partitioner). */
async function eraseByKey(t: TestContext, topic: string, key: string): Promise<void> {
  const producer = new Kafka({
    clientId: 'red11-eraser',
    brokers: [process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'],
    logLevel: logLevel.NOTHING,
  }).producer()
  await producer.connect()
  t.after(() => producer.disconnect())
  await producer.send({ topic, acks: -1, messages: [{ key, value: null }] })
}

test('an entry erased by a tombstone under its key (default partitioner) reaches no public reader after a restart', async (t) => {
  const prefix = uniquePrefix()
  const storyId = await storyApart(t, prefix, [
    ['e1', 'Erased by an operator'],
    ['e2', 'Kept'],
  ])
  await eraseByKey(t, topicNames(prefix).articles, entryStateKey(storyId, 'e1'))

  // a fan-out started after the erasure
  const fanout = await startTestFanout(t, prefix)
  const reader = await connect(t, fanout.wsUrl)
  reader.send({ type: 'subscribe', id: 's1', channels: [`story:${storyId}`], entries: 10 })
  const subscribed = await reader.next((m) => m.type === 'subscribed')
  assert.ok(JSON.stringify(subscribed).includes('Kept'), `the story is shown: ${JSON.stringify(subscribed)}`)
  assert.ok(
    !JSON.stringify(subscribed).includes('Erased by an operator'),
    `a public reader is shown the erased entry: ${JSON.stringify(subscribed.entries)}`,
  )
})

// The same erasure in ingest: a restarted ingest's tail reads the partitions in whatever order a
// fetch hands them over; when it reads the tombstone's partition first, the entry's record (written
// before it, on the story's partition) was taken as the key's latest state, and the erased entry
// was written again (200). Which order comes first varies from start to start: several starts are tried.
test('an ingest restarted after an entry erasure under its key (default partitioner) refuses writes to it', async (t) => {
  const prefix = uniquePrefix()
  const storyId = await storyApart(t, prefix, [['e1', 'Erased by an operator']])
  await eraseByKey(t, topicNames(prefix).articles, entryStateKey(storyId, 'e1'))
  const answers: number[] = []
  for (let i = 0; i < 8; i++) {
    const again = await startTestIngest(t, prefix)
    // a GET changes nothing: what the restarted instance holds of the erased entry
    const read = await http(`${again.url}/v1/articles/${storyId}/entries/e1`)
    answers.push(read.status === 200 && (read.body as { entry?: { pubStatus?: string } }).entry?.pubStatus === 'usable' ? 200 : 409)
    await again.close()
  }
  assert.deepEqual(
    answers,
    new Array(8).fill(409),
    'a restarted ingest holds the erased entry as live (200: usable) and takes writes to it',
  )
})
