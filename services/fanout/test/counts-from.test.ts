// Counts cut short by the scan bound said where they started with the editorial time of the first
// story not looked at, hidden or not: an anonymous request read, to the millisecond, when an
// embargoed draft was edited (rev33 review, 2026-12-04). They now start at the oldest story counted.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { answerCounts } from '../src/http/snapshot.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'

const publicReader = { audience: 'public' as const, expiresAt: null, reject: null }

async function countsWith(hidden: boolean): Promise<Record<string, unknown>> {
  const h = new Harness({ partitions: 1 })
  const now = h.clock.now()
  const story = (id: string, agoMs: number, extra: Record<string, unknown> = {}) =>
    h.append(event('CREATED', { id, version: 1, category: 'politics', updatedAt: now - agoMs, ...extra }, now - 60_000), 0)
  story('a', 1_000)
  story('b', 2_000)
  // an embargoed draft the public must not know of, written at 10:02:03.123 by the CMS
  if (hidden) story('draft', 3_123, { headline: 'Minister to resign', embargoedUntil: now + 3_600_000 })
  story('c', 4_000)
  story('d', 5_000)
  h.start()
  await h.settle()
  const body = JSON.parse(
    answerCounts(new URL('http://f/v1/counts?channels=category:politics&window=3600'), publicReader, h.routeDeps(50, 2)),
  )
  h.hub.stop()
  return body as Record<string, unknown>
}

test('counts cut short by the scan bound read the same for the public whether an embargoed story lies in the walk', async () => {
  const without = await countsWith(false)
  const withDraft = await countsWith(true)
  assert.equal(withDraft.truncated, true)
  assert.deepEqual(
    withDraft,
    without,
    `the public learns an embargoed story's editorial time from \`from\`: ${String(withDraft.from)} (without it: ${String(without.from)})`,
  )
})
