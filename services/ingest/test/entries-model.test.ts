// Issue 17, the model test of live-story entries on the unit path: the real HTTP app, rules and
// services on loopback over an in-process publisher, so many random sequences run in seconds.
// Random sequences of entry creates, replaces, patches and deletions, editorial changes, stories
// going live, ending and being killed, Idempotency-Key retries, with keys of every scope and a
// forged one, against the reference model (support/entries-model.ts). Checked:
// - every answer is the model's (status, problem code, event type, version, seq); a retry with the
//   same Idempotency-Key gets the first answer and publishes nothing;
// - an entry's editorial controls change only through an explicit value from a key allowed to:
//   what GET shows, live and after a reload (a state rebuilt from the events), is the model's;
// - the events published per entry are exactly the model's, versions strictly growing, seqs
//   gapless per story; nothing accepted is lost;
// - every accepted entry can still be updated and deleted afterwards.
// The broker-backed twin is entries-model.kafka.test.ts.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { ArticleState } from '../src/state.ts'
import { assertStoryShows, createStories } from './support/entries-driver.ts'
import { apiKeysEnv, entrySequenceArb, newStories, STORIES } from './support/entries-model.ts'
import type { ModelEntryEvent } from './support/entries-model.ts'
import { startInProcessApp } from './support/in-process-app.ts'
import type { InProcessApp } from './support/in-process-app.ts'
import { driveRun, finalChecks, modelEventsOf } from './support/entries-run.ts'

let ingest: InProcessApp
const state = new ArticleState()
before(async () => {
  ingest = await startInProcessApp(state, apiKeysEnv)
})
after(() => ingest.close())

test('entries model: every answer, state and event is the model’s; retries answer once; a rebuilt state shows the same', async () => {
  let run = 0
  const statuses = new Map<number, number>()
  await fc.assert(
    fc.asyncProperty(entrySequenceArb(30), async (ops) => {
      const prefix = `u${run++}`
      const stories = newStories()
      const events = new Map<string, ModelEntryEvent[]>()
      await createStories(ingest.url, prefix)
      const publishedBefore = ingest.publisher.published.length
      await driveRun(ops, { prefix, stories, events, url: () => ingest.url, statuses })
      const published = ingest.publisher.published.slice(publishedBefore)
      assert.deepEqual(
        modelEventsOf(published, prefix),
        Object.fromEntries([...events].sort()),
        'the published entry events are the model’s',
      )
      // What an instance rebuilding from the events shows
      const rebuilt = new ArticleState()
      for (const e of ingest.publisher.published) rebuilt.apply(e)
      const reloaded = await startInProcessApp(rebuilt, apiKeysEnv)
      try {
        for (const n of STORIES) {
          await assertStoryShows(ingest.url, prefix, n, stories.get(n), `${prefix}-s${n} live`)
          await assertStoryShows(reloaded.url, prefix, n, stories.get(n), `${prefix}-s${n} after a reload`)
        }
        await finalChecks(reloaded.url, prefix, stories)
      } finally {
        await reloaded.close()
      }
    }),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 100) },
  )
  for (const status of [200, 201, 401, 403, 404, 409, 422]) assert.ok((statuses.get(status) ?? 0) > 0, `no ${status} in ${run} runs`)
})
