// red13b attack run (2026-12-05): the dead-letter topic holds undecodable records bytes and text
// untouched (a deploy in the wrong order copies every change written meanwhile: embargoed, held,
// later erased). An erasure leaves the text only in news.article-events until its retention
// removes it (7 days); the DLQ kept its copies 30 days. It is created with the events' retention
// now, and one created before (30 days, or for ever) is lowered to it at start.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigSource } from '../src/kafka.ts'
import type { ConfigEntries } from '../src/kafka.ts'
import { raiseOf, requiredConfigs, topicConfigs, topicNames } from '../src/topics.ts'

const names = topicNames('p.')
const DAY = 86_400_000

function entry(configName: string, configValue: string, configSource: ConfigEntries['configSource']): ConfigEntries {
  const isDefault = configSource === ConfigSource.DEFAULT_CONFIG
  return { configName, configValue, configSource, isDefault, isSensitive: false, readOnly: false, configSynonyms: [] }
}

const retentionOf = (topic: string) =>
  Number(
    topicConfigs(names, 3, 3)
      .find((t) => t.topic === topic)
      ?.configEntries?.find((e) => e.name === 'retention.ms')?.value,
  )

test('the DLQ is created keeping its copies no longer than news.article-events keeps the events', () => {
  assert.equal(retentionOf(names.events), 7 * DAY)
  assert.ok(retentionOf(names.dlq) <= retentionOf(names.events), `DLQ ${retentionOf(names.dlq) / DAY} days`)
})

test('a DLQ created before (30 days, for ever) is lowered to the events’ retention at start; a shorter one is left alone', () => {
  const required = requiredConfigs(names).find((r) => r.topic === names.dlq && r.name === 'retention.ms')
  assert.ok(required, 'the DLQ retention is a setting Newswire checks at start')
  const minIsr = entry('min.insync.replicas', '2', ConfigSource.TOPIC_CONFIG)
  for (const [value, source] of [
    [String(30 * DAY), ConfigSource.TOPIC_CONFIG],
    ['-1', ConfigSource.TOPIC_CONFIG],
    [String(30 * DAY), ConfigSource.STATIC_BROKER_CONFIG],
  ] as const) {
    const change = raiseOf([minIsr, entry('retention.ms', value, source)], required)
    assert.deepEqual(
      change?.entries,
      [
        { name: 'min.insync.replicas', value: '2' },
        { name: 'retention.ms', value: String(7 * DAY) },
      ],
      `retention.ms ${value}`,
    )
  }
  for (const value of [String(7 * DAY), String(DAY), '0'])
    assert.equal(raiseOf([entry('retention.ms', value, ConfigSource.TOPIC_CONFIG)], required), null, value)
})
