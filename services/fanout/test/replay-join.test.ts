// Replays from the log share readers (replay.ts): a subscription joins a reader near its cursor.
// A running reader cannot go back, so it must never take a subscription whose cursor it has
// passed: the events between (a kill among them) would reach that reader's client never. With the
// check dropped, every fan-out unit test passed (mutation sweep, 2026-12-05).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import type { Sub } from '../src/model.ts'
import { LogReplays } from '../src/replay.ts'
import type { OpenReader, ReplayRecord, ReplaySink } from '../src/replay.ts'

test('a running replay reader never takes a subscription whose cursor it has passed', async () => {
  const log: ReplayRecord[] = Array.from({ length: 12 }, (_, offset) => ({ offset, event: null as NewswireEvent | null }))
  const got = new Map<string, number[]>()
  const sink: ReplaySink = {
    replayEvent: (sub, _p, offset) => {
      const name = (sub as unknown as { name: string }).name
      got.set(name, [...(got.get(name) ?? []), offset])
      return true
    },
    replayProgress: () => {},
    replayMaybeDone: () => false,
    replayReadable: () => null,
    replayWait: () => Promise.resolve(),
    replayFailed: (_sub, err) => assert.fail(String(err)),
  }
  // reads the whole log from its start position at once, as one fetch
  const open: OpenReader = ({ from, onBatch }) => ({
    start: () => onBatch(0, log.slice(from[0] ?? 0)),
    positions: () => [],
    close: () => Promise.resolve(),
  })
  const replays = new LogReplays({ open, sink, log: createLogger('replay-test', 'silent'), max: 4, gatherMs: 0 })
  const sub = (name: string, at: number) => ({ name, cursor: { o: [at], t: 0 } }) as unknown as Sub
  assert.ok(replays.join(sub('ahead', 5), false))
  await new Promise((r) => setTimeout(r, 10))
  assert.deepEqual(got.get('ahead'), [5, 6, 7, 8, 9, 10, 11])
  // the first reader has read to the end; a cursor at offset 2 needs a reader of its own
  assert.ok(replays.join(sub('behind', 2), false))
  await new Promise((r) => setTimeout(r, 10))
  assert.deepEqual(got.get('behind'), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'offsets 2-4 were never replayed to the subscription behind')
  replays.closeAll()
})
