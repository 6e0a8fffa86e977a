// The order a fetch hands partitions over: a run of one partition's next records at a time, the
// partition and the run's length (1 to `maxRun`) chosen by `picks` in turn. Empties `queues`.
export function fetchOrder<T>(queues: T[][], picks: readonly number[], maxRun: number): T[] {
  const out: T[] = []
  let k = 0
  while (queues.some((q) => q.length > 0)) {
    const pick = picks[k++ % Math.max(1, picks.length)] ?? 0
    const open = queues.filter((q) => q.length > 0)
    const q = open[pick % open.length] as T[]
    out.push(...q.splice(0, 1 + (pick % maxRun)))
  }
  return out
}
