// The fan-out's clock as the dashboard reads it: its countdowns ("in 25 min"), relative times and
// "today" count from it, not from this computer's clock. The fan-out releases an embargo by its own
// clock; an editor's computer running 10 minutes slow read "in 11 min" a minute before the story
// went out, the time an editor has to hold or kill it (red21d attack run). Read from the `Date` of
// a HEAD of the page (same origin, any process behind the balancer), at start and every few
// minutes; a `Date` has whole seconds, so a difference within that (and half the round trip) is
// taken as none.
const EVERY_MS = 5 * 60_000
/** Past this the header says so: the editor's other clocks (the taskbar's) disagree with the page. */
const NOTE_MS = 30_000

export interface ServerClock {
  /** The fan-out's time now, epoch ms, as best known (this computer's until a first reading). */
  now(): number
  /** The fan-out's clock minus this computer's, ms (0: the same, or not read yet). */
  readonly offsetMs: number
  /** Reads it again (a reconnect, the page back in view). */
  sync(): void
}

/** What the header says of this computer's clock, or '' when it agrees with the fan-out's. */
export function clockNote(offsetMs: number): string {
  if (Math.abs(offsetMs) < NOTE_MS) return ''
  const abs = Math.abs(offsetMs)
  const by = abs >= 90_000 ? `${Math.round(abs / 60_000)} min` : `${Math.round(abs / 1000)} s`
  return `This computer's clock is ${by} ${offsetMs > 0 ? 'behind' : 'ahead of'} the fan-out's: times here count by the fan-out's.`
}

/**
 * The offset a reading gives: `date` the answer's `Date` (whole seconds: the server's time lies in
 * [date, date + 1 s)), sent and received by this computer's clock.
 */
export function offsetOf(date: number, sentAt: number, receivedAt: number): number {
  const half = Math.max(0, receivedAt - sentAt) / 2
  const raw = date + 500 - (sentAt + half)
  return Math.abs(raw) <= 1000 + half ? 0 : Math.round(raw)
}

export function serverClock(changed: (offsetMs: number) => void, url = '/dashboard'): ServerClock {
  let offset = 0
  let busy = false
  const sync = () => {
    if (busy) return
    busy = true
    const sentAt = Date.now()
    fetch(url, { method: 'HEAD', cache: 'no-store', credentials: 'omit' })
      .then((res) => {
        const receivedAt = Date.now()
        const date = Date.parse(res.headers.get('date') ?? '')
        // a slow answer says little of when it was written
        if (Number.isNaN(date) || receivedAt - sentAt > 5000) return
        const next = offsetOf(date, sentAt, receivedAt)
        if (next === offset) return
        offset = next
        changed(offset)
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false
      })
  }
  sync()
  setInterval(sync, EVERY_MS)
  return {
    now: () => Date.now() + offset,
    get offsetMs() {
      return offset
    },
    sync,
  }
}
