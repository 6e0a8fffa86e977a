// kafkajs groups a send's messages by partition (producer/groupMessagesPerPartition.js) with a
// reduce that copies the partition's array for every message: quadratic in the messages of a
// partition, 31,000 element copies and 250 garbage arrays for each topic of a 250-article batch
// (1.3 % of ingest's batch CPU in its own frame, more in the collector). kafkajs's sendMessages
// takes that function once, when it is first loaded, so the linear one below has to be in
// Node's module cache before kafkajs is: kafka.ts imports this module before kafkajs. Same
// result, same partitioner calls in the same order (kafkajs-grouping.test.ts compares the two).
import { kafkajsInternal, replaceKafkajsModule } from './kafkajs-modules.ts'

interface GroupArgs<M> {
  topic: string
  partitionMetadata: readonly unknown[]
  messages: readonly M[]
  partitioner: (o: { topic: string; partitionMetadata: readonly unknown[]; message: M }) => number
}

/** What kafkajs's groupMessagesPerPartition returns, without copying an array per message. */
export function groupMessagesPerPartition<M>({ topic, partitionMetadata, messages, partitioner }: GroupArgs<M>): Record<number, M[]> {
  const result: Record<number, M[]> = {}
  if (partitionMetadata.length === 0) return result
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message })
    const current = result[partition]
    if (current === undefined) result[partition] = [message]
    else current.push(message)
  }
  return result
}

/** The file kafkajs's sendMessages requires. */
export const groupingPath = replaceKafkajsModule('kafkajs/src/producer/groupMessagesPerPartition', groupMessagesPerPartition)

/** Whether kafkajs's producers group with the function above (false if kafkajs was loaded first). */
export const linearGrouping = (): boolean => kafkajsInternal(groupingPath) === groupMessagesPerPartition
