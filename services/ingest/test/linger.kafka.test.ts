// Lingering (linger.ts) against the real broker: requests that overlap share transactions;
// requests sent one at a time never wait for company that cannot come.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { topicNames } from '@newswire/shared'
import { http, readTopic, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { publisherCounters } from '../../../test/reliability/support.ts'

const article = (id: string, n: number) => ({
  id,
  language: 'en',
  headline: `Linger ${id}, take ${n}`,
  body: ['One paragraph.'],
  category: 'national',
  urgency: 3,
})

for (const writers of ['single', 'partition']) {
  test(`overlapping requests share transactions; one at a time, none waits (writers: ${writers})`, async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix, { INGEST_WRITERS: writers, INGEST_LINGER_MS: '40' })
    const post = (id: string, n = 0) => http(`${ingest.url}/v1/articles`, { method: 'POST', json: article(id, n) })

    // One at a time: each request finds its writer idle
    for (let i = 0; i < 5; i++) assert.equal((await post(`seq-${i}`)).status, 201)
    const alone = await publisherCounters(ingest.url)
    assert.equal(alone.lingered, 0, 'a request sent alone waited for others')
    assert.deepEqual([alone.transactions, alone.events], [5, 5])

    // A steady stream, one request every 5 ms, each a new version of one of three articles: they overlap, and wait for each other
    const answers: Promise<{ status: number }>[] = []
    for (let i = 0; i < 60; i++) {
      answers.push(post(`stream-${i % 3}`, i))
      await new Promise((r) => setTimeout(r, 5))
    }
    const statuses = (await Promise.all(answers)).map((a) => a.status)
    assert.ok(
      statuses.every((s) => s === 200 || s === 201),
      statuses.join(','),
    )
    const after = await publisherCounters(ingest.url)
    assert.ok(after.lingered > 0, 'no transaction waited for overlapping requests')
    assert.equal(after.events - alone.events, 60)
    assert.ok(after.transactions - alone.transactions < 60, `${after.transactions - alone.transactions} transactions for 60 events`)

    // Every event committed once, in order: versions 1..20 of each article
    const events = await readTopic(topicNames(prefix).events, (all) => all.length >= 65)
    for (let k = 0; k < 3; k++) {
      const versions = events.filter((e) => e.event.article.id === `stream-${k}`).map((e) => e.event.article.version)
      assert.deepEqual(
        versions,
        Array.from({ length: 20 }, (_, i) => i + 1),
      )
    }
  })
}
