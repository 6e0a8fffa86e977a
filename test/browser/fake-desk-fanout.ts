// A fake fan-out for the dashboard's browser tests (red21d): the page and its script built from
// source, and a stream answering the desk's `all` subscription and each `story:<id>` one with the
// frames the test gives. No broker; the dashboard is the real bundle.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { WebSocket } from 'ws'
import { buildWebAssets } from '../../services/fanout/build/bundle.ts'
import { fakeStream } from './fake-stream.ts'
import { repoRoot } from './helpers.ts'

export interface DeskFrames {
  /** The desk's snapshot (`all`): event messages as the server sends them. */
  desk: unknown[]
  /** Each live story's entries (snapshot items, `embargoed: true` for one under embargo). */
  entries?: Record<string, unknown[]>
  /** Each live story's `entriesMore` (older entries to page in; the fake answers no page: 404). */
  entriesMore?: Record<string, number>
  /** The HTTP `Date` every answer carries (the fan-out host's clock); Node's own when absent. */
  serverNow?: () => number
  /** The desk's time zone (FANOUT_DESK_TIME_ZONE). */
  zone?: string
}

export async function fakeDeskFanout(t: TestContext, frames: DeskFrames) {
  const scripts = await buildWebAssets()
  const html = readFileSync(join(repoRoot, 'services', 'fanout', 'web', 'dashboard.html'), 'utf8').replace(
    '__DESK_TIME_ZONE__',
    frames.zone ?? 'UTC',
  )
  const css = readFileSync(join(repoRoot, 'services', 'fanout', 'web', 'dashboard.css'), 'utf8')
  const server = createServer((req, res) => {
    const date = frames.serverNow ? { date: new Date(frames.serverNow()).toUTCString() } : {}
    const [type, body] =
      req.url === '/dashboard.js'
        ? ['text/javascript', scripts.get('dashboard') ?? '']
        : req.url === '/dashboard.css'
          ? ['text/css', css]
          : req.url?.startsWith('/dashboard')
            ? ['text/html', html]
            : [null, '']
    if (type === null) {
      res.writeHead(404, date)
      res.end()
      return
    }
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache', ...date })
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  /** The desk's own connections (`all`), and every subscribe in order (its channels). */
  const desks = new Set<WebSocket>()
  const subscribes: string[] = []
  const stream = await fakeStream(t, server, (ws, m) => {
    const story = m.channels[0]?.startsWith('story:') ? m.channels[0].slice('story:'.length) : null
    if (story === null) desks.add(ws)
    subscribes.push(m.channels.join(','))
    const frame = { type: 'subscribed', id: m.id, channels: m.channels, position: 'p1', replay: 'none', more: null }
    if (story === null) ws.send(JSON.stringify({ ...frame, snapshot: frames.desk }))
    else {
      const own = frames.desk.filter((x) => (x as { event: { article: { id: string } } }).event.article.id === story)
      ws.send(
        JSON.stringify({
          ...frame,
          snapshot: own,
          story,
          entries: frames.entries?.[story] ?? [],
          entriesMore: frames.entriesMore?.[story] ?? null,
        }),
      )
    }
  })
  return {
    url: stream.url,
    subscribes,
    /** Writes a frame to the desk's stream (`all`). `frames.desk` is read at every subscribe: change it for the next. */
    sendDesk: (frame: unknown) => {
      for (const ws of desks) if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame))
    },
    /** Restarts refusing this page for good: every connection closed (1012), every later one refused with 1008. */
    restartRefusing: stream.restartRefusing,
  }
}

/** A story as the desk's snapshot carries it (an event message). */
export function deskStory(id: string, at: number, extra: Record<string, unknown> = {}, flags: Record<string, unknown> = {}) {
  const iso = new Date(at).toISOString()
  return {
    type: 'event',
    channel: 'all',
    position: 'p1',
    snapshot: true,
    ...flags,
    event: {
      eventId: `${id}-v1`,
      type: 'CREATED',
      occurredAt: iso,
      ingestedAt: iso,
      changedFields: [],
      reason: null,
      correction: null,
      article: {
        id,
        version: 1,
        language: 'en',
        headline: `The story ${id}`,
        summary: null,
        body: ['First paragraph.'],
        category: 'national',
        urgency: 3,
        pubStatus: 'usable',
        embargoedUntil: null,
        publishedAt: iso,
        updatedAt: iso,
        ...extra,
      },
    },
  }
}

/** An entry of a live story as a `story:` snapshot carries it. */
export function deskEntry(id: string, storyId: string, at: number, extra: Record<string, unknown> = {}) {
  const iso = new Date(at).toISOString()
  return {
    id,
    storyId,
    seq: 1,
    version: 1,
    headline: `The entry ${id}`,
    body: ['What the entry says.'],
    authors: [],
    pinned: false,
    keyEvent: false,
    pubStatus: 'usable',
    embargoedUntil: null,
    publishedAt: iso,
    updatedAt: iso,
    corrections: [],
    ...extra,
  }
}
