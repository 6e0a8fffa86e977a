// A live story for the in-process hub (harness.ts): its events appended as ingest writes them,
// readers subscribing to it, and what their messages say (entries, withdrawals, snapshots).
import type { Article, ArticleEvent, StoryEntry } from '@newswire/shared'
import type { AudienceScope } from '../../src/audience.ts'
import { unrestricted } from '../../src/audience.ts'
import type { Conn } from '../../src/model.ts'
import { parseChannels, parseFilter } from '../../src/protocol.ts'
import { Harness } from './harness.ts'
import { entryEvent, event } from './events.ts'
import type { Message } from './harness.ts'

export const T0 = 1_800_000_000_000
export type EntryMsg = Message & { entry: StoryEntry; change: string; position: string; embargoed?: boolean; released?: boolean }
export const entryMsgs = (ms: Message[]) => ms.filter((m) => m.type === 'entry') as EntryMsg[]
/** `id@version` of each `entry` message, `+` when created, `r` released, `e` embargoed. */
export const entries = (ms: Message[]) =>
  entryMsgs(ms).map(
    (m) => `${m.entry.id}@${m.entry.version}${m.change === 'created' ? '+' : ''}${m.released ? 'r' : ''}${m.embargoed ? 'e' : ''}`,
  )
export const gone = (ms: Message[]) => ms.filter((m) => m.type === 'entryWithdrawn').map((m) => `${m.entryId}:${m.cause}`)
/** The article id of each `event` message. */
export const shown = (ms: Message[]) => ms.filter((m) => m.type === 'event').map((m) => (m.event as { article: { id: string } }).article.id)
export const withdrawn = (ms: Message[]) => ms.filter((m) => m.type === 'withdrawn').map((m) => `${m.articleId}:${m.cause}`)
export const snapshotEntries = (m: Message | undefined) =>
  ((m?.entries ?? []) as (StoryEntry & { embargoed?: boolean })[]).map((e) => `${e.id}@${e.version}${e.embargoed ? 'e' : ''}`)
/** The articles of the `subscribed` snapshot among `ms`. */
export const snapshotArticles = (ms: Message[]) =>
  ((ms.find((m) => m.type === 'subscribed')?.snapshot ?? []) as ArticleEvent[]).map((e) => e.article)
export const lastPosition = (ms: Message[]) => [...ms].reverse().find((m) => typeof m.position === 'string')?.position as string

export const newsroom = { audience: 'newsroom' as const, scope: unrestricted }
export const released = { audience: 'newsroom' as const, scope: { categories: null, languages: null, embargo: false } }

export function subscribe(
  h: Harness,
  conn: Conn,
  channels: string[],
  o: { since?: string; entries?: number; catchUp?: 'all' | 'latest'; filter?: Record<string, unknown> } = {},
) {
  h.hub.handle(conn, {
    type: 'subscribe',
    id: 's',
    channels: parseChannels(channels, 's'),
    filter: parseFilter(o.filter ?? null, 's'),
    since: o.since ?? null,
    catchUp: o.catchUp ?? 'all',
    entries: o.entries ?? null,
  })
}

/** Where a reader of `channels` stood when its connection went: the last position it was sent. */
export async function goneReaderAt(
  h: Harness,
  channels: string[],
  audience: Parameters<Harness['connect']>[0] = 'public',
): Promise<string> {
  const reader = h.connect(audience)
  subscribe(h, reader.conn, channels)
  await h.settle()
  const since = lastPosition(reader.t.messages)
  h.hub.conns.remove(reader.conn)
  return since
}

/**
 * A public reader of category:news shown story `x` (v1, partition 0), gone: its position, which
 * eight sports stories after it push out of memory (a history of 4), so a resume from it replays
 * from the log.
 */
export async function positionOutOfMemory(h: Harness): Promise<string> {
  h.append(event('CREATED', { id: 'x', version: 1, category: 'news' }, h.clock.now()), 0)
  await h.settle()
  const since = await goneReaderAt(h, ['category:news'])
  for (let i = 0; i < 8; i++) h.append(event('CREATED', { id: `f${i}`, version: 1, category: 'sports' }, h.clock.now()), 0)
  await h.settle()
  return since
}

/** Where a story's events go: a process (Harness), or several reading one log (processPair). */
export type StoryLog = Pick<Harness, 'clock' | 'append'>

/** A live story with its events appended as ingest writes them. */
export class Story {
  readonly h: StoryLog
  article: Article
  readonly #entries = new Map<string, StoryEntry>()
  #seq = 0

  constructor(h: StoryLog, id = 'Live-1', extra: Partial<Article> = {}) {
    this.h = h
    const e = event('CREATED', { id, version: 1, live: true, ...extra }, h.clock.now())
    this.article = e.article
    h.append(e)
  }

  update(change: Partial<Article>, type: 'UPDATED' | 'WITHDRAWN' = 'UPDATED', reason: string | null = null): void {
    const e = event(type, { ...this.article, ...change, version: this.article.version + 1 }, this.h.clock.now(), { reason })
    this.article = e.article
    this.h.append(e)
  }

  post(id: string, extra: Partial<StoryEntry> = {}): void {
    const e = entryEvent(this.article, { id, seq: ++this.#seq, version: 1, ...extra }, this.h.clock.now())
    this.#entries.set(id, e.entry)
    this.h.append(e)
  }

  /** `reason`: the record's own words on a change that is not a deletion (ingest writes none; another writer may). */
  edit(id: string, change: Partial<StoryEntry>, o: { note?: string; delete?: string; reason?: string } = {}): void {
    const prev = this.#entries.get(id) as StoryEntry
    const at = this.h.clock.now()
    const correction = o.note ? { note: o.note, at } : null
    const next = {
      ...prev,
      ...change,
      version: prev.version + 1,
      corrections: correction ? [...prev.corrections, correction] : prev.corrections,
    }
    if (o.delete !== undefined) next.pubStatus = 'canceled'
    const e = entryEvent(this.article, next, at, {
      type: o.delete !== undefined ? 'ENTRY_DELETED' : 'ENTRY_UPDATED',
      reason: o.delete ?? o.reason ?? null,
      correction,
      changedFields: Object.keys(change),
    })
    this.#entries.set(id, e.entry)
    this.h.append(e)
  }
}

export async function setup(history = 1000) {
  const h = new Harness({ historySize: history })
  h.start()
  const story = new Story(h)
  await h.settle()
  return { h, story }
}

export async function client(
  h: Harness,
  who: { audience?: 'public' | 'newsroom'; scope?: AudienceScope } = {},
  channels = ['story:Live-1'],
  o: Parameters<typeof subscribe>[3] = {},
) {
  const c = h.connect(who.audience ?? 'public', who.scope ?? unrestricted)
  subscribe(h, c.conn, channels, o)
  await h.settle()
  return c
}

/** A public reader of category:news who saw `id` (appended now) and went away: where it will resume from. */
export async function newsReaderAway(h: Harness, id = 'story'): Promise<string> {
  h.append(event('CREATED', { id, version: 1, category: 'news' }, h.clock.now()))
  await h.settle()
  const first = await client(h, {}, ['category:news'])
  h.hub.conns.remove(first.conn)
  return lastPosition(first.t.messages)
}

/** Routine traffic in another category after what came before: a memory of two no longer holds it. */
export async function trafficAfter(h: Harness, partition = 0): Promise<void> {
  for (const id of ['x', 'y', 'z']) h.append(event('CREATED', { id, version: 1, category: 'sport' }, h.clock.now()), partition)
  await h.settle()
}

/** A story with entry e1 and a public reader of it who went away: where it will resume from. */
export async function readerAway(history: number) {
  const { h, story } = await setup(history)
  story.post('e1')
  await h.settle()
  const first = await client(h)
  const since = lastPosition(first.t.messages)
  h.hub.conns.remove(first.conn)
  return { h, story, since }
}

/**
 * A reader of `audience` on `breaking` who saw story `k` (v3), then left; `late` (made at the
 * clock's time) and three other stories pushed `k` out of memory (history 2); the reader resumes
 * from where it left, replayed from the log. Its transport, and the harness to stop.
 */
export async function resumedFromLog(audience: 'public' | 'newsroom', late: (at: number) => ArticleEvent) {
  const h = new Harness({ partitions: 1, historySize: 2 })
  h.append(event('CREATED', { id: 'k', version: 3, urgency: 1 }, h.clock.now() - 1000))
  h.start()
  await h.settle()
  const away = await client(h, { audience }, ['breaking'])
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  h.append(late(h.clock.now()))
  for (const id of ['x', 'y', 'z']) h.append(event('CREATED', { id, version: 1 }, h.clock.now()))
  await h.settle()
  const back = h.connect(audience)
  subscribe(h, back.conn, ['breaking'], { since })
  await h.settle()
  return { h, back }
}
