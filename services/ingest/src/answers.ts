// Idempotency-Key answers a restarted instance must still give. news.articles holds an article's
// latest write only, once compacted: the key of an earlier write of the same article is gone from
// it, and a CMS retrying that write after a restart was decided again, undoing what came after it
// (a desk's hold; an outside review, 2026-12-04). Every event in news.article-events carries its
// request's key and hash, and that topic keeps days of events: the last TTL of it is read at start.
import type { Admin, Codec, Kafka, KafkaMessage, Logger, NewswireEvent } from '@newswire/shared'
import { createTail } from '@newswire/shared'
import type { Remembered } from './outcome.ts'
import { outcomeOf } from './outcome.ts'
import type { IdempotencyCache } from './idempotency-cache.ts'

export interface RememberOptions {
  kafka: Kafka
  admin: Admin
  topic: string
  codec: Codec
  idempotency: IdempotencyCache<Remembered>
  ttlMs: number
  groupId: string
  log: Logger
  onFatal: (err: unknown) => void
}

/**
 * Remembers the answer a committed record stands for, under the Idempotency-Key its headers carry
 * (records.ts), for the TTL from when it was written; `event` is decoded only for a keyed record,
 * null where it cannot be (a newer ingest's schema): the request was still committed, so a retry
 * must not be decided again (submit.ts refuses it here). Whether it was keyed.
 */
export function rememberAnswer(idempotency: IdempotencyCache<Remembered>, m: KafkaMessage, event: () => NewswireEvent | null): boolean {
  const key = m.headers?.['idempotency-key']?.toString()
  const requestHash = m.headers?.['request-hash']?.toString()
  if (!key || !requestHash) return false
  // past the TTL already (news.articles keeps every article's last write, keyed since ever): not
  // stored, where it took a place in its API key's bound and pushed out the answers of the last
  // hours at every start (red15c attack run, 2026-12-06)
  const at = Number(m.timestamp)
  if (!idempotency.live(at)) return false
  // two answers under one key (reused once the first was pushed out): the newer stands, the older
  // is fingerprinted, in whichever order they are read (idempotency-cache.ts readBack)
  const decoded = event()
  const by = m.headers?.['api-key-id']?.toString()
  idempotency.readBack(key, { outcome: decoded && outcomeOf(decoded), requestHash, ...(by ? { by } : {}) }, at)
  return true
}

/** Remembers the answers of the keyed requests committed within the TTL; resolves with how many. */
export async function rememberAnswers(o: RememberOptions): Promise<number> {
  const since = await o.admin.fetchTopicOffsetsByTimestamp(o.topic, Date.now() - o.ttlMs)
  const ends = await o.admin.fetchTopicOffsets(o.topic)
  const from = new Map<number, string>()
  // partitions with events since then, and the end each is read to
  const todo: [number, bigint][] = []
  for (const { partition, offset } of since) {
    const high = ends.find((e) => e.partition === partition)?.high ?? offset
    from.set(partition, offset)
    if (BigInt(offset) < BigInt(high)) todo.push([partition, BigInt(high)])
  }
  if (todo.length === 0) return 0
  let remembered = 0
  const tail = createTail({
    kafka: o.kafka,
    topic: o.topic,
    groupId: o.groupId,
    log: o.log,
    from,
    onFatal: o.onFatal,
    onBatch: ({ partition, messages }) => {
      for (const m of messages) {
        const value = m.value
        if (value === null) continue
        const decode = () => {
          try {
            return o.codec.decode(value)
          } catch (err) {
            o.log.warn({ err, partition, offset: m.offset }, 'undecodable event: its answer is not known here')
            return null
          }
        }
        if (rememberAnswer(o.idempotency, m, decode)) remembered++
      }
    },
  })
  try {
    await tail.start()
    // not catchUp: a partition with nothing to read is never fetched, so never counted as read
    await Promise.all(todo.map(([p, end]) => tail.waitFor(p, end, 120_000)))
  } finally {
    await tail.close()
  }
  return remembered
}
