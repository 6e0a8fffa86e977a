// Replays from the log share readers (replay.ts): a subscription joins a reader near its cursor.
// A reader must start at or below the cursor of everyone it takes: a running one cannot go back,
// so it never takes a subscription whose cursor it has passed, and one still gathering starts at
// the lowest cursor of those who joined it. Otherwise the events between (a kill among them) reach
// that client never. With either rule dropped, every fan-out unit test passed (mutation sweep,
// 2026-12-05).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import type { Sub } from '../src/model.ts'
import { LogReplays } from '../src/replay.ts'
import type { OpenReader, ReplayRecord, ReplaySink } from '../src/replay.ts'

/** Replays over a log of `length` records of partition 0, each read whole at once; `got` the offsets each subscription was offered. */
function replaysOver(length: number, gatherMs: number) {
  const log: ReplayRecord[] = Array.from({ length }, (_, offset) => ({ offset, event: null as NewswireEvent | null }))
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
  const open: OpenReader = ({ from, onBatch }) => ({
    start: () => onBatch(0, log.slice(from[0] ?? 0)),
    positions: () => [],
    close: () => Promise.resolve(),
  })
  const replays = new LogReplays({ open, sink, log: createLogger('replay-test', 'silent'), max: 4, gatherMs })
  return { replays, got }
}

const sub = (name: string, at: number) => ({ name, cursor: { o: [at], t: 0 } }) as unknown as Sub
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('a running replay reader never takes a subscription whose cursor it has passed', async () => {
  const { replays, got } = replaysOver(12, 0)
  assert.ok(replays.join(sub('ahead', 5), false))
  await wait(10)
  assert.deepEqual(got.get('ahead'), [5, 6, 7, 8, 9, 10, 11])
  // the first reader has read to the end; a cursor at offset 2 needs a reader of its own
  assert.ok(replays.join(sub('behind', 2), false))
  await wait(10)
  assert.deepEqual(got.get('behind'), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'offsets 2-4 were never replayed to the subscription behind')
  replays.closeAll()
})

test('a reader still gathering starts at the lowest cursor of those who joined it', async () => {
  const { replays, got } = replaysOver(8, 20)
  assert.ok(replays.join(sub('first', 5), false))
  assert.ok(replays.join(sub('lower', 2), false))
  assert.equal(replays.readers, 1, 'both share the gathering reader')
  await wait(60)
  assert.deepEqual(got.get('lower'), [2, 3, 4, 5, 6, 7], 'offsets 2-4 were never replayed to the lower cursor')
  replays.closeAll()
})
