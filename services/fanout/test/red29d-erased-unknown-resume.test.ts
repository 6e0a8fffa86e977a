// red29d (the two-process story model, CI 2026-12-07, seed 2057322667): a public reader of a live
// story, shown it on one instance, resumed from that position on another started after the story's
// erasure, once compaction had left its tombstones alone and with history (the last events of the
// log) holding none of the story's records, not even the erasure's kill. The instance knew the
// story by its tombstone alone (ledger.ts eraseUnknown), and its replay from the log passed the
// kill judged by no state: nothing was sent, and the reader showed the erased story for good.
// The kill read there is the story's last record (nothing follows a kill), and who saw the story
// is not known there: it may have been public in the view it was killed in (deliver.ts replayState,
// as store.ts goLive where history holds the kill alone, red26a).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resumedAfterErasure } from './support/erased-resume.ts'

for (const [audience, channel] of [
  ['public', 'story:L'],
  ['public', 'article:L'],
  ['newsroom', 'story:L'],
] as const) {
  test(`a ${audience} ${channel} reader shown a story, resuming from the log on an instance whose history holds none of the story's records, is told of its erasure`, async () => {
    // history: the last event only (none of the story's)
    const ms = await resumedAfterErasure(audience, channel, 1)
    assert.ok(
      ms.some((m) => m.type === 'subscribed' && m.replay === 'kafka'),
      `not a replay from the log: ${JSON.stringify(ms)}`,
    )
    const told = ms.filter((m) => (m.type === 'withdrawn' && m.articleId === 'L' && m.erased === true) || m.type === 'reset')
    assert.ok(told.length > 0, `the erased story was left shown: ${JSON.stringify(ms)}`)
    assert.ok(!JSON.stringify(ms).includes('secret'), `the erased text was sent: ${JSON.stringify(ms)}`)
  })
}
