// Older entries of a live story beside the stream: GET /v1/stories/<id>/entries, as
// `storyEntries(client, storyId, { before, limit })`. Like older() (requests.ts): the token in the
// Authorization header, public answers revalidated from the browser's cache, problems as ClientError.
import type { Client } from './client.ts'
import { ClientError } from './errors.ts'
import { storyEntriesUrl } from './entry-protocol.ts'
import { enableEntries } from './entry-support.ts'
import { requestHooks } from './request-hooks.ts'
import { followsStory, joined } from './narrower.ts'
import { getJson, started } from './requests.ts'
import type { EntryPage } from './story-types.ts'
import type { FetchLike } from './types.ts'

export interface StoryEntriesOptions {
  /** Entries with a `seq` below this (`subscribed.entriesMore`, a page's `next`); omitted: the newest. */
  before?: number | null
  /** Entries per page, 1-100; the server's default (20) when left out. */
  limit?: number
}

/**
 * A page of the story's entries visible to this client now (its token and filter, as on its
 * stream), newest first, pinned ones left out (the snapshot holds them). Versions the client
 * already had are left out, and those returned are not delivered again by its stream. Rejects with
 * NEWSWIRE_ERR_CLIENT_REQUEST (404 when the story is not visible to this client; `details.view`
 * when the client's stream is not the story's own, `story:<storyId>`).
 */
export async function storyEntries(client: Client, storyId: string, options: StoryEntriesOptions = {}): Promise<EntryPage> {
  const { before = null, limit } = options
  if (typeof storyId !== 'string' || storyId === '') throw new TypeError('storyId must be a non-empty string')
  if (before !== null && (!Number.isInteger(before) || before < 1)) throw new TypeError('before must be an entry seq (an integer >= 1)')
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 100))
    throw new TypeError('limit must be an integer from 1 to 100')
  const hook = requestHooks.get(client)
  if (!hook) throw new TypeError('not a Newswire client: pass what connect() returned')
  const [o, endpoints, channels, filter, delivery] = hook()
  // an entry's deletion or hold reaches only the story's own subscription: a page taken beside
  // any other stream would keep showing it (rev31 review)
  if (!followsStory(channels, storyId))
    throw new ClientError(
      'NEWSWIRE_ERR_CLIENT_REQUEST',
      `storyEntries(): the stream does not follow story:${storyId}, so its entries' deletions would never reach this client (connect with channels: ['story:${storyId}'])`,
      { details: { view: true } },
    )
  // a filter item the stream and the page read differently (red12): the page's entries may be none of the stream's
  if (joined({ channels, filter }) !== undefined)
    throw new ClientError('NEWSWIRE_ERR_CLIENT_REQUEST', 'storyEntries(): one name per item', { details: { view: true } })
  // asked again once the stream has a position (requests.ts started)
  if (client.position === null) return started(client).then(() => storyEntries(client, storyId, options))
  enableEntries()
  const entries = delivery.entries as NonNullable<typeof delivery.entries>
  const fetchFn = o.fetch ?? (globalThis as { fetch?: FetchLike }).fetch
  if (!fetchFn) throw new TypeError('storyEntries() needs fetch: pass { fetch } to connect()')
  const url = storyEntriesUrl(endpoints.sse, storyId, filter, before, limit, client.position)
  const askedAt = delivery.resets
  const downsAt = entries.downs
  const body = (await getJson(fetchFn, url, { token: o.token, timeoutMs: o.connectTimeoutMs, clock: o.clock })) as {
    items?: unknown
    next?: unknown
  } | null
  if (!body || !Array.isArray(body.items)) {
    throw new ClientError('NEWSWIRE_ERR_CLIENT_REQUEST', `GET ${new URL(url).pathname}: the answer has no items`)
  }
  const next = typeof body.next === 'number' && Number.isInteger(body.next) ? body.next : null
  // a reset forgot the deletions heard of: a page asked for before it could bring one back
  delivery.refuseIfReset(askedAt, `GET ${new URL(url).pathname}`)
  // so did the story's withdrawal (a hold or a kill): the page holds entries of a story now down
  if (entries.downs !== downsAt)
    throw new ClientError(
      'NEWSWIRE_ERR_CLIENT_REQUEST',
      `GET ${new URL(url).pathname}: the story came down while this page was on its way; ask again`,
      { details: { storyDown: true } },
    )
  return { storyId, items: entries.page(storyId, body.items, client.position ?? ''), next }
}
