// What the runs of red25b-views-shed-model.test.ts reached: the test's floors say when its
// generator stops reaching a case.
/** What the runs reached (each must be reached, or the generator has gone blind). */
export const stats = {
  pairedRuns: 0,
  viewChanges: 0,
  erasures: 0,
  gaps: 0,
  runs: 0,
  overruns: 0,
  sheds: 0,
  cuts: 0,
  leftView: 0,
  released: 0,
  latestResumes: 0,
  kafkaReplays: 0,
  exactEnds: 0,
  reloads: 0,
  pages: 0,
  pagesAcrossChanges: 0,
  pagesMergedLate: 0,
  /** Views changed on an open socket (the SDK's update()), and the old subscriptions' messages taken after. */
  updates: 0,
  oldViewMessages: 0,
  /** Pages of a route that looks at one or two articles a page (its scan limit), ending where it stopped. */
  scanCutPages: 0,
  /** red27a: SSE readers, their resumes by Last-Event-ID, newsroom and limited tokens, what limited ones were sent, pages from a process behind. */
  sseReaders: 0,
  sseResumes: 0,
  newsroomReaders: 0,
  limitedReaders: 0,
  limitedItems: 0,
  newsroomPages: 0,
  pagesFromBehind: 0,
  pagesRefusedBehind: 0,
  /** Readers that signed in with another token (or out), and stories counted beside a page (GET /v1/counts). */
  tokenSwitches: 0,
  counted: 0,
  /** Pages asked under another token than their cursor was given under; newsroom readers of its own states ending exact. */
  pagesOtherToken: 0,
  /** Runs whose process B's clock runs ahead of A's. */
  skewedRuns: 0,
  /** Pages asked of B while its clock had released a story A's had not (views-behind.ts). */
  racingPages: 0,
  pagesOfB: 0,
  /** Pages B answered for a reader with a position (each checked: B had read as far). */
  pagesOfBAnswered: 0,
  newsroomStateEnds: 0,
  tickerReaders: 0,
  /** Updates changing nothing a ticker shows, in a ticker reader's view. */
  tickerSkippable: 0,
  kafkaBreaks: 0,
  /** red28a: tokens given an `exp` in the run, connections cut at it (by the host clock stepped past it too), revocations and the cuts they made. */
  tokensExpiring: 0,
  expiries: 0,
  expiriesSteppedPast: 0,
  revocations: 0,
  revokedCuts: 0,
  clockSteps: 0,
  /** red28a: SSE reconnects carrying an odd Last-Event-ID, one over a different `since`, and those answered 400 (a bad `since` alone). */
  oddHeaders: 0,
  headerOverSince: 0,
  sseRefused: 0,
  /** red28a: pages asked of A without `at`, and newest pages (no cursor) beside the stream. */
  pagesWithoutAt: 0,
  newestPages: 0,
  kafkaStalls: 0,
}
