// One clock for every process of a run: wall-clock microseconds with sub-millisecond resolution
// (performance.timeOrigin is read from the system clock at process start, then monotonic), so a
// timestamp taken in the publisher can be compared with the arrival time in a client process.
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000)
}
