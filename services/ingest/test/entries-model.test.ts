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
import { assertAnswer, assertStoryShows, createStories, requestOf, sendRequest } from './support/entries-driver.ts'
import type { Sent } from './support/entries-driver.ts'
import { apiKeysEnv, entrySequenceArb, entryRevision, newStories, STORIES, stepEntry } from './support/entries-model.ts'
import type { EntryOp, Expected, ModelEntryEvent } from './support/entries-model.ts'
import { startInProcessApp } from './support/in-process-app.ts'
import type { InProcessApp } from './support/in-process-app.ts'
import { finalChecks, modelEventsOf } from './support/entries-run.ts'

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
      let last: {
        sent: Sent
        op: Exclude<EntryOp, { kind: 'retry' }>
        revision: number | undefined
        first: Expected
        body: unknown
      } | null = null
      for (const [i, op] of ops.entries()) {
        if (op.kind === 'retry') {
          if (last === null) continue
          const count = ingest.publisher.published.length
          const res = await sendRequest(last.sent)
          const what: string = `retry of ${JSON.stringify(last.op)}: ${res.text}`
          if (last.first.status < 300 || last.first.status === 401 || last.first.status === 403) {
            // The first answer, and no second event
            assert.equal(res.status, last.first.status, what)
            if (last.first.status < 300) assert.deepEqual(res.body, last.body, what)
            assert.equal(ingest.publisher.published.length, count, what)
          } else {
            // A refusal is not remembered: decided again, on the state as it is now
            const expected = stepEntry(stories, last.op, last.revision)
            assertAnswer(res, expected, what)
            if (expected.event) record(events, last.op, expected.event)
          }
          continue
        }
        const revision = entryRevision(stories, op)
        const sent = requestOf(ingest.url, prefix, op, revision, `${prefix}-op${i}`)
        const expected = stepEntry(stories, op, revision)
        const res = await sendRequest(sent)
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        assertAnswer(res, expected, `${JSON.stringify(op)}: ${res.text}`)
        if (expected.event) record(events, op, expected.event)
        if ('idem' in op && op.idem) last = { sent, op, revision, first: expected, body: res.body }
      }
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

function record(events: Map<string, ModelEntryEvent[]>, op: EntryOp, event: ModelEntryEvent): void {
  if (!('entry' in op)) return
  const key = `s${op.story}/e${op.entry}`
  events.set(key, [...(events.get(key) ?? []), event])
}
