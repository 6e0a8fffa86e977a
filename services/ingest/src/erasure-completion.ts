// Completes erasures cut short. An erasure writes the story's kill and tombstones its keys in
// transactions of ERASE_KEYS_PER_WRITE (articles.ts), all before its answer; one that fails between
// them (a commit refused, the instance stopped) is completed by a retry, but a newsroom tool that
// never retries left the rest of the story's entry records, their text included, in news.articles
// for any consumer's snapshot to read (red16d attack run, 2026-12-06). Any instance finishes it:
// at start-up, and every few minutes, for each story whose own key is erased and some entry key
// is not (ArticleState.unfinishedErasures), it runs the erasure again, which writes only the
// tombstones still missing.
import type { Logger } from '@newswire/shared'

/** The `source` of what a completion writes (tombstones only: the story's kill is written already). */
export const ERASURE_COMPLETION_SOURCE = 'ingest:erasure-completion'

export interface ErasureCompletionDeps {
  unfinished: () => string[]
  /** The erasure of `id` again (articles.ts erase): it tombstones the keys left. */
  erase: (id: string) => Promise<unknown>
  log: Logger
  everyMs?: number
}

/** Starts the completion (a first pass at once); `stop` ends it after the pass under way. */
export function completeErasures(d: ErasureCompletionDeps): { stop: () => Promise<void>; pass: () => Promise<number> } {
  let stopped = false
  let running: Promise<number> | null = null
  const pass = (): Promise<number> => {
    running ??= (async () => {
      let done = 0
      for (const id of d.unfinished()) {
        if (stopped) break
        try {
          await d.erase(id)
          done++
          d.log.info({ id }, 'completed an erasure cut short: the rest of its keys tombstoned')
        } catch (err) {
          d.log.warn({ err, id }, 'could not complete an erasure cut short; tried again later')
        }
      }
      return done
    })().finally(() => {
      running = null
    })
    return running
  }
  const timer = setInterval(() => void pass(), d.everyMs ?? 5 * 60_000)
  timer.unref()
  void pass()
  return {
    pass,
    stop: async () => {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
