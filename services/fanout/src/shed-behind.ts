// Readers already connected to a process cut off from the event log (a network partition between
// it and the brokers, a wedged consumer) keep a story killed meanwhile, while the other processes'
// readers are told at once; they hear of it only when this process reads the log again, which may
// be never (red21 attack run: readiness.ts stops new readers, not these). Past SHED_AFTER_MS
// unconfirmed, every connection is told to come back (`reconnect`, 1013, a hint spread as a
// restart's): it resumes from its position on a process that reads the log (this one refuses it
// while behind) and hears of the kill there. In a Kafka outage every process sheds alike: readers
// retry with back-off and keep what they show meanwhile, as on a silent stream.
import { restartRetryAfterMs } from './admission.ts'

/** Past the readiness threshold (30 s): a blip that readiness rode out moves no reader. */
export const SHED_AFTER_MS = 60_000
/** How often the process looks. */
export const SHED_CHECK_MS = 5_000

export interface ShedDeps {
  /** Milliseconds since the log was last known read to its end (Store.sinceFresh). */
  sinceFresh(): number
  /** Ready once (the warm-up's connections are no readers) and not shutting down. */
  active(): boolean
  connections(): number
  /** Closes every open connection with 1013 and `reconnect`, each with a hint drawn from `retryAfterMs`; returns how many. */
  closeAll(what: string, retryAfterMs: () => number): number
  resumeRate: number
  random: () => number
  onShed?: (closed: number) => void
}

/**
 * One look: sheds the connections once per time the process falls behind (none can open while it
 * is behind: readiness.ts), and is ready to shed again once it has read the log. Returns whether it shed.
 */
export function shedLook(d: ShedDeps, state: { shed: boolean }): boolean {
  if (!d.active() || d.sinceFresh() < SHED_AFTER_MS) {
    state.shed = false
    return false
  }
  if (state.shed) return false
  state.shed = true
  const n = d.connections()
  const closed = d.closeAll('this instance has not read the event log for a minute', () => restartRetryAfterMs(n, d.resumeRate, d.random))
  d.onShed?.(closed)
  return true
}

/** Looks every SHED_CHECK_MS until stopped. */
export function shedWhenBehind(d: ShedDeps): { stop(): void } {
  const state = { shed: false }
  const timer = setInterval(() => shedLook(d, state), SHED_CHECK_MS)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
