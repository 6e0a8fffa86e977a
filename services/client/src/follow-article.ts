// followArticle(client, id, handlers): one article as a story page follows it (the `article:<id>`
// channel): its versions as typed updates (what changed, the correction note) and a `gone` when
// it must come down, with the cause. followStory() tracks its story the same way.
import type { Client } from './client.ts'
import type { Correction } from './story-types.ts'
import type { Article, NewsEventMessage, WithdrawnCause } from './types.ts'

/** A version of the followed article. */
export interface ArticleUpdate {
  articleId: string
  version: number
  article: Article
  /** What this version changed (empty for a new article). */
  changedFields: string[]
  /** Set when this version is a correction: the note says what was corrected. */
  correction: Correction | null
  /** It came with the subscription's snapshot (or a reset): the version current when the reader arrived, not a change seen live. */
  snapshot: boolean
  /** Newsroom only: still under embargo. */
  embargoed: boolean
  /** Its embargo has just been lifted. */
  released: boolean
  message: NewsEventMessage
}

/**
 * Why the article must come down: the server's `withdrawn` cause (`withdrawn`, `canceled`:
 * killed; `withheld`, `embargoed`: held for now; `left`: no longer in this view; null from older
 * servers), or `absent`: the server's snapshot did not hold it (not visible to this reader now).
 */
export type ArticleGoneCause = WithdrawnCause | 'absent' | null

export interface ArticleGone {
  articleId: string
  cause: ArticleGoneCause
  reason: string | null
}

export interface ArticleHandlers {
  update?: (update: ArticleUpdate) => void
  gone?: (gone: ArticleGone) => void
}

export interface ArticleFollower {
  readonly articleId: string
  /** The newest version held; null before the first, and after `gone`. */
  readonly article: Article | null
  /** Why it came down, while it is down; null while it runs. */
  readonly gone: ArticleGone | null
  /** Stops following (the client stays open). */
  close(): void
}

const toUpdate = (m: NewsEventMessage): ArticleUpdate => ({
  articleId: m.event.article.id,
  version: m.event.article.version,
  article: m.event.article,
  changedFields: m.event.changedFields ?? [],
  correction: m.event.correction ?? null,
  snapshot: m.snapshot,
  embargoed: m.embargoed,
  released: m.released,
  message: m,
})

/**
 * Follows article `id` on `client` (connected with the `article:<id>` channel, or any view that
 * carries it). Create it right after connect(), before the first snapshot arrives: an article the
 * snapshot does not hold is reported `gone` with cause `absent`.
 *
 * @example
 * const client = connect('https://news.example', { channels: ['article:bd-1'] })
 * followArticle(client, 'bd-1', {
 *   update: ({ changedFields, correction }) => showBanner(changedFields, correction),
 *   gone: ({ cause }) => showWithdrawn(cause),
 * })
 */
export function followArticle(client: Client, id: string, handlers: ArticleHandlers = {}): ArticleFollower {
  if (typeof id !== 'string' || id === '') throw new TypeError('id must be a non-empty article id')
  let article: Article | null = null
  let gone: ArticleGone | null = null
  let checkSnapshot = false

  const update = (m: NewsEventMessage) => {
    // Fields a ticker-fields view leaves out keep what was known
    article = article ? { ...article, ...m.event.article } : m.event.article
    gone = null
    handlers.update?.({ ...toUpdate(m), article })
  }
  const down = (cause: ArticleGoneCause, reason: string | null) => {
    article = null
    gone = { articleId: id, cause, reason }
    handlers.gone?.(gone)
  }

  const offs = [
    client.on('subscribed', ({ more }) => {
      // A fresh snapshot (not a resume): its items follow at once, in this same task
      if (more === undefined || article !== null) return
      checkSnapshot = true
      queueMicrotask(() => {
        if (checkSnapshot && article === null && gone === null) down('absent', null)
        checkSnapshot = false
      })
    }),
    client.on('event', (m) => {
      if (m.event.article.id === id) update(m)
    }),
    client.on('withdrawn', (m) => {
      if (m.articleId === id) down(m.cause ?? null, m.reason)
    }),
    client.on('reset', ({ items }) => {
      const mine = items.find((m) => m.event.article.id === id)
      if (mine) update(mine)
      else if (article !== null || gone === null) down('absent', null)
    }),
  ]
  return {
    articleId: id,
    get article() {
      return article
    },
    get gone() {
      return gone
    },
    close() {
      for (const off of offs.splice(0)) off()
    },
  }
}
