// The fan-out's view of Kafka: latest state per article (news.articles read fully at start, then
// kept current from the event tail), the in-memory history of news.article-events, and the
// embargo schedule. Every instance reads every partition itself (createTail, no shared group).
import { createCodec, createTail, ensureTopics, loadSchemas, retrying } from '@newswire/shared'
import type { Article, ArticleEvent, KafkaConfig, Logger, PoisonRecord, Tail, TopicNames } from '@newswire/shared'
import type { Admin, Kafka } from 'kafkajs'
import { History } from './history.ts'
import type { Entry } from './history.ts'
import { compareReleaseKeys, releaseAfter } from './position.ts'
import type { ReleaseKey } from './position.ts'
import { nextPublicVersion, publicBefore } from './visibility.ts'

export interface ArticleState {
  event: ArticleEvent
  partition: number
  /** Offset in news.article-events; null when only known from news.articles (older than history). */
  offset: number | null
  publicVersion: Article | null | undefined
  /** eventJson of `event`, cached for snapshots. */
  text: string | null
}

export interface Release extends ReleaseKey {
  id: string
}

export interface StoreMetrics {
  lag(partition: number, lag: number): void
  /** An undecodable record in news.articles (counted, skipped; read again at every start, so not dead-lettered). */
  decodeErrors(err: unknown): void
}

export interface StoreOptions {
  kafka: Kafka
  kafkaConfig: KafkaConfig
  historySize: number
  instanceId: string
  log: Logger
  onAppend: () => void
  onFatal: (err: unknown) => void
  /** An undecodable record in news.article-events: counted, dead-lettered and skipped (poison.ts). Must not throw. */
  onPoison: (record: PoisonRecord, err: unknown) => void
  metrics: StoreMetrics
}

/** Retries what fails while freshly created topics are still being propagated (retriable Kafka errors). */
export class Store {
  readonly #o: StoreOptions
  readonly #codec = createCodec(loadSchemas())
  readonly #states = new Map<string, ArticleState>()
  /** Latest versions that carry an embargo, sorted by release key (past ones too, for resumes). */
  readonly #embargoes: Release[] = []
  #admin: Admin | null = null
  #tail: Tail | null = null
  #history: History | null = null
  #appended: number[] = []
  topics: TopicNames | null = null
  partitions = 0

  constructor(options: StoreOptions) {
    this.#o = options
  }

  get history(): History {
    if (!this.#history) throw new Error('store not started')
    return this.#history
  }

  get articleCount(): number {
    return this.#states.size
  }

  async start(): Promise<void> {
    const { kafka, log } = this.#o
    const admin = kafka.admin()
    this.#admin = admin
    await admin.connect()
    const topics = await retrying(() => ensureTopics(admin, this.#o.kafkaConfig))
    this.topics = topics
    const meta = await retrying(() => admin.fetchTopicMetadata({ topics: [topics.events] }))
    this.partitions = meta.topics[0]?.partitions.length ?? 0
    if (this.partitions === 0) throw new Error(`topic ${topics.events} has no partitions`)

    const t0 = performance.now()
    await this.#loadArticles(topics.articles)
    log.info({ articles: this.#states.size, seconds: (performance.now() - t0) / 1000 }, 'latest state loaded from news.articles')

    // History: the last historySize/partitions events of every partition
    const ends = await retrying(() => admin.fetchTopicOffsets(topics.events))
    const perPartition = Math.ceil(this.#o.historySize / this.partitions)
    const from = new Array<number>(this.partitions).fill(0)
    for (const e of ends) from[e.partition] = Math.max(Number(e.low), Number(e.high) - perPartition)
    this.#history = new History(this.#o.historySize, from)
    this.#appended = [...from]
    const tail = createTail({
      kafka,
      topic: topics.events,
      groupId: `${this.#o.kafkaConfig.topicPrefix}newswire-fanout-${this.#o.instanceId}`,
      log: log.child({ component: 'events-tail' }),
      from: new Map(from.map((o, p) => [p, String(o)])),
      onFatal: this.#o.onFatal,
      onBatch: ({ partition, messages, highWatermark }) => {
        let last = -1
        for (const m of messages) {
          const offset = Number(m.offset)
          last = offset
          if (offset < (this.#appended[partition] ?? 0) || m.value === null) continue
          let event: ArticleEvent
          try {
            event = this.#codec.decode(m.value)
          } catch (err) {
            this.#o.onPoison(
              { topic: topics.events, partition, offset: m.offset, key: m.key ?? null, value: m.value, headers: m.headers },
              err,
            )
            // skipped for good: a batch fetched again (rebalance) does not dead-letter it twice
            this.#appended[partition] = offset + 1
            continue
          }
          this.#apply(partition, offset, event)
          this.#appended[partition] = offset + 1
        }
        if (last >= 0) this.#o.metrics.lag(partition, Math.max(0, Number(highWatermark) - last - 1))
        this.#o.onAppend()
      },
    })
    this.#tail = tail
    await tail.start()
    await retrying(() => tail.catchUp(120_000))
    log.info({ partitions: this.partitions, history: this.history.size, from }, 'event history caught up')
  }

  async #loadArticles(topic: string): Promise<void> {
    const offsets = new Map<string, number>()
    const tail = createTail({
      kafka: this.#o.kafka,
      topic,
      groupId: `${this.#o.kafkaConfig.topicPrefix}newswire-fanout-state-${this.#o.instanceId}`,
      log: this.#o.log.child({ component: 'articles-tail' }),
      onFatal: this.#o.onFatal,
      onBatch: ({ partition, messages }) => {
        for (const m of messages) {
          if (m.value === null) continue
          try {
            const event = this.#codec.decode(m.value)
            const id = event.article.id
            const seen = offsets.get(id)
            if (seen !== undefined && seen > Number(m.offset)) continue
            offsets.set(id, Number(m.offset))
            this.#setState(id, { event, partition, offset: null, publicVersion: undefined, text: null })
          } catch (err) {
            this.#o.metrics.decodeErrors(err)
            this.#o.log.warn({ err, partition, offset: m.offset }, 'undecodable record in news.articles skipped')
          }
        }
      },
    })
    try {
      await tail.start()
      await retrying(() => tail.catchUp(120_000))
    } finally {
      await tail.close()
    }
  }

  #apply(partition: number, offset: number, event: ArticleEvent): void {
    const id = event.article.id
    const prev = this.#states.get(id)
    // A state only known from news.articles says nothing about the versions before it
    const known = prev && prev.offset !== null ? prev : undefined
    const prevPublic = known ? publicBefore(known.event.article, known.publicVersion, event) : undefined
    this.history.append(partition, offset, event, prevPublic)
    this.#setState(id, {
      event,
      partition,
      offset,
      publicVersion: nextPublicVersion(known?.event.article, known?.publicVersion, event),
      text: null,
    })
  }

  #setState(id: string, next: ArticleState): void {
    const prev = this.#states.get(id)
    if (prev) this.#unschedule(id, prev)
    this.#states.set(id, next)
    const a = next.event.article
    if (a.embargoedUntil !== null && a.pubStatus === 'usable' && next.event.type !== 'WITHDRAWN') {
      const r: Release = { at: a.embargoedUntil, partition: next.partition, offset: next.offset ?? -1, id }
      const i = this.#lowerBound(r)
      this.#embargoes.splice(i, 0, r)
    }
  }

  #unschedule(id: string, s: ArticleState): void {
    const at = s.event.article.embargoedUntil
    if (at === null) return
    for (let i = this.#lowerBound({ at, partition: s.partition, offset: -1 }); i < this.#embargoes.length; i++) {
      const r = this.#embargoes[i] as Release
      if (r.at !== at) break
      if (r.id === id) {
        this.#embargoes.splice(i, 1)
        return
      }
    }
  }

  #lowerBound(k: ReleaseKey): number {
    let lo = 0
    let hi = this.#embargoes.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareReleaseKeys(this.#embargoes[mid] as Release, k) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Offset a release is ordered and cursor-compared by; unknown offsets sit just below memory. */
  releaseOffset(r: Release): number {
    return r.offset >= 0 ? r.offset : this.history.memStart(r.partition) - 1
  }

  /** Embargo releases after watermark (t, r) and at or before `until`, in release order. */
  releases(t: number, r: readonly [number, number] | undefined, until: number): Release[] {
    const out: Release[] = []
    for (let i = this.#lowerBound({ at: t, partition: -1, offset: -2 }); i < this.#embargoes.length; i++) {
      const e = this.#embargoes[i] as Release
      if (e.at > until) break
      const k = { at: e.at, partition: e.partition, offset: this.releaseOffset(e) }
      if (releaseAfter(k, t, r)) out.push({ ...k, id: e.id })
    }
    return out.sort(compareReleaseKeys)
  }

  /** The next embargo time after `t`, for the release timer. */
  nextReleaseAfter(t: number): number | null {
    const i = this.#lowerBound({ at: t + 1, partition: -1, offset: -2 })
    return this.#embargoes[i]?.at ?? null
  }

  /** Usable articles still under embargo at `now` (metric). */
  heldCount(now: number): number {
    return this.#embargoes.length - this.#lowerBound({ at: now + 1, partition: -1, offset: -2 })
  }

  latest(id: string): ArticleState | undefined {
    return this.#states.get(id)
  }

  /** States whose event is not in memory (only known from news.articles, or evicted from history), for snapshots. */
  *olderStates(): Iterable<ArticleState> {
    const h = this.history
    for (const s of this.#states.values()) if (s.offset === null || s.offset < h.memStart(s.partition)) yield s
  }

  /** Per partition, how far the tail has read (every event below is in history). */
  readTo(): number[] {
    const out = [...this.#appended]
    for (const [p, o] of this.#tail?.positions() ?? []) if (Number(o) > (out[p] ?? 0)) out[p] = Number(o)
    return out
  }

  async lowWatermarks(): Promise<number[]> {
    if (!this.#admin || !this.topics) throw new Error('store not started')
    const offsets = await this.#admin.fetchTopicOffsets(this.topics.events)
    const out = new Array<number>(this.partitions).fill(0)
    for (const o of offsets) out[o.partition] = Number(o.low)
    return out
  }

  entryText(e: Entry, serialize: (ev: ArticleEvent) => string): string {
    e.text ??= serialize(e.event)
    return e.text
  }

  async close(): Promise<void> {
    const tail = this.#tail
    this.#tail = null
    if (tail) await tail.close()
    const admin = this.#admin
    this.#admin = null
    if (admin) await admin.disconnect()
  }
}
