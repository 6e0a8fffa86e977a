// A record numbered as the version ingest holds, with other content (a writer that is not ingest,
// or an ingest on a stale state: the fan-out README's threat model), is old news to ingest's state
// as to the fan-out's ledger: ingest keeps what it held. Ingest decides the next version from what
// it holds (an update that omits pubStatus keeps it: decide.ts), so a held story taken over by a
// usable record of its version would run again at its next routine edit. Mutation campaign
// 2026-12-05, mutant S1 (state.ts apply `>=` made `>`) survived every ingest unit test.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decide } from '../src/decide.ts'
import { ArticleState } from '../src/state.ts'
import { articleInput, T0 } from './support/article-input.ts'
import { entryEventOf, eventOf } from './support/plan-jobs.ts'

test("a usable record numbered as a held story's version leaves it held, and its next edit stays held", () => {
  const state = new ArticleState()
  state.apply(eventOf('s', 1, T0))
  const held = eventOf('s', 2, T0 + 1000, { pubStatus: 'withheld' })
  state.apply(held)
  state.apply(eventOf('s', 2, T0 + 2000, { pubStatus: 'usable', headline: 'Not this one' }))
  assert.equal(state.article('s')?.eventId, held.eventId, 'the record of the held version was replaced')
  const next = decide(state.article('s'), articleInput({ id: 's', headline: 'An edit', pubStatus: undefined }), T0 + 3000)
  assert.equal(next.kind === 'updated' ? next.article.pubStatus : next.kind, 'withheld')
})

// The same for an entry of a live story (state.ts #applyEntry): its next edit is decided on the
// entry ingest holds (entry-decide.ts keeps an omitted pubStatus)
test("a usable record numbered as a held entry's version leaves it held", () => {
  const state = new ArticleState()
  state.apply(eventOf('s', 1, T0, { live: true }))
  state.apply(entryEventOf('s', 'e1', 1, T0))
  const held = entryEventOf('s', 'e1', 2, T0 + 1000, { pubStatus: 'withheld' })
  state.apply(held)
  state.apply(entryEventOf('s', 'e1', 2, T0 + 2000, { pubStatus: 'usable', body: ['Not this one'] }))
  assert.deepEqual([state.entry('s', 'e1')?.eventId, state.entry('s', 'e1')?.entry.pubStatus], [held.eventId, 'withheld'])
})
