// Ingest's clock off the fan-outs' in the restart models' ingest-skew properties: ingest stamps
// every event `ingestedAt` = true time + its lead; instances up all along read it by their own
// clock (true time), restarted ones catch up by ingest's (6ab5e6b). Shared by
// restart-model.test.ts (a live story's entries) and restart-newsroom-model.test.ts (clearances).
import type { NewswireEvent } from '@newswire/shared'
import fc from 'fast-check'

/**
 * The lead the service tolerates, ingest's clock ahead of the fan-outs' (visibility.ts
 * INGEST_LEAD_MS), written out: a change to the service's must not shrink what the models try.
 */
export const MAX_LEAD_MS = 60_000

/**
 * How far ahead ingest stamps: none, a little, most of the minute, just under it, all of it; or
 * behind (a second, a few, half a minute). Behind, half a minute most often: a version released by
 * true time and stamped as replaced before its embargo needs its replacement within the lag of the
 * embargo, and with -1, -2, -5 and -30 s alike 400 runs of restart-newsroom-model reached it 7
 * times on average and never in 1 of 400 property runs (generator alone, 2,000 seeds); so, 9.7
 * and never in 0 of 2,000.
 */
export const leadArb: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constantFrom(0, 1, 250, 2_000, 15_000, 30_000, 45_000, 59_000, MAX_LEAD_MS - 1, MAX_LEAD_MS), weight: 5 },
  { arbitrary: fc.integer({ min: 0, max: MAX_LEAD_MS }), weight: 2 },
  { arbitrary: fc.constantFrom(-1_000, -5_000, -30_000, -30_000), weight: 3 },
)

/** `e`, written at true time `now`, as ingest `lead` ms ahead stamps it. */
export const stamped = <E extends NewswireEvent>(e: E, now: number, lead: number): E => (lead === 0 ? e : { ...e, ingestedAt: now + lead })

/** A version with embargo `at` replaced at true time `now`: held everywhere yet stamped as replaced after its embargo, or released less than the lead before. */
export function withinLead(
  at: number | null,
  now: number,
  lead: number,
): 'stampedPastEmbargo' | 'replacedWithinLead' | 'stampedBeforeRelease' | null {
  if (at === null) return null
  if (now < at && at <= now + lead) return 'stampedPastEmbargo'
  if (at <= now && now < at + lead) return 'replacedWithinLead'
  if (now + lead < at && at <= now) return 'stampedBeforeRelease'
  return null
}
