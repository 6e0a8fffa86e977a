// The feed's freshness loop (feed.ts keepFresh) as production runs it, 250 ms near a release and
// every 2 s otherwise, over a Harness's log and on its clock: the process reads everything at
// once, so each check finds the log read to its end and tells the store; while `cutOff()`, Kafka
// does not answer and each check fails.
import { keepFresh } from '../../src/feed.ts'
import type { Harness } from './harness.ts'

const silent = { warn: () => undefined } as unknown as Parameters<typeof keepFresh>[0]['log']

/** Starts the loop; the returned function stops it. */
export function freshLoop(h: Harness, cutOff: () => boolean = () => false): () => void {
  let closed = false
  void keepFresh(
    {
      ends: async () => {
        if (cutOff()) throw new Error('KafkaJSConnectionError: Connection error: connect ECONNREFUSED')
        return h.log.map((l, p) => [p, BigInt(l.length)] as const)
      },
      waitFor: async () => undefined,
      fresh: (at, mono) => {
        h.store.fresh(at, mono)
        h.hub.schedule()
      },
      closed: () => closed,
      nextRelease: () => h.store.nextRelease(),
      log: silent,
      now: () => h.clock.now(),
      monotonic: () => h.clock.monotonicNow(),
      sleep: (ms) => new Promise<void>((r) => h.clock.setTimeout(r, ms)),
    },
    250,
    2000,
  )
  return () => {
    closed = true
  }
}
