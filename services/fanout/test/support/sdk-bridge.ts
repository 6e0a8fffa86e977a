// The SDK (services/client) against the in-process hub (harness.ts): a WebSocket class for the
// SDK's `WebSocket` option whose sockets are connections of the hub, frames passed as text both
// ways (the hub's parser reads what the SDK sends, the SDK's decoder what the hub writes).
import assert from 'node:assert/strict'
import { type AudienceScope, unrestricted } from '../../src/audience.ts'
import { answerEntries } from '../../src/http/entries.ts'
import { answerPage, RequestError } from '../../src/http/snapshot.ts'
import type { Conn, Transport } from '../../src/model.ts'
import { parseClientMessage } from '../../src/protocol.ts'
import type { Audience } from '../../src/visibility.ts'
import type { TestContext } from 'node:test'
import { connect, followStory, type StoryEntry } from '../../../client/src/index.ts'
import type { Harness } from './harness.ts'
import { processPair } from './harness.ts'

type Handler = ((ev: never) => unknown) | null
const call = (fn: Handler, ev: unknown) => (fn as ((ev: unknown) => unknown) | null)?.(ev)

/** The network between SDK clients and the hub: while down, a socket closes before it opens (1006). */
export class Line {
  up = true
  readonly open = new Set<{ close(code?: number): void }>()

  /** The network goes away: every open socket drops (1006), and new ones fail until `up` again. */
  down(): void {
    this.up = false
    for (const s of [...this.open]) s.close(1006)
  }
}

/**
 * A WebSocket class whose sockets join `h`'s hub as `audience` readers (with a token of `scope`), over
 * `line`; `buffered`: the bytes the socket pretends it could not send yet (a slow link, 0 by default).
 */
export function hubSocket(
  h: Harness,
  audience: Audience,
  line = new Line(),
  scope: AudienceScope = unrestricted,
  buffered: () => number = () => 0,
) {
  return class HubSocket {
    readyState = 0
    onopen: Handler = null
    onmessage: Handler = null
    onerror: Handler = null
    onclose: Handler = null
    /** The hub's connection, once open. */
    conn: Conn | null = null

    constructor(_url: string) {
      const transport: Transport = {
        kind: 'ws',
        buffered,
        frame: (_type, json) => Buffer.from(json),
        write: (frames) => {
          let bytes = 0
          for (const f of frames) {
            bytes += f.length
            const data = f.toString('utf8')
            queueMicrotask(() => {
              if (this.readyState === 1) call(this.onmessage, { data })
            })
          }
          return bytes
        },
        close: (code, reason) => {
          this.readyState = 3
          line.open.delete(this)
          queueMicrotask(() => call(this.onclose, { code, reason }))
        },
      }
      queueMicrotask(() => {
        if (!line.up) {
          this.readyState = 3
          call(this.onclose, { code: 1006, reason: '' })
          return
        }
        this.conn = h.hub.conns.add(audience, transport, scope, null)
        this.readyState = 1
        line.open.add(this)
        call(this.onopen, {})
      })
    }

    send(text: string): void {
      if (this.conn) h.hub.handle(this.conn, parseClientMessage(text))
      h.hub.schedule()
    }

    close(code = 1000, reason = ''): void {
      if (this.readyState === 3) return
      this.readyState = 3
      line.open.delete(this)
      if (this.conn) h.hub.conns.remove(this.conn)
      queueMicrotask(() => call(this.onclose, { code, reason }))
    }
  }
}

/**
 * A `fetch` for the SDK's pages (GET /v1/snapshot, GET /v1/stories/<id>/entries) answered by `h`'s
 * routes (http/snapshot.ts, http/entries.ts) as `audience` would be, problems as the routes send them.
 */
export function hubFetch(h: Harness, audience: Audience = 'public') {
  return async (url: string): Promise<Response> => {
    const u = new URL(url)
    try {
      const body =
        u.pathname === '/v1/snapshot'
          ? answerPage(u, { audience, expiresAt: null, reject: null }, h.routeDeps(50))
          : answerEntries(u, { audience }, h.entriesDeps)
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
    } catch (err) {
      if (!(err instanceof RequestError)) throw err
      return new Response(JSON.stringify({ code: err.code, detail: err.message }), { status: err.status })
    }
  }
}

/** An SDK client of `channels` on `h` (over `line`), its WebSocket a hub connection, closed when the test ends. */
export function clientOnHub(t: TestContext, h: Harness, audience: Audience, channels: string[], line = new Line()) {
  const client = connect('ws://hub.test', {
    channels,
    WebSocket: hubSocket(h, audience, line),
    transport: 'websocket',
    backoff: { minMs: 1, maxMs: 5 },
  })
  t.after(() => client.close())
  return client
}

/**
 * An SDK `followStory` of story:Live-1 on `h` (over `line`), closed when the test ends: what it
 * shows, each entry as `show` writes it, and how many `subscribed` it had.
 */
export function storyOnHub(t: TestContext, h: Harness, audience: Audience, show: (e: StoryEntry) => string, line = new Line()) {
  const client = clientOnHub(t, h, audience, ['story:Live-1'], line)
  const story = followStory(client, 'Live-1')
  let subscribed = 0
  client.on('subscribed', () => subscribed++)
  return { client, audience, shows: () => story.entries.map(show), subscribed: () => subscribed }
}

/** Settles every hub until `done` (the SDK's timers run between), or fails with `what`. */
export async function untilSettled(hs: Harness[], done: () => boolean, what: string, rounds = 300): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) {
    for (const h of hs) await h.settle()
    await new Promise((r) => setTimeout(r, 2))
  }
  assert.ok(done(), what)
}

/** Two fan-out processes on one log (harness.ts processPair), stopped when the test ends. */
export function pairOnHubs(t: TestContext, start: number): ReturnType<typeof processPair> {
  const both = processPair({ partitions: 1, start })
  t.after(() => {
    both.a.hub.stop()
    both.b.hub.stop()
  })
  return both
}
