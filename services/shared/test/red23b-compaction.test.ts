// red23b attack run (2026-12-07): news.articles must be compacted alone; delete, or compact,delete,
// drops kills once the retention passes (topics.ts compactionProblem).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigSource } from '@newswire/shared'
import { compactionProblem, topicNames } from '../src/topics.ts'

const names = topicNames('')
const policy = (value: string) => [
  {
    configName: 'cleanup.policy',
    configValue: value,
    readOnly: false,
    isDefault: false,
    configSource: ConfigSource.TOPIC_CONFIG,
    isSensitive: false,
    configSynonyms: [],
  },
]

test('news.articles compacted alone passes; delete, or compact with delete, is refused naming the fix', () => {
  assert.equal(compactionProblem(names, policy('compact')), null)
  for (const bad of ['delete', 'compact,delete', 'delete, compact']) {
    assert.match(compactionProblem(names, policy(bad)) ?? '', /cleanup\.policy=compact/, bad)
  }
  assert.equal(compactionProblem(names, []), null, 'unknown: not refused here')
})
