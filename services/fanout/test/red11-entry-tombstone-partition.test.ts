// red11 attack run: an operator erases one entry of a live story by writing a tombstone under the
// entry's key, `<story id>/entries/<entry id>` (deploy/README.md, schemas/README.md), with any
// Kafka tool: its default partitioner puts the tombstone on the partition of that key. Ingest
// writes an entry's state on its STORY's partition (records.ts, publisher.ts), which is another
// one for most keys (murmur2). The load of news.articles (StateLoad) compares the offsets of one
// key's records across partitions as if they were one log: a tombstone at a lower offset in its
// partition than the entry's record in the story's partition is ignored (or undone by the record,
// read later), and the erased entry is public again after a restart. Compaction never removes
// that record either (it is in another partition than the tombstone). Fixed: StateLoad orders a
// key's records only within a partition, and an erasure on any partition stands.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createCodec, createLogger, entryStateKey, loadSchemas, partitionOf } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import { StateLoad } from '../src/feed.ts'
import type { StateRecord } from '../src/feed.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { client, snapshotEntries } from './support/live-story.ts'

const T0 = 1_800_000_000_000
const PARTITIONS = 6
const codec = createCodec(loadSchemas())
const metrics = { lag: () => {}, decodeErrors: () => {}, undecodableHeader: () => {} }

for (const order of ['story partition first', 'tombstone partition first'] as const) {
  test(`an entry erased by a tombstone on its key's own partition stays erased after a restart (${order})`, async () => {
    const storyId = 'Live-1'
    const key = entryStateKey(storyId, 'e1')
    const p = partitionOf(storyId, PARTITIONS)
    const q = partitionOf(key, PARTITIONS)
    assert.notEqual(p, q, 'the default partitioner puts the entry key elsewhere than its story')
    const story = event('CREATED', { id: storyId, version: 1, live: true, category: 'news' }, T0)
    const e1 = entryEvent(story.article, { id: 'e1', seq: 1, version: 1, body: ['Erased by an operator'] }, T0 + 1000)
    const e2 = entryEvent(story.article, { id: 'e2', seq: 2, version: 1, body: ['Kept'] }, T0 + 2000)
    const log: NewswireEvent[] = [story, e1, e2]

    const h = new Harness({ partitions: PARTITIONS, start: T0 + 60_000 })
    const load = new StateLoad({ codec, metrics, log: createLogger('load-test', 'silent') })
    // news.articles: the story's partition holds many records before these (a busy desk); the
    // entry key's partition holds few, and the operator's tombstone there
    const storyPartition: [number, StateRecord][] = [
      [p, { key: Buffer.from(storyId), value: codec.encode(story), offset: '5000', timestamp: String(T0) }],
      [p, { key: Buffer.from(key), value: codec.encode(e1), offset: '5001', timestamp: String(T0 + 1000) }],
      [p, { key: Buffer.from(entryStateKey(storyId, 'e2')), value: codec.encode(e2), offset: '5002', timestamp: String(T0 + 2000) }],
    ]
    const tombstonePartition: [number, StateRecord][] = [
      [q, { key: Buffer.from(key), value: null, offset: '12', timestamp: String(T0 + 30_000) }],
    ]
    const records =
      order === 'story partition first' ? [...storyPartition, ...tombstonePartition] : [...tombstonePartition, ...storyPartition]
    for (const [partition, m] of records) load.take(partition, m)
    load.into(h.store)
    // history holds the story's events (news.article-events: every event of a story on its partition)
    for (const [offset, e] of log.entries()) {
      ;(h.log[p] as NewswireEvent[]).push(e)
      h.store.append(p, offset, e)
    }
    h.start()
    await h.settle()
    const reader = await client(h, {}, [`story:${storyId}`], { entries: 10 })
    h.hub.stop()
    assert.deepEqual(
      snapshotEntries(reader.t.messages.find((m) => m.type === 'subscribed')),
      ['e2@1'],
      'a public reader is shown the erased entry',
    )
  })
}
