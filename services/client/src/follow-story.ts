// followStory(client, id, handlers): a live story as a reader (or an editor) follows it on the
// `story:<id>` channel. It holds the story, its entries by `seq` (pinned and key events among
// them) at their newest version, and pages older entries in (`older()`) without duplicates. It
// resumes with its client: what was missed comes on the stream; after a `gap` or a story that
// runs again it asks for the newest page (after a gap, older() pages again from below the
// snapshot); after a `reset` it starts over.
import type { Client } from './client.ts'
import { Emitter, type Listener } from './emitter.ts'
import { enableEntries } from './entry-support.ts'
import { ClientError, errorMessage } from './errors.ts'
import { type ArticleGone, type ArticleUpdate, followArticle } from './follow-article.ts'
import { requestHooks } from './request-hooks.ts'
import { StoryEntries } from './story-entries.ts'
import { storyEntries } from './story-requests.ts'
import type { Correction, EntryMessage, EntryWithdrawnCause, StoryEntry } from './story-types.ts'
import type { Article } from './types.ts'

/** A new entry, or a newer version of one held. */
export interface StoryEntryUpdate {
  storyId: string
  entry: StoryEntry
  /** The version held before; null for an entry new to this follower. */
  previous: StoryEntry | null
  /**
   * `live`: it came on the stream now (a new entry is news); `snapshot`: held when the reader
   * arrived; `page`: paged in (older(), or the newest page after a gap).
   */
  source: 'live' | 'snapshot' | 'page'
  /** Set when this version is a correction. */
  correction: Correction | null
  changedFields: string[]
  /** Newsroom only: still under its own embargo. */
  embargoed: boolean
  released: boolean
}

export interface StoryEntryRemoved {
  storyId: string
  entryId: string
  /** The version that was held. */
  entry: StoryEntry
  /**
   * `deleted` for good; `withheld`, `embargoed` for now; `reset`: the server started this reader
   * over; `story`: the story was killed (the newsroom keeps the story, as killed, not its entries).
   */
  cause: EntryWithdrawnCause | 'reset' | 'story' | null
  reason: string | null
}

export interface StoryEventMap {
  entry: StoryEntryUpdate
  entryRemoved: StoryEntryRemoved
  /** A version of the story itself (headline, summary, `live`, a correction). */
  story: ArticleUpdate
  /** The story must come down; every entry has been dropped with it. */
  gone: ArticleGone
  /** A page the follower asked for by itself (after a gap, a reset, a story running again) failed. */
  error: ClientError
}

export type StoryHandlers = { [K in keyof StoryEventMap]?: Listener<StoryEventMap[K]> }

export interface StoryFollower {
  readonly storyId: string
  /** The story's newest version; null before the snapshot and while it is gone. */
  readonly story: Article | null
  readonly gone: ArticleGone | null
  /** Every entry held, oldest first (by `seq`). */
  readonly entries: readonly StoryEntry[]
  /** The pinned ones, oldest first. */
  readonly pinned: readonly StoryEntry[]
  /** Newsroom: the held version of this entry is still under its embargo. */
  isEmbargoed(entryId: string): boolean
  /** Whether older entries may still be paged in. */
  readonly hasOlder: boolean
  on<K extends keyof StoryEventMap>(type: K, listener: Listener<StoryEventMap[K]>): () => void
  /** Pages in up to `limit` (1-100) older entries; resolves with those it added, oldest first. */
  older(limit?: number): Promise<StoryEntry[]>
  /** Stops following (the client stays open). */
  close(): void
}

/** Entries asked for by the follower itself: the newest page, after a gap or a reset. */
const REFILL = 100

/**
 * Follows live story `storyId` on `client`, which must be connected with the one channel
 * `story:<storyId>` (its `entries` option sizes the snapshot). Create it right after connect().
 *
 * @example
 * const client = connect('https://news.example', { channels: ['story:bd-1'], entries: 30 })
 * const story = followStory(client, 'bd-1', { entry: ({ entry, source }) => render(entry, source) })
 * story.on('entryRemoved', ({ entryId }) => unrender(entryId))
 * await story.older(20)
 */
export function followStory(client: Client, storyId: string, handlers: StoryHandlers = {}): StoryFollower {
  if (typeof storyId !== 'string' || storyId === '') throw new TypeError('storyId must be a non-empty story id')
  const channel = `story:${storyId}`
  if (!client.channels.includes(channel)) throw new TypeError(`followStory needs a client connected with channels: ['${channel}']`)
  enableEntries()

  const entries = new StoryEntries()
  const emitter: Emitter<StoryEventMap> = new Emitter<StoryEventMap>((err, type) => {
    if (type === 'error') {
      queueMicrotask(() => {
        throw err
      })
      return
    }
    const message = `a '${String(type)}' listener threw: ${errorMessage(err)}`
    emitter.emit('error', new ClientError('NEWSWIRE_ERR_CLIENT_LISTENER', message, { cause: err }))
  })
  for (const [type, listener] of Object.entries(handlers)) if (listener) emitter.on(type as keyof StoryEventMap, listener as never)

  /** Where older entries start: a seq; null: none left; undefined: the server did not say (below the lowest held). */
  let before: number | null | undefined
  /** Where `before` stood after the last snapshot (or the newest page that replaced it): a gap pages on from there again. */
  let start: number | null | undefined
  /** Bumped by a gap: a page asked for before it does not move `before`. */
  let walk = 0
  /** Bumped whenever what is held is thrown away (gone, reset, close): pages asked for before are dropped. */
  let generation = 0
  let closed = false
  let paging: Promise<StoryEntry[]> | null = null
  let refilling: Promise<void> | null = null
  /** The generation the refill under way was asked for in. */
  let refillGen = 0
  /**
   * A refill asked for while one of an earlier generation was under way (a gap, then the story held
   * and running again): that one's page is dropped when it lands, so this one is made after it.
   */
  let refillNext: { cursorToo: boolean } | null = null
  /** How long a refill refused as `not_ready` waits before it is asked again (doubled, from 2 s). */
  let refillWait = 1000
  let stopRetry = () => {}
  /**
   * The story was killed. A kill is final (ingest never revives one), so no entry of it is taken
   * again, whatever still arrives: a late frame, a snapshot, a reset or a page. A hold is not a kill.
   */
  let killed = false

  const take = (
    m: Pick<EntryMessage, 'entry' | 'embargoed' | 'correction' | 'changedFields' | 'released'>,
    source: StoryEntryUpdate['source'],
  ) => {
    if (killed) return false
    const previous = entries.upsert(m.entry, m.embargoed, source === 'live')
    if (previous === undefined) return false
    const { entry, embargoed, correction, changedFields, released } = m
    emitter.emit('entry', { storyId, entry, previous, source, correction, changedFields, embargoed, released })
    return true
  }
  const takePage = (items: readonly EntryMessage[]) =>
    items
      .filter((m) => take(m, 'page'))
      .map((m) => m.entry)
      .sort((a, b) => a.seq - b.seq)

  /** The newest page: after a gap, a reset without entries, or the story running again. */
  const refill = (cursorToo: boolean) => {
    if (closed || killed) return
    if (refilling) {
      if (refillGen !== generation) refillNext = { cursorToo: cursorToo || refillNext?.cursorToo === true }
      return
    }
    const gen = generation
    refillGen = gen
    refilling = storyEntries(client, storyId, { limit: REFILL })
      .then(
        (page) => {
          refillWait = 1000
          if (gen !== generation || follower.gone) return
          takePage(page.items)
          if (cursorToo) before = start = page.next
        },
        (err: unknown) => {
          if (gen !== generation || closed) return
          // Behind the stream for longer than the page's own waits (a process reading a backlog):
          // what a gap shed comes back only by this page, so it is asked again, later each time
          if (err instanceof ClientError && err.details.serverCode === 'not_ready') {
            refillWait = Math.min(refillWait * 2, 30_000)
            const clock = requestHooks.get(client)?.()[0].clock
            const timer = clock?.setTimeout(() => gen === generation && refill(cursorToo), refillWait)
            stopRetry = () => clock?.clearTimeout(timer)
          } else emitter.emit('error', err instanceof ClientError ? err : new ClientError('NEWSWIRE_ERR_CLIENT_REQUEST', errorMessage(err)))
        },
      )
      .finally(() => {
        refilling = null
        const next = refillNext
        refillNext = null
        if (next && !follower.gone) refill(next.cursorToo)
      })
  }

  /** The story came down: its entries went with it. */
  let down = false
  const article = followArticle(client, storyId, {
    update: (u) => {
      const back = down
      down = false
      emitter.emit('story', u)
      // The newsroom gets a killed story as a version of it: its entries go with it
      if (u.article.pubStatus === 'canceled' || u.message.event.type === 'WITHDRAWN') {
        killed = true
        generation++
        before = null
        for (const entry of entries.clear())
          emitter.emit('entryRemoved', { storyId, entryId: entry.id, entry, cause: 'story', reason: null })
        return
      }
      // Running again after a hold: its entries were dropped with it
      if (back && !u.snapshot) refill(true)
    },
    gone: (g) => {
      // withheld, embargoed, left, absent: it may run again (update above)
      if (g.cause === 'withdrawn' || g.cause === 'canceled') killed = true
      down = true
      generation++
      entries.clear()
      before = null
      emitter.emit('gone', g)
    },
  })

  const offs = [
    client.on('subscribed', ({ entriesMore }) => {
      if (entriesMore !== undefined) before = start = entriesMore
    }),
    client.on('entry', (m) => {
      if (m.storyId === storyId && !closed) take(m, m.snapshot ? 'snapshot' : 'live')
    }),
    client.on('entryWithdrawn', (m) => {
      if (m.storyId !== storyId) return
      const entry = entries.remove(m.entryId)
      if (entry) emitter.emit('entryRemoved', { storyId, entryId: m.entryId, entry, cause: m.cause, reason: m.reason })
    }),
    client.on('reset', (m) => {
      generation++
      for (const entry of entries.clear()) emitter.emit('entryRemoved', { storyId, entryId: entry.id, entry, cause: 'reset', reason: null })
      if (follower.gone) return
      if (m.entries) {
        for (const e of m.entries) take(e, 'snapshot')
        before = start = m.entriesMore ?? null
      } else {
        before = start = undefined
        refill(true)
      }
    }),
    client.on('gap', () => {
      if (follower.gone) return
      // A page leaves out what the stream is to bring from the page's position (`at`), and the
      // stream dropped some of it: the pages asked for so far may lack an entry (red18 attack run)
      walk++
      before = start
      refill(false)
    }),
  ]

  const follower: StoryFollower = {
    storyId,
    get story() {
      return article.article
    },
    get gone() {
      return article.gone
    },
    get entries() {
      return entries.list()
    },
    get pinned() {
      return entries.list().filter((e) => e.pinned)
    },
    isEmbargoed: (id) => entries.isEmbargoed(id),
    get hasOlder() {
      return before !== null && !closed && !killed && article.gone === null
    },
    on: (type, listener) => emitter.on(type, listener),
    older(limit) {
      if (paging) return paging
      if (!follower.hasOlder) return Promise.resolve([])
      // The server did not say where older entries start: below the lowest held (the newest page when none)
      const from = before === undefined ? entries.lowestSeq() : before
      const gen = generation
      const w = walk
      paging = storyEntries(client, storyId, { before: from, ...(limit === undefined ? {} : { limit }) })
        .then(
          (page) => {
            if (gen !== generation || closed) return []
            if (w === walk) before = page.next
            return takePage(page.items)
          },
          (err: unknown) => {
            // what was held went meanwhile (a page refused as asked before the story came down, too)
            if (gen !== generation || closed) return []
            throw err
          },
        )
        .finally(() => {
          paging = null
        })
      return paging
    },
    close() {
      closed = true
      stopRetry()
      generation++
      article.close()
      for (const off of offs.splice(0)) off()
    },
  }
  return follower
}
