// Issue 17, proof against the real broker: the entries model (support/entries-model.ts) driven
// over two ingest instances in turn, with Idempotency-Key retries sent to the other instance when
// the first answer published an event (an answer that wrote nothing lives only where it was given).
// Checked: every answer is the model's; Kafka holds exactly the model's entry events, per entry,
// in order, on the story's partition; a fresh instance rebuilt from news.articles shows the model;
// every surviving entry can still be updated and deleted.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { partitionOf, topicNames } from '@newswire/shared'
import { loadIngestConfig, startIngest } from '@newswire/ingest'
import type { IngestInstance } from '@newswire/ingest'
import { brokers, ingestEnv, readToEnd, startTestIngest, testLogger, uniquePrefix } from '../../../test/helpers.ts'
import { assertStoryShows, createStories } from './support/entries-driver.ts'
import { apiKeysEnv, entrySequenceArb, newStories, STORIES } from './support/entries-model.ts'
import type { ModelEntryEvent, ModelStory, StoryNo } from './support/entries-model.ts'
import { driveRun, finalChecks, modelEventsOf } from './support/entries-run.ts'

const RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 40)
const prefix = uniquePrefix()
let instances: IngestInstance[] = []
const runs: { prefix: string; stories: Map<StoryNo, ModelStory>; events: Map<string, ModelEntryEvent[]> }[] = []
const statuses = new Map<number, number>()

describe('issue 17 model: live-story entries under random sequences, two instances, Kafka', () => {
  before(async () => {
    const config = loadIngestConfig(ingestEnv(prefix, { INGEST_API_KEYS: apiKeysEnv, INGEST_RATE_LIMIT: '100000' }))
    const fatal = (err: unknown) => assert.fail(String(err))
    instances = [await startIngest(config, testLogger('ingest-a'), fatal), await startIngest(config, testLogger('ingest-b'), fatal)]
  })
  after(() => Promise.all(instances.map((i) => i.close())))

  test('every answer is the model’s on two instances in turn; retries answer once', async () => {
    const url = (i: number) => (instances[i % 2] as IngestInstance).url
    await fc.assert(
      fc.asyncProperty(fc.tuple(entrySequenceArb(25), fc.array(fc.nat(1), { minLength: 25, maxLength: 25 })), async ([ops, where]) => {
        const run = { prefix: `k${runs.length}`, stories: newStories(), events: new Map<string, ModelEntryEvent[]>() }
        runs.push(run)
        await createStories(url(0), run.prefix)
        await driveRun(ops, { ...run, url, where, statuses })
        for (const n of STORIES) await assertStoryShows(url(n), run.prefix, n, run.stories.get(n), `${run.prefix}-s${n} on ${n % 2}`)
      }),
      { numRuns: RUNS },
    )
  })

  test('afterwards: Kafka holds exactly the model’s entry events on each story’s partition; a fresh instance shows the model; entries stay editable', async (t) => {
    const records = await readToEnd(brokers.join(','), topicNames(prefix).events)
    const events = records.map((r) => r.event)
    for (const run of runs) {
      assert.deepEqual(modelEventsOf(events, run.prefix), Object.fromEntries([...run.events].sort()), run.prefix)
    }
    for (const r of records) assert.equal(r.partition, partitionOf(r.event.article.id, 3), 'an entry event is on its story’s partition')
    t.diagnostic(`runs: ${runs.length}, answers by status: ${JSON.stringify(Object.fromEntries(statuses))}, events: ${records.length}`)
    const fresh = await startTestIngest(t, prefix, { INGEST_API_KEYS: apiKeysEnv })
    for (const run of runs) {
      for (const n of STORIES) await assertStoryShows(fresh.url, run.prefix, n, run.stories.get(n), `${run.prefix}-s${n} after a reload`)
      await finalChecks(fresh.url, run.prefix, run.stories)
    }
  })
})
