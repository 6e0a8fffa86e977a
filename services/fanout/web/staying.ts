// How the pages connect: a page has no one to hand a failure to, and a reader whose tab outlived
// an outage of ten minutes (the SDK's default `giveUpAfterMs`) kept its headlines, killed ones
// too, for as long as the tab stayed open (red6 attack run, 2026-12-04). Pages keep trying, with
// the SDK's backoff; a refusal for good (a token, 1008, HTTP 403 or 400) still fails at once, and
// the page then shows none of what it was sent (red16 attack run).
export const keepTrying = { giveUpAfterMs: Number.POSITIVE_INFINITY } as const
