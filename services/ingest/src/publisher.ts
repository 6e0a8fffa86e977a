// The only ingest module that writes to Kafka (through the shared transactional writer).
//
// Writers are transactional producers, one per partition of news.article-events or one for all
// (writers.ts). Whoever acquires a writer fences every earlier holder of any id that can write its
// partitions (Kafka's zombie fencing), then catches up with their committed state before deciding
// versions. So two ingest instances can never both commit an event for the same (id, version):
// the one that was fenced fails its commit, re-acquires, re-reads, and decides again.
//
// Requests for a writer's partitions queue up and are committed together (group commit): one
// transaction carries every event that is due, to news.article-events and news.articles.
// Their answers wait until the commit is readable (read-back.ts); the writer's next
// transaction does not: it is planned (batch-plan.ts) on the state plus the committed events
// still unseen.
import { randomUUID } from 'node:crypto'
import type { Committed, NewswireEvent, TransactionalWriter, TxRecord, TxWrite } from '@newswire/shared'
import { isFenced, KafkaTransactionError, NewswireError, openTransactionalWriter, partitionOf, settlesWithin } from '@newswire/shared'
import { planBatch } from './batch-plan.ts'
import type { Job, Planned } from './batch-plan.ts'
import { LINGER_FULL, lingerFor } from './linger.ts'
import { KILL_ROOM_BYTES, MAX_TRANSACTION_BYTES } from './records.ts'
import type { RecordSource } from './records.ts'
import { releaseClockMustSee } from './stable-offsets.ts'
import type { PublisherOptions } from './publisher-options.ts'
import { fenceAll, writerPlans } from './writers.ts'
import type { WriterPlan } from './writers.ts'

export { partitionOf }

export type { PublisherMetrics, PublisherOptions } from './publisher-options.ts'

interface Pending<R> {
  job: Job<R>
  partition: number
  resolve: (r: R) => void
  reject: (err: unknown) => void
  settled: boolean
  /** performance.now() when it was queued (linger). */
  queuedAt: number
  /** The event of a commit that failed after it was sent: it may have landed. */
  attempt: { eventId: string; result: R } | null
}

/** How long a batch that writes nothing waits to confirm its state is current before re-acquiring. */
const CONFIRM_MS = 1000

/** How long an acknowledgement waits for its commit to be read back; after that it is given anyway (it is durable). */
const READ_BACK_MS = 2000

/** How long the next transaction waits for the previous commit to be read back before it starts anyway. */
const PREVIOUS_COMMIT_MS = 20

class Writer {
  readonly #o: PublisherOptions
  readonly #w: WriterPlan
  #writer: TransactionalWriter | null = null
  #queue: Pending<unknown>[] = []
  #running = false
  #closed = false
  /** Events committed by this writer whose answers still wait for read-back: the next plans build on them. */
  readonly #unseen = new Set<NewswireEvent>()
  /** Commits whose answers wait for read-back. */
  #acking = 0
  /** Settles when the last commit was read back (or its wait gave up). */
  #lastVisible: Promise<void> | null = null
  /** Every commit whose answers still wait for it to be visible (#visible). */
  readonly #visibles = new Set<Promise<void>>()
  /** performance.now() when a request last arrived while a transaction was under way. */
  #overlappedAt = Number.NEGATIVE_INFINITY
  /** Ends the linger early (enough requests have joined). */
  #lingerEnd: (() => void) | null = null

  readonly #source: RecordSource
  /** Told the ids the cluster would not let us fence (logged once per publisher). */
  readonly #denied: (ids: string[]) => void

  constructor(options: PublisherOptions, plan: WriterPlan, denied: (ids: string[]) => void) {
    this.#o = options
    this.#w = plan
    this.#denied = denied
    this.#source = { fingerprintHex: options.encoder.fingerprintHex, instanceId: options.instanceId }
  }

  submit<R>(job: Job<R>, partition: number, timeoutMs: number): Promise<R> {
    if (this.#closed) return Promise.reject(unavailable('ingest is shutting down'))
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Still queued: it will never be written. Already in a transaction: the commit may
        // still land, and then job.committed records the answer for a retry.
        const i = this.#queue.indexOf(pending)
        const queued = i >= 0
        if (queued) this.#queue.splice(i, 1)
        const outcome = queued ? 'nothing was written' : 'the write may still be committed'
        settle(pending, () => reject(unavailable(`Kafka did not acknowledge within ${timeoutMs} ms (${outcome})`)))
      }, timeoutMs)
      const pending: Pending<unknown> = {
        job: job as Job<unknown>,
        partition,
        resolve: (r) => {
          clearTimeout(timer)
          resolve(r as R)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
        settled: false,
        queuedAt: performance.now(),
        attempt: null,
      }
      this.#queue.push(pending)
      if (!this.#running) void this.#drain()
      else {
        this.#overlappedAt = pending.queuedAt
        if (this.#queue.length >= LINGER_FULL) this.#lingerEnd?.()
      }
    })
  }

  get idle(): boolean {
    return !this.#running && this.#queue.length === 0 && this.#acking === 0
  }

  async #acquire(): Promise<TransactionalWriter> {
    if (this.#writer) return this.#writer
    const opened = await openTransactionalWriter(this.#o.kafka, this.#w.id)
    const writer = this.#o.wrapWriter ? this.#o.wrapWriter(opened) : opened
    try {
      // Our own id first, the others after: of two writers acquiring at once, at most one stays valid
      const denied = await fenceAll((id) => openTransactionalWriter(this.#o.kafka, id), this.#w.fences)
      if (denied.length > 0) this.#denied(denied)
      // After fencing, every earlier transaction on these partitions is committed or aborted for
      // good: reading up to the end tells what landed, including our own failed commits.
      await this.#o.catchUp(this.#w.partitions, 30_000)
    } catch (err) {
      await writer.close()
      throw err
    }
    this.#writer = writer
    this.#o.log.debug({ writer: this.#w.id }, 'writer acquired')
    return writer
  }

  async #release(): Promise<void> {
    const w = this.#writer
    this.#writer = null
    if (w) await w.close()
  }

  async #drain(): Promise<void> {
    this.#running = true
    try {
      while (this.#queue.length > 0) {
        await this.#previousCommitRead()
        await this.#linger()
        const batch = this.#queue.splice(0, this.#o.maxBatch ?? 500).filter((x) => !x.settled)
        if (batch.length > 0) await this.#commit(batch)
      }
    } finally {
      this.#running = false
    }
  }

  /**
   * Until the coordinator has completed a commit (written its markers), it refuses the next
   * transaction's first write (CONCURRENT_TRANSACTIONS), and kafkajs answers that with a metadata
   * refresh, a back-off of 5 ms or more and the request again: at 500 requests/s, a quarter of all
   * transactions. The tail reading the last commit back says the markers are written, so the next
   * transaction waits for that (briefly): meanwhile more requests join it. A lone request, with no
   * commit in flight, does not wait.
   */
  async #previousCommitRead(): Promise<void> {
    if (this.#lastVisible !== null) await settlesWithin(this.#lastVisible, PREVIOUS_COMMIT_MS)
  }

  /** Lets more requests join the next transaction while requests overlap (linger.ts); ends once LINGER_FULL are queued. */
  async #linger(): Promise<void> {
    const t0 = performance.now()
    const wait = lingerFor({
      lingerMs: this.#o.lingerMs ?? 0,
      queued: this.#queue.length,
      firstQueuedAt: this.#queue[0]?.queuedAt ?? 0,
      overlappedAt: this.#overlappedAt,
      now: t0,
    })
    if (wait === 0) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(end, wait)
      function end() {
        clearTimeout(timer)
        resolve()
      }
      this.#lingerEnd = end
    })
    this.#lingerEnd = null
    this.#o.metrics.lingered((performance.now() - t0) / 1000)
  }

  /**
   * Answers that write nothing (unchanged, not found, conflicts, refusals) rest on this instance's
   * state, which another instance may have moved on since our last commit without us knowing.
   * True when the state has read the batch's partitions to their ends and nothing changed meanwhile.
   */
  async #confirmed(batch: readonly Pending<unknown>[], changesBefore: number): Promise<boolean> {
    const partitions = [...new Set(batch.map((p) => p.partition))]
    const caughtUp = await this.#o.catchUp(partitions, CONFIRM_MS).then(
      () => true,
      () => false,
    )
    // An open transaction of a crashed holder can hold the end back: take the partition, which aborts it
    if (!caughtUp) await this.#release()
    return caughtUp && this.#o.state.changes === changesBefore
  }

  async #commit(pendings: Pending<unknown>[]): Promise<void> {
    let batch = pendings
    for (let attempt = 1; ; attempt++) {
      try {
        const writer = await this.#acquire()
        const changes = this.#o.state.changes
        const { planned, deferred, landed } = planBatch(batch, {
          state: this.#o.state,
          encoder: this.#o.encoder,
          source: this.#source,
          budget: this.#o.maxTransactionBytes ?? MAX_TRANSACTION_BYTES,
          killRoom: KILL_ROOM_BYTES,
          unseen: this.#unseen,
        })
        for (const { pending, result } of landed) {
          pending.job.committed?.(result)
          settle(pending, () => pending.resolve(result))
        }
        if (deferred.length > 0) {
          batch = batch.filter((p) => !deferred.includes(p))
          this.#queue.unshift(...deferred)
        }
        const writes = new Map<number, { records: TxRecord[]; states: TxRecord[] }>()
        const events: NewswireEvent[] = []
        /** Partitions whose events a fan-out's release clock must see before they are answered. */
        const mustSee = new Set<number>()
        let tombstones = 0
        for (const p of planned) {
          if (p.plan === null || (p.records === null && p.tombstones.length === 0)) continue
          const w = writes.get(p.pending.partition) ?? { records: [], states: [] }
          writes.set(p.pending.partition, w)
          if (p.plan.event != null && p.records !== null) {
            w.records.push(p.records.event)
            w.states.push(p.records.state)
            events.push(p.plan.event)
            if (releaseClockMustSee(p.plan.event, p.replacedEmbargo === true)) mustSee.add(p.pending.partition)
            p.pending.attempt = { eventId: p.plan.event.eventId, result: p.plan.result }
          }
          // an erasure: after the article's state, in the same transaction on the same partition
          w.states.push(...p.tombstones)
          tombstones += p.tombstones.length
        }
        if (events.length > 0 || tombstones > 0) {
          // A commit that succeeds proves no other instance took the partitions since our
          // acquire: every plan of the batch, with or without an event, stands
          const t0 = performance.now()
          const { topics } = this.#o
          const readBack = this.#o.readBack?.(events)
          let committed: readonly Committed[] = []
          try {
            const tx: TxWrite[] = []
            for (const [partition, w] of writes) {
              if (w.records.length > 0) tx.push({ topic: topics.events, partition, records: w.records })
              tx.push({ topic: topics.articles, partition, records: w.states })
            }
            committed = await writer.commit(tx)
          } catch (err) {
            readBack?.cancel()
            throw err
          }
          // committed: a retry planned before the read-back gets these answers (submit.ts)
          for (const { pending, plan } of planned) if (plan?.event || plan?.erase) pending.job.written?.(plan.result)
          this.#o.metrics.produceSeconds((performance.now() - t0) / 1000)
          this.#o.metrics.batchSize(events.length)
          if (tombstones > 0) {
            this.#o.metrics.tombstones?.(tombstones)
            const keys = planned.flatMap((p) => p.tombstones.map((t) => t.key))
            this.#o.log.info({ writer: this.#w.id, keys }, 'erased: tombstones committed to news.articles')
          }
          if (readBack) {
            // Answered once readable, without holding up the writer: the next transaction
            // is planned meanwhile, on the state plus these events
            for (const event of events) this.#unseen.add(event)
            this.#acking++
            // answers that write nothing may rest on an earlier commit of ours (#quietAnswers)
            const earlier = planned.some(quiet) ? this.#allVisible() : null
            const own = this.#visible(
              readBack,
              committed.filter((c) => c.topic === topics.events && mustSee.has(c.partition)),
            )
            const visible = Promise.all([earlier, own]).then(() => {
              for (const event of events) this.#unseen.delete(event)
              this.#acking--
              this.#visibles.delete(visible)
              this.#answer(planned, events)
              if (this.#lastVisible === visible) this.#lastVisible = null
            })
            this.#visibles.add(visible)
            this.#lastVisible = visible
          } else this.#answer(planned, events)
        } else if (planned.length > 0 && !(await this.#confirmed(batch, changes))) {
          batch = batch.filter((p) => !p.settled)
          continue
        } else this.#quietAnswers(planned)
        return
      } catch (err) {
        await this.#release()
        if (isFenced(err)) this.#o.metrics.fenced()
        // Only a commit that was sent can have landed; the next acquire's catch-up tells
        if (!(err instanceof KafkaTransactionError && err.mayHaveCommitted)) for (const p of batch) p.attempt = null
        // Fenced by (or racing) another instance: re-acquire, which re-reads its writes (and
        // ours, if a failed commit landed after all), and decide again. Two instances can fence
        // each other several times in a row, so this goes on, with jittered back-off, for as
        // long as a request in the batch still waits.
        batch = batch.filter((p) => !p.settled)
        const contended = err instanceof KafkaTransactionError && err.contended
        if (contended && batch.length > 0 && !this.#closed) {
          this.#o.log.info({ writer: this.#w.id, attempt, err: err.details }, 'writer fenced, re-acquiring')
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * 2 ** attempt)))
          continue
        }
        this.#o.log.warn({ writer: this.#w.id, err }, 'publish failed')
        const landed = err instanceof KafkaTransactionError && err.mayHaveCommitted ? ' (the commit may still have landed)' : ''
        const e = unavailable(`Kafka did not accept the write${landed}: ${err instanceof Error ? err.message : String(err)}`, err)
        for (const pending of batch) settle(pending, () => pending.reject(e))
        return
      }
    }
  }

  /** Settles once every commit of this writer still waiting to be answered is visible (each wait is bounded). */
  #allVisible(): Promise<unknown> {
    return Promise.all([...this.#visibles])
  }

  /**
   * Answers a batch that wrote nothing. An `unchanged` may rest on a commit of
   * ours not yet visible: a kill retried without an Idempotency-Key while the kill's commit waited
   * for news.article-events to be stable was answered 200 unchanged at once, a 2xx for a kill a
   * fan-out could not see yet (red18b attack run, 2026-12-06). They wait for it as its own answer does.
   */
  #quietAnswers(planned: Planned<Pending<unknown>>[]): void {
    const later = this.#visibles.size === 0 ? [] : planned.filter(quiet)
    // refusals claim nothing: answered at once
    this.#answer(
      planned.filter((p) => !later.includes(p)),
      [],
    )
    if (later.length === 0) return
    this.#acking++
    void this.#allVisible().then(() => {
      this.#acking--
      this.#answer(later, [])
    })
  }

  /** Takes a batch's committed events into the state, and answers every request of the batch. */
  #answer(planned: Planned<Pending<unknown>>[], events: NewswireEvent[]): void {
    for (const event of events) this.#o.state.apply(event)
    const byType = new Map<string, number>()
    for (const event of events) byType.set(event.type, (byType.get(event.type) ?? 0) + 1)
    for (const [type, n] of byType) this.#o.metrics.events(type, n)
    for (const { pending, plan, error } of planned) {
      if (plan === null) {
        settle(pending, () => pending.reject(error))
        continue
      }
      if (plan.event || plan.erase) pending.job.committed?.(plan.result)
      settle(pending, () => pending.resolve(plan.result))
    }
  }

  /**
   * Waits (bounded) until the tail has read the commit back and the events are stable in
   * news.article-events (stable-offsets.ts); a commit not visible in time is acknowledged anyway.
   */
  async #visible(readBack: { done: Promise<void>; cancel: () => void }, events: readonly Committed[]): Promise<void> {
    const t0 = performance.now()
    if (!(await settlesWithin(readBack.done, READ_BACK_MS))) {
      readBack.cancel()
      this.#o.metrics.unseen?.('read_back')
      this.#o.log.warn({ writer: this.#w.id }, `committed events not read back within ${READ_BACK_MS} ms; acknowledged anyway`)
      return
    }
    const stable = this.#o.eventsStable
    if (!stable || events.length === 0) return
    if (!(await stable(events, Math.max(0, READ_BACK_MS - (performance.now() - t0))))) {
      this.#o.metrics.unseen?.('events_stable')
      this.#o.log.warn(
        { writer: this.#w.id, ends: events.map((e) => `${e.partition}:${e.next}`) },
        `committed events not stable in the events topic within ${READ_BACK_MS} ms; acknowledged anyway`,
      )
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    const pending = this.#queue.splice(0)
    for (const p of pending) settle(p, () => p.reject(unavailable('ingest is shutting down')))
    while (this.#running || this.#acking > 0) await new Promise((r) => setTimeout(r, 10))
    await this.#release()
  }
}

/** A plan answered without writing (unchanged); a refusal (404, 409, 422: a null plan) claims nothing written. */
const quiet = (p: Planned<Pending<unknown>>): boolean => p.plan !== null && !p.plan.event && !p.plan.erase

function settle(p: Pending<unknown>, f: () => void): void {
  if (p.settled) return
  p.settled = true
  f()
}

export function unavailable(message: string, cause?: unknown): NewswireError {
  return new NewswireError('NEWSWIRE_ERR_KAFKA_UNAVAILABLE', message, { retriable: true, cause })
}

export interface Publisher {
  partitionOf(articleId: string): number
  submit<R>(job: Job<R>, timeoutMs: number): Promise<R>
  /** Resolves when every queued write has been committed or failed. */
  drain(): Promise<void>
  close(): Promise<void>
}

export function createPublisher(options: PublisherOptions): Publisher {
  const writers: Writer[] = []
  const byPartition: Writer[] = []
  let deniedLogged = false
  const denied = (ids: string[]) => {
    if (deniedLogged) return
    deniedLogged = true
    options.log.warn({ denied: ids }, 'not allowed to fence these transactional ids; no instance of ours can write under them')
  }
  for (const plan of writerPlans(options.writers ?? 'partition', options.transactionalIdPrefix, options.partitions)) {
    const w = new Writer(options, plan, denied)
    writers.push(w)
    for (const p of plan.partitions) byPartition[p] = w
  }
  return {
    partitionOf: (id) => partitionOf(id, options.partitions),
    submit<R>(job: Job<R>, timeoutMs: number): Promise<R> {
      const p = partitionOf(job.articleId, options.partitions)
      const w = byPartition[p]
      if (w === undefined) return Promise.reject(new Error('no writer for partition'))
      return w.submit(job, p, timeoutMs)
    },
    async drain() {
      while (!writers.every((w) => w.idle)) await new Promise((r) => setTimeout(r, 10))
    },
    async close() {
      await Promise.all(writers.map((w) => w.close()))
    },
  }
}

export function newEventId(): string {
  return randomUUID()
}
