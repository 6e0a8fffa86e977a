// Live-story fixtures for the SDK's tests: entries, entry frames, and a fetch that answers pages.
import type { FetchLike, FetchResponseLike, StoryEntry } from '../src/index.ts'

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString()

export function storyEntry(id: string, seq: number, version = 1, extra: Partial<StoryEntry> = {}): StoryEntry {
  return {
    id,
    seq,
    version,
    headline: `${id} v${version}`,
    body: [`Paragraph of ${id}.`],
    authors: ['Desk'],
    pinned: false,
    keyEvent: false,
    publishedAt: at(seq % 60),
    updatedAt: at(seq % 60),
    pubStatus: 'usable',
    embargoedUntil: null,
    corrections: [],
    ...extra,
  }
}

export function entryFrame(storyId: string, entry: StoryEntry, position: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'entry',
    id: 's1',
    channel: `story:${storyId}`,
    position,
    storyId,
    change: entry.version === 1 ? 'created' : 'updated',
    changedFields: entry.version === 1 ? [] : ['body'],
    entry,
    ...extra,
  }
}

export function entryWithdrawnFrame(storyId: string, entryId: string, version: number, position: string, cause = 'deleted') {
  return {
    type: 'entryWithdrawn',
    id: 's1',
    channel: `story:${storyId}`,
    position,
    storyId,
    entryId,
    version,
    cause,
    reason: `${cause} by the desk`,
  }
}

/** A fetch answering JSON bodies in order (a 500 problem when none is left), recording each request. */
export function jsonFetch() {
  const f = {
    requests: [] as { url: URL; headers: Record<string, string>; cache: string }[],
    answers: [] as { status: number; body: unknown }[],
    fetch: (async (url, init) => {
      f.requests.push({ url: new URL(url), headers: init.headers, cache: init.cache })
      const a = f.answers.shift() ?? { status: 500, body: { code: 'internal', detail: 'no answer scripted' } }
      const bytes = new TextEncoder().encode(JSON.stringify(a.body))
      let done = false
      const res: FetchResponseLike = {
        ok: a.status >= 200 && a.status < 300,
        status: a.status,
        statusText: '',
        headers: { get: () => 'application/json' },
        body: {
          getReader: () => ({
            read: async () => {
              if (done) return { done: true }
              done = true
              return { done: false, value: bytes }
            },
            cancel: async () => {},
          }),
        },
      }
      return res
    }) as FetchLike,
  }
  return f
}
