// Whether the fan-out is ready (/readyz) and serves streams and pages: caught up at start, not
// shutting down, and the event log known read to its end lately (the feed's freshness checks,
// feed.ts keepFresh, every 2 s or faster). A process cut off from Kafka (its consumer restarts
// for as long as the broker is gone; the process stays up) or far behind the log holds the state
// of when it was last fresh: every new reader, page and snapshot it answers shows what the log
// has taken back since (a kill, a hold). Not ready, the balancer sends them to a process that
// reads the log; here they get 503 `not_ready` (red21 attack run).
import type { Readiness } from '@newswire/shared'

/**
 * A process that has not known the log read to its end for this long is not ready. The checks
 * run every 2 s when idle, and wait up to 30 s for the consumer to read up to the end they ask
 * for: past this, a check has failed or waits on a consumer half a minute behind.
 */
export const STALE_AFTER_MS = 30_000

export interface ReadinessDeps {
  /** The feed caught up at start (and the warm-up ran). */
  caughtUp(): boolean
  closing(): boolean
  /** Milliseconds since the log was last known read to its end (Store.sinceFresh). */
  sinceFresh(): number
  connections(): number
}

export interface FanoutReadiness {
  /** What /readyz answers. */
  readiness(): Readiness
  /** Streams, pages, snapshots and counts are answered (else 503 `not_ready`). */
  serving(): boolean
  /** The log has not been known read to its end for STALE_AFTER_MS: a subscribe on an open connection is sent elsewhere. */
  logBehind(): boolean
}

export function createReadiness(d: ReadinessDeps): FanoutReadiness {
  const logRead = () => d.sinceFresh() <= STALE_AFTER_MS
  return {
    readiness() {
      const caughtUp = d.caughtUp()
      const closing = d.closing()
      const read = logRead()
      return {
        ready: caughtUp && !closing && read,
        checks: { caughtUp, logRead: read, shuttingDown: closing, connections: String(d.connections()) },
      }
    },
    serving: () => d.caughtUp() && !d.closing() && logRead(),
    // from ready on: the warm-up (before it) is no reader, and a long catch-up's first check may be on its way
    logBehind: () => d.caughtUp() && !logRead(),
  }
}
