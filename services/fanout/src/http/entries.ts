// GET /v1/stories/<id>/entries?before=<seq>&limit=N: older entries of a live story, newest first,
// each the version visible to the requester now (story-snapshot.ts, the stream's rules), unpinned
// only (the snapshot holds every visible pinned entry). The audience and token scope come from the
// token as on the stream (access.ts), the filter from the query as on /v1/sse (query.ts: a reader
// pages with its subscription's filter). A story the requester may not see is a 404, whether it
// exists or not. Cached like every page route (snapshot.ts sendCacheable): the URL is the same for
// every reader of a story, and a deletion is never served from a cache.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { unrestricted } from '../audience.ts'
import { parseChannel } from '../channels.ts'
import { eventJson, snapshotArray } from '../messages.ts'
import { checkAccess, DEFAULT_STORY_ENTRIES, MAX_STORY_ENTRIES, ProtocolError } from '../protocol.ts'
import { entryItem, olderEntries, storyNow } from '../story-snapshot.ts'
import { clearanceOf } from '../visibility.ts'
import type { Admission } from './access.ts'
import { viewFromQuery } from './query.ts'
import { RequestError, refuseIfAhead, sendCacheable, sendRequestError } from './snapshot.ts'
import type { SnapshotRouteDeps } from './snapshot.ts'

/** The route's path, its id segment as sent. */
const pathRe = /^\/v1\/stories\/([^/]{1,600})\/entries$/
/** The id as ingest accepts it. */
const idRe = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/

/**
 * The story a path names: its segment as it decodes, as ingest (Express) reads its paths and the
 * SDK writes them (`bd%3Afire-1`); the raw path alone sent every SDK reader of a story whose id
 * holds ':' a 404 (red23d attack run). An encoded '/', a dot segment, bad UTF-8: no story.
 */
export function storyOfPath(path: string): string | null {
  const raw = pathRe.exec(path)?.[1]
  if (raw === undefined) return null
  try {
    const id = decodeURIComponent(raw)
    return idRe.test(id) ? id : null
  } catch {
    return null
  }
}

export const isEntriesPath = (path: string): boolean => storyOfPath(path) !== null

const params = new Set(['before', 'limit', 'at', 'token', 'languages', 'categories', 'maxUrgency', 'states'])

/** What the route reads: the state, and what this process has read for a reader's `at` (reader-at.ts). */
export type EntriesRouteDeps = Pick<SnapshotRouteDeps, 'store' | 'head' | 'positions' | 'now'>

/** The reader's filter, parsed as on /v1/sse; throws RequestError. */
function filterOf(q: URLSearchParams, ref: string, admission: Pick<Admission, 'audience'>) {
  try {
    const { filter } = viewFromQuery(q, ref, false)
    checkAccess({ id: ref, channels: [], filter }, admission.audience)
    return filter
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
    throw new RequestError(err.code, err.message)
  }
}

/** A positive whole number parameter, or `fallback` when absent. */
function countParam(q: URLSearchParams, name: string, max: number, fallback: number): number {
  const raw = q.get(name)
  if (raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!/^\d{1,16}$/.test(raw) || n < 1 || n > max) throw new RequestError('bad_message', `${name} must be an integer from 1 to ${max}`)
  return n
}

/** The body of a GET /v1/stories/<id>/entries answer; throws RequestError. */
export function answerEntries(url: URL, admission: Pick<Admission, 'audience' | 'scope'>, d: EntriesRouteDeps): string {
  const store = d.store
  const id = storyOfPath(url.pathname)
  if (id === null) throw new RequestError('not_found', `no route ${url.pathname}`)
  const q = url.searchParams
  for (const name of q.keys())
    if (!params.has(name)) throw new RequestError('bad_message', `unknown parameter '${name}' (${[...params].join(', ')})`)
  const before = countParam(q, 'before', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  const limit = countParam(q, 'limit', MAX_STORY_ENTRIES, DEFAULT_STORY_ENTRIES)
  const scope = admission.scope ?? unrestricted
  const clearance = clearanceOf(admission.audience, scope)
  const stream = refuseIfAhead(q, d, { clearance, scope })
  const view = { channels: [parseChannel(`story:${id}`)], filter: filterOf(q, url.pathname, admission), conn: { scope } }
  const story = storyNow(store.ledger, id, { clearance, view, releasedBy: stream.releasedBy }, eventJson)
  if (story.item === null || !story.state) throw new RequestError('not_found', `no story '${id}' for this client`)
  const { items, more } = olderEntries(story.entries, story.state, clearance, before, limit, stream)
  const page = snapshotArray(items.map((s) => entryItem(s, clearance)))
  return `{"storyId":${JSON.stringify(id)},"items":${page},"next":${JSON.stringify(more)}}`
}

/** Serves GET /v1/stories/<id>/entries for an admitted request (origin and token checked). */
export function handleEntriesRoute(req: IncomingMessage, res: ServerResponse, url: URL, admission: Admission, d: EntriesRouteDeps): void {
  let body: string
  try {
    body = answerEntries(url, admission, d)
  } catch (err) {
    if (!(err instanceof RequestError)) throw err
    sendRequestError(res, err)
    return
  }
  sendCacheable(req, res, admission, body)
}
