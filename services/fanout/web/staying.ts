// How the pages connect: a page has no one to hand a failure to, and a reader whose tab outlived
// an outage of ten minutes (the SDK's default `giveUpAfterMs`) kept its headlines, killed ones
// too, for as long as the tab stayed open (red6 attack run, 2026-12-04). Pages keep trying, with
// the SDK's backoff; a refused token still fails at once.
export const keepTrying = { giveUpAfterMs: Number.POSITIVE_INFINITY } as const
