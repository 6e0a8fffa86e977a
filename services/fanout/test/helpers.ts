// Test helpers for the fan-out: an in-process instance on a topic prefix, a WebSocket client that
// records every message, and an SSE reader. Ingest comes from the repo's test/helpers.ts.
import { once } from 'node:events'
import type { TestContext } from 'node:test'
import { WebSocket } from 'ws'
import { brokers, http, testLogger } from '../../../test/helpers.ts'
import { loadFanoutConfig, startFanout } from '../src/index.ts'
import type { FanoutInstance } from '../src/index.ts'

export function fanoutEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: '3',
    FANOUT_PORT: '0',
    // the path each start compiles with a few connections, not production's thousand (a second a start)
    FANOUT_WARM_UP_CONNECTIONS: '16',
    ...extra,
  }
}

export async function startTestFanout(t: TestContext, prefix: string, extra: Record<string, string> = {}): Promise<FanoutInstance> {
  const instance = await startFanout(loadFanoutConfig(fanoutEnv(prefix, extra)), testLogger('fanout'), (err) => {
    throw err
  })
  t.after(() => instance.close())
  return instance
}

export type Msg = Record<string, unknown> & { type: string }

export interface TestClient {
  ws: WebSocket
  messages: Msg[]
  /** Resolves with the first message (from `from` on) that satisfies `pred`. */
  next(pred: (m: Msg) => boolean, timeoutMs?: number, from?: number): Promise<Msg>
  /** Resolves when `pred(messages)` holds. */
  until(pred: (all: Msg[]) => boolean, timeoutMs?: number): Promise<Msg[]>
  send(m: unknown): void
  closed: Promise<{ code: number; reason: string }>
}

export async function connect(
  t: TestContext,
  url: string,
  options: { token?: string; headers?: Record<string, string>; maxPayload?: number } = {},
): Promise<TestClient> {
  const u = options.token ? `${url}?token=${encodeURIComponent(options.token)}` : url
  const ws = new WebSocket(u, { headers: options.headers, maxPayload: options.maxPayload ?? 100 * 1024 * 1024 })
  const messages: Msg[] = []
  const listeners = new Set<() => void>()
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as Msg)
    for (const l of [...listeners]) l()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() })
      for (const l of [...listeners]) l()
    })
  })
  ws.on('error', () => undefined)
  t.after(() => ws.terminate())
  await Promise.race([once(ws, 'open'), closed])
  const until = (pred: (all: Msg[]) => boolean, timeoutMs = 15_000) =>
    new Promise<Msg[]>((resolve, reject) => {
      const check = () => {
        if (pred(messages)) {
          listeners.delete(check)
          clearTimeout(timer)
          resolve(messages)
        }
      }
      const timer = setTimeout(() => {
        listeners.delete(check)
        reject(new Error(`timed out; got ${messages.length} messages: ${messages.map((m) => m.type).join(',')}`))
      }, timeoutMs)
      listeners.add(check)
      check()
    })
  return {
    ws,
    messages,
    closed,
    until,
    send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
    async next(pred, timeoutMs = 15_000, from = 0) {
      let found: Msg | undefined
      await until((all) => {
        found = all.slice(from).find(pred)
        return found !== undefined
      }, timeoutMs)
      return found as Msg
    },
  }
}

/**
 * Waits until everything Kafka held has been delivered and has reached this client: the fan-out
 * settled, then a ping answered after it (a quiet period without a sleep).
 */
export async function drain(fanout: FanoutInstance, c: TestClient, ingestUrl?: string): Promise<void> {
  await fanout.settled(ingestUrl === undefined ? [] : publishedTo(ingestUrl))
  const id = `drain-${Math.random().toString(36).slice(2)}`
  c.send({ type: 'ping', id })
  await c.next((m) => m.type === 'pong' && m.id === id)
}

export const article = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  language: 'en',
  headline: `Headline of ${id}`,
  body: ['First paragraph.'],
  category: 'national',
  urgency: 3,
  ...extra,
})

/** Event ids written through each ingest by these helpers, so a test can wait for the fan-out to have them. */
const published = new Map<string, string[]>()
const note = (ingestUrl: string, ids: (string | undefined)[]) => {
  const list = published.get(ingestUrl) ?? []
  for (const id of ids) if (id) list.push(id)
  published.set(ingestUrl, list)
}

/** Every event id published through `ingestUrl` by these helpers (for `fanout.settled`). */
export const publishedTo = (ingestUrl: string): readonly string[] => published.get(ingestUrl) ?? []

export async function publish(ingestUrl: string, a: Record<string, unknown>): Promise<{ eventId: string; type: string }> {
  const res = await http(`${ingestUrl}/v1/articles`, { method: 'POST', json: a })
  if (res.status !== 200 && res.status !== 201) throw new Error(`publish failed: ${res.status} ${res.text}`)
  const body = res.body as { eventId: string; type: string }
  note(ingestUrl, [body.eventId])
  return body
}

/** Publishes many articles in one NDJSON batch; returns the event ids in line order. */
export async function publishBatch(ingestUrl: string, articles: Record<string, unknown>[]): Promise<string[]> {
  const res = await http(`${ingestUrl}/v1/articles/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: `${articles.map((a) => JSON.stringify(a)).join('\n')}\n`,
  })
  if (res.status !== 200) throw new Error(`batch failed: ${res.status} ${res.text}`)
  const body = res.body as { summary: { failed: number }; results: { eventId?: string }[] }
  if (body.summary.failed > 0) throw new Error(`batch had failures: ${res.text.slice(0, 500)}`)
  note(
    ingestUrl,
    body.results.map((r) => r.eventId),
  )
  return body.results.map((r) => r.eventId as string)
}

export async function withdraw(ingestUrl: string, id: string, reason: string): Promise<void> {
  const res = await http(`${ingestUrl}/v1/articles/${id}/withdraw`, { method: 'POST', json: { reason } })
  if (res.status !== 200) throw new Error(`withdraw failed: ${res.status} ${res.text}`)
  note(ingestUrl, [(res.body as { eventId?: string }).eventId])
}

export const eventsOf = (all: Msg[]) =>
  all.filter((m) => m.type === 'event') as (Msg & { position: string; event: { eventId: string; article: { id: string } } })[]

export interface SseEvent {
  id: string | null
  event: string
  /** When the frame was read (epoch ms). */
  at: number
  data: Record<string, unknown> & { event?: { eventId: string; article: { id: string } } }
}

export interface SseReader {
  status: number
  events: SseEvent[]
  raw: () => string
  until(pred: (all: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>
  close(): void
}

/** Reads /v1/sse with fetch, parsing each frame; aborted when the test ends. */
export async function openSse(t: TestContext, url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const ac = new AbortController()
  t.after(() => ac.abort())
  const res = await fetch(url, { headers, signal: ac.signal })
  const events: SseEvent[] = []
  let text = ''
  let buffer = ''
  const wake = new Set<() => void>()
  if (res.body && res.status === 200) {
    void (async () => {
      const decoder = new TextDecoder()
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const s = decoder.decode(chunk, { stream: true })
          text += s
          buffer += s
          let i = buffer.indexOf('\n\n')
          while (i >= 0) {
            const block = buffer.slice(0, i)
            buffer = buffer.slice(i + 2)
            i = buffer.indexOf('\n\n')
            const lines = block.split('\n')
            const data = lines.find((l) => l.startsWith('data: '))
            if (!data) continue
            events.push({
              at: Date.now(),
              id: lines.find((l) => l.startsWith('id: '))?.slice(4) ?? null,
              event: lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message',
              data: JSON.parse(data.slice(6)),
            })
          }
          for (const w of [...wake]) w()
        }
      } catch {
        // aborted
      }
    })()
  }
  return {
    status: res.status,
    events,
    raw: () => text,
    close: () => ac.abort(),
    until: (pred, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pred(events)) return
          wake.delete(check)
          clearTimeout(timer)
          resolve(events)
        }
        const timer = setTimeout(() => {
          wake.delete(check)
          reject(new Error(`timed out with ${events.length} SSE events: ${events.map((e) => e.event).join(',')}`))
        }, timeoutMs)
        wake.add(check)
        check()
      }),
  }
}

/** A metric's value from the fan-out's /metrics (its first series when labelled; 0 when absent). */
export async function scrapeMetric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
  return line ? Number(line.split(' ').at(-1)) : 0
}
