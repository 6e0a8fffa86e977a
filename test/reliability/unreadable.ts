// Records the fan-out cannot decode, as a newer ingest would write them (a deploy in the wrong
// order): the change of an article as ingest would make it, with ingest's headers, under a writer
// schema the fan-out does not know, to both topics at the article's partition.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import { AVRO_CONTENT_TYPE, Kafka, logLevel } from '@newswire/shared'
import type { Article, NewswireEvent } from '@newswire/shared'
import { brokers, codec, readTopic } from '../helpers.ts'

/**
 * The next version of `id`'s first event (or the version `change.article` names), changed by
 * `change`, written undecodable; `decodable`: in the schema every release knows, as a newer ingest
 * writes once the deploy is done.
 */
export async function writeUnreadable(
  t: TestContext,
  topics: { events: string; articles: string },
  id: string,
  change: {
    type: 'WITHDRAWN' | 'UPDATED'
    reason?: string
    article?: Partial<Article>
    decodable?: boolean
    /** Headers added to ingest's, e.g. a request's `idempotency-key` and `request-hash`. */
    headers?: Record<string, string>
  },
): Promise<void> {
  const created = (await readTopic(topics.events, (all) => all.some((r) => r.event.article.id === id))).find(
    (r) => r.event.article.id === id,
  )
  assert.ok(created)
  const next = codec.encode({
    ...created.event,
    eventId: randomUUID(),
    type: change.type,
    reason: change.reason ?? null,
    changedFields: change.article ? Object.keys(change.article) : [],
    article: { ...created.event.article, version: created.event.article.version + 1, ...change.article },
  } as NewswireEvent)
  const writer = change.decodable ? next.subarray(2, 10) : Buffer.alloc(8, 0x4e)
  const value = Buffer.concat([next.subarray(0, 2), writer, next.subarray(10)])
  const headers = {
    'event-type': change.type,
    'schema-fingerprint': writer.toString('hex'),
    'content-type': AVRO_CONTENT_TYPE,
    ...change.headers,
  }
  const producer = new Kafka({ clientId: 'unreadable-writer', brokers, logLevel: logLevel.NOTHING }).producer({
    allowAutoTopicCreation: false,
  })
  await producer.connect()
  t.after(() => producer.disconnect())
  for (const topic of [topics.events, topics.articles])
    await producer.send({ topic, acks: -1, messages: [{ key: id, value, partition: created.partition, headers }] })
}
