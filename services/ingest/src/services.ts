// The write use cases of one ingest instance: articles and entries over one submitter, so an
// Idempotency-Key is answered once whichever kind of write it was first used for.
import { createArticleService } from './articles.ts'
import type { ArticleService } from './articles.ts'
import { createEntryService } from './entries.ts'
import type { EntryService } from './entries.ts'
import { createSubmitter } from './submit.ts'
import type { SubmitterDeps } from './submit.ts'

export interface WriteServices {
  articles: ArticleService
  entries: EntryService
}

export function createWriteServices(deps: SubmitterDeps & { onUnchanged: () => void; now?: () => number }): WriteServices {
  const submit = createSubmitter(deps)
  const { onUnchanged, now } = deps
  return { articles: createArticleService({ submit, onUnchanged, now }), entries: createEntryService({ submit, onUnchanged, now }) }
}
