// Where a transaction's records landed: what a writer waits on before it tells anyone they are
// readable (ingest waits for news.article-events' last stable offsets to pass them).
import type { RecordMetadata } from 'kafkajs'

/** Where a committed write ends in one partition of one topic: the offset after its last record. */
export interface Committed {
  topic: string
  partition: number
  next: bigint
}

/** Where each partition's records of `writes` end, by the offsets Kafka gave their batches. */
export function committedEnds(
  writes: readonly { topic: string; partition: number; records: readonly unknown[] }[],
  answered: readonly RecordMetadata[],
): Committed[] {
  const out: Committed[] = []
  for (const a of answered) {
    let n = 0
    for (const w of writes) if (w.topic === a.topicName && w.partition === a.partition) n += w.records.length
    if (n > 0 && a.baseOffset !== undefined)
      out.push({ topic: a.topicName, partition: a.partition, next: BigInt(a.baseOffset) + BigInt(n) })
  }
  return out
}
