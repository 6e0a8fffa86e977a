// Event source process: publishes article events that carry their own send time, so every
// client can measure latency without a shared channel to the publisher. The article id is
// `nwb-<tag>-<seq>-<µs since epoch at send>`; clients find it in the event JSON.
//   kafka: a raw kafkajs producer (acks=all, Java-compatible partitioner) writes Avro events
//          straight to news.article-events: the fan-out and the baseline servers consume them.
//   http:  POST /v1/articles to ingest (end-to-end), the same article bodies.
// Open loop: events start on a fixed schedule (rate/s); rate 0 sends the whole phase at once.
// Live-story mode (kafka, `story`): the events are entries of one live story instead, every other
// one an edit of the entry before it; each version's headline carries the marker (`nwb-…`).
// With `centrifugo` (kafka), each event is also sent, in the same produce request, as a Centrifugo
// `publish` API command (data: the event JSON the fan-out sends) to a topic Centrifugo consumes.
import http from 'node:http'
import { randomUUID } from 'node:crypto'
import { createKafka, createLogger, createPartitioner } from '@newswire/shared'
import { benchKafkaConfig } from '../lib/kafka.ts'
import type { Article, ArticleEvent, EntryEvent, StoryEntry } from '@newswire/shared'
import type { Message, Producer } from 'kafkajs'
import { eventJson } from '../../../services/fanout/src/messages.ts'
import { publishCommand } from '../lib/centrifugo-protocol.ts'
import { articleVariants, codec, eventFor } from '../lib/fixture.ts'
import { Histogram } from '../lib/stats.ts'
import type { HistogramJson } from '../lib/stats.ts'
import { serve } from '../lib/worker.ts'
import { nowUs } from '../lib/wsclock.ts'

export interface SourceInit {
  mode: 'kafka' | 'http'
  brokers: string[]
  topic: string
  /** http mode */
  url?: string
  apiKey?: string
  /** Article urgency (default 1: breaking, so priority lane in the fan-out) */
  urgency?: number
  /** Which of the fixture's article variants to send, by index (default all, in turn) */
  variants?: number[]
  /** Live-story mode: publish this live story, then entries of it and edits of them (kafka mode) */
  story?: string
  /** Also publish each event as a Centrifugo API command to this topic, for this channel (kafka mode, not with `story`) */
  centrifugo?: { topic: string; channel: string }
}

export interface SourcePhase {
  tag: string
  count: number
}

export interface SourceRun {
  phases: SourcePhase[]
  /** events/s; 0 = each phase in one go */
  rate: number
  /** first seq of each phase (resume-storm numbers its burst from 0) */
  seqBase?: number
}

export interface PhaseResult {
  tag: string
  sent: number
  errors: number
  firstUs: number
  lastUs: number
}

export interface SourceResult {
  phases: PhaseResult[]
  /** Kafka: send() until acks=all; http: until the 201 */
  ack: HistogramJson
  errorKinds: Record<string, number>
  cpu: { user: number; system: number }
}

let init: SourceInit | null = null
let producer: Producer | null = null
let agent: http.Agent | null = null
// articles urgent enough for the `breaking` channel by default; validated at init
let variants: Record<string, unknown>[] = []
let templates: ArticleEvent[] = []

const idOf = (tag: string, seq: number, t: number) => `nwb-${tag}-${seq}-${t}`

/** The live story of live-story mode, its entries so far and the last one posted. */
let story: Article | null = null
let entries = 0
let lastEntry: StoryEntry | null = null

const headers = (type: string, traceId: string, extra: Record<string, string> = {}) => ({
  'event-type': type,
  'schema-fingerprint': codec.schemas.current.fingerprintHex,
  'trace-id': traceId,
  'content-type': 'application/vnd.apache.avro+binary',
  writer: 'bench-source',
  ...extra,
})

/** An entry of the live story (even seq) or an edit of the last one (odd seq), its headline the marker. */
function entryMessage(s: Article, tag: string, seq: number): Message {
  const t = nowUs()
  const at = Math.floor(t / 1000)
  const base = templates[seq % templates.length] as ArticleEvent
  const edit = lastEntry !== null && seq % 2 === 1
  const entry: StoryEntry =
    edit && lastEntry
      ? { ...lastEntry, version: lastEntry.version + 1, headline: idOf(tag, seq, t), updatedAt: at }
      : {
          id: `entry-${++entries}`,
          seq: entries,
          version: 1,
          headline: idOf(tag, seq, t),
          body: base.article.body,
          authors: ['চট্টগ্রাম প্রতিনিধি'],
          pinned: false,
          keyEvent: seq % 10 === 0,
          publishedAt: at,
          updatedAt: at,
          pubStatus: 'usable',
          embargoedUntil: null,
          corrections: [],
        }
  lastEntry = entry
  const event: EntryEvent = {
    ...base,
    eventId: randomUUID(),
    type: edit ? 'ENTRY_UPDATED' : 'ENTRY_CREATED',
    ingestedAt: at,
    changedFields: edit ? ['headline'] : [],
    correction: null,
    article: s,
    entry,
  }
  return { key: s.id, value: codec.encode(event), headers: headers(event.type, event.traceId, { 'entry-id': entry.id }) }
}

/** An event's records: the Avro event, and with `centrifugo` its publish command (null without). */
interface Records {
  event: Message
  command: Message | null
}

function kafkaRecords(tag: string, seq: number): Records {
  if (story) return { event: entryMessage(story, tag, seq), command: null }
  const t = nowUs()
  const base = templates[seq % templates.length] as ArticleEvent
  const id = idOf(tag, seq, t)
  const event: ArticleEvent = { ...base, eventId: randomUUID(), ingestedAt: Math.floor(t / 1000), article: { ...base.article, id } }
  const cf = init?.centrifugo
  const record: Message = {
    key: id,
    value: codec.encode(event),
    headers: {
      'event-type': 'CREATED',
      'schema-fingerprint': codec.schemas.current.fingerprintHex,
      'trace-id': event.traceId,
      'content-type': 'application/vnd.apache.avro+binary',
      writer: 'bench-source',
    },
  }
  return { event: record, command: cf ? { key: id, value: publishCommand(cf.channel, eventJson(event)) } : null }
}

/** One produce request (acks=all) for the events, and their commands when there are any. */
function produce(records: Records[]): Promise<unknown> {
  const p = producer as Producer
  const topic = init?.topic ?? ''
  const events = records.map((r) => r.event)
  const commands = records.flatMap((r) => (r.command ? [r.command] : []))
  const cf = init?.centrifugo
  if (!cf || commands.length === 0) return p.send({ topic, acks: -1, messages: events })
  return p.sendBatch({
    acks: -1,
    topicMessages: [
      { topic, messages: events },
      { topic: cf.topic, messages: commands },
    ],
  })
}

function post(body: string): Promise<number> {
  const u = new URL(init?.url ?? '')
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: '/v1/articles',
        method: 'POST',
        agent: agent ?? undefined,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${init?.apiKey}` },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(body)
  })
}

async function run(spec: SourceRun): Promise<SourceResult> {
  if (!init) throw new Error('init first')
  const cpu0 = process.cpuUsage()
  const ack = new Histogram()
  const errorKinds: Record<string, number> = {}
  const inflight = new Set<Promise<void>>()
  const results: PhaseResult[] = []
  const t0 = performance.now()
  let k = 0
  const fail = (err: unknown, r: PhaseResult) => {
    r.errors++
    const kind = err instanceof Error ? err.message.slice(0, 80) : String(err)
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1
  }
  const sendOne = (tag: string, seq: number, r: PhaseResult) => {
    const started = nowUs()
    let p: Promise<void>
    if (init?.mode === 'kafka') {
      p = produce([kafkaRecords(tag, seq)]).then(() => ack.record(nowUs() - started))
    } else {
      const t = nowUs()
      const base = variants[seq % variants.length] ?? {}
      const body = JSON.stringify({ id: idOf(tag, seq, t), ...base })
      p = post(body).then((status) => {
        if (status !== 201 && status !== 200) throw new Error(`HTTP ${status}`)
        ack.record(nowUs() - started)
      })
    }
    if (r.firstUs === 0) r.firstUs = started
    r.lastUs = started
    r.sent++
    const q = p.catch((err: unknown) => fail(err, r))
    inflight.add(q)
    void q.finally(() => inflight.delete(q))
  }
  for (const ph of spec.phases) {
    const r: PhaseResult = { tag: ph.tag, sent: 0, errors: 0, firstUs: 0, lastUs: 0 }
    results.push(r)
    const base = spec.seqBase ?? 0
    if (spec.rate <= 0) {
      if (init.mode === 'kafka') {
        // one burst: every record built now, sent in one request per partition
        const started = nowUs()
        const messages = Array.from({ length: ph.count }, (_, i) => kafkaRecords(ph.tag, base + i))
        r.firstUs = started
        r.lastUs = nowUs()
        r.sent = ph.count
        await produce(messages).then(
          () => ack.record(nowUs() - started),
          (err: unknown) => fail(err, r),
        )
      } else {
        for (let i = 0; i < ph.count; i++) sendOne(ph.tag, base + i, r)
        await Promise.all(inflight)
      }
      continue
    }
    const interval = 1000 / spec.rate
    for (let i = 0; i < ph.count; i++) {
      const due = t0 + k * interval
      k++
      const wait = due - performance.now()
      if (wait > 1) await new Promise((res) => setTimeout(res, wait))
      sendOne(ph.tag, base + i, r)
    }
  }
  await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, 30_000).unref())])
  const d = process.cpuUsage(cpu0)
  return { phases: results, ack: ack.toJSON(), errorKinds, cpu: { user: d.user, system: d.system } }
}

serve({
  async init(spec: SourceInit) {
    if (spec.centrifugo && (spec.mode !== 'kafka' || spec.story)) throw new Error('centrifugo commands: kafka mode, article events only')
    init = spec
    const all = articleVariants()
    const picked = spec.variants ? spec.variants.map((i) => all[i]) : all
    if (picked.length === 0 || picked.some((a) => a === undefined)) throw new Error(`variants: indexes 0-${all.length - 1}`)
    variants = picked.map((a) => ({ ...a, urgency: spec.urgency ?? 1 }))
    templates = variants.map((a, i) => eventFor(`nwb-template-${i}`, a))
    if (spec.mode === 'kafka') {
      const kafka = createKafka(benchKafkaConfig(spec.brokers, 'bench-source'), createLogger('bench-source', 'error'))
      producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner })
      await producer.connect()
      if (spec.story) {
        // the live story itself, before any of its entries
        const e = eventFor(spec.story, { ...variants[0], urgency: 5, live: true })
        story = e.article
        const created = { key: e.article.id, value: codec.encode(e), headers: headers(e.type, e.traceId) }
        await producer.send({ topic: spec.topic, acks: -1, messages: [created] })
      }
    } else agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
    return null
  },
  run: (spec: SourceRun) => run(spec),
  async close() {
    await producer?.disconnect()
    agent?.destroy()
    return null
  },
})
