// The topics' settings: news.articles keeps its tombstones (operators' erasures) for good, at a
// value the broker's delete horizon (now + delete.retention.ms) cannot overflow.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TOMBSTONE_RETENTION_MS, topicConfigs, topicNames } from '../src/topics.ts'

const names = topicNames('p.')
const LONG_MAX = 9223372036854775807n

const settingsOf = (topic: string) =>
  Object.fromEntries(
    topicConfigs(names, 3, 3)
      .find((t) => t.topic === topic)
      ?.configEntries?.map((e) => [e.name, e.value]) ?? [],
  )

test('news.articles keeps tombstones for good; the other topics keep the broker default', () => {
  assert.equal(settingsOf(names.articles)['delete.retention.ms'], String(TOMBSTONE_RETENTION_MS))
  assert.equal(settingsOf(names.articles)['cleanup.policy'], 'compact')
  assert.equal(settingsOf(names.events)['delete.retention.ms'], undefined)
  assert.equal(settingsOf(names.dlq)['delete.retention.ms'], undefined)
  // a millennium, with room: now + it neither overflows a Java long nor leaves 2^53 for centuries
  assert.equal(TOMBSTONE_RETENTION_MS, 31_536_000_000_000)
  const inYear3000 = Date.UTC(3000, 0, 1)
  assert.ok(Number.isSafeInteger(inYear3000 + TOMBSTONE_RETENTION_MS))
  assert.ok(BigInt(inYear3000 + TOMBSTONE_RETENTION_MS) < LONG_MAX)
})
