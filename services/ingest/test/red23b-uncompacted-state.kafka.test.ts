// red23b attack run (2026-12-07), topics made by hand: news.articles created (or recreated) with
// cleanup.policy=delete, or compact,delete, and a short retention. It drops records once the
// retention passes, a kill among them; both services rebuild from it at start, and ingest then takes
// a killed id as new (a CMS's retry would write it again as CREATED). Only
// delete.retention.ms and min.insync.replicas were checked. Now neither service starts on it, and
// says which setting to change.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isNewswireError, topicConfigs, topicNames } from '@newswire/shared'
import { Kafka, logLevel } from 'kafkajs'
import { brokers, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { startTestFanout } from '../../fanout/test/helpers.ts'

for (const policy of ['delete', 'compact,delete']) {
  test(`no service starts on a news.articles made with cleanup.policy=${policy}`, async (t) => {
    const prefix = uniquePrefix()
    const names = topicNames(prefix)
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    const topics = topicConfigs(names, 3, 1).map((c) =>
      c.topic === names.articles
        ? {
            ...c,
            configEntries: [
              { name: 'cleanup.policy', value: policy },
              { name: 'retention.ms', value: '3600000' },
            ],
          }
        : c,
    )
    await admin.createTopics({ topics, waitForLeaders: true })
    await admin.disconnect()
    const ingest = await startTestIngest(t, prefix, { KAFKA_PARTITIONS: '3' }).then(
      () => 'started',
      (err: unknown) => err,
    )
    assert.ok(isNewswireError(ingest, 'NEWSWIRE_ERR_TOPIC_NOT_COMPACTED'), `ingest: ${String(ingest)}`)
    assert.match((ingest as Error).message, /cleanup\.policy=compact/)
    const fanout = await startTestFanout(t, prefix).then(
      () => 'started',
      (err: unknown) => err,
    )
    assert.ok(isNewswireError(fanout, 'NEWSWIRE_ERR_TOPIC_NOT_COMPACTED'), `fan-out: ${String(fanout)}`)
  })
}
