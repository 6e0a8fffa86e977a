// What one transaction carries: every queued request decided, at commit time, against the
// freshest state (plus the batch's earlier events and this writer's committed events not yet
// read back), encoded, and fitted into the transaction's byte budget. No I/O: publisher.ts
// commits what this returns.
import type { NewswireEvent, TxRecord } from '@newswire/shared'
import { entryStateKey, isEntryEvent, UNKNOWN_EARLIER, UNKNOWN_SHOWN } from '@newswire/shared'
import type { EarlierStatuses, EarlierViews } from '@newswire/shared'
import { changedFields } from './decide.ts'
import { entryChangedFields } from './entry-decide.ts'
import { entryWithoutContent, withoutContent } from './erasure.ts'
import { eventRecords, recordBytes, tombstoneRecord, tooLarge } from './records.ts'
import type { RecordSource } from './records.ts'
import { ifReadable, Overlay, storedEntryOf, storedOf } from './state.ts'
import type { ArticleState, StateView, Stored } from './state.ts'

export interface Encoder {
  /** Throws NEWSWIRE_ERR_CODEC_INVALID for a value the schema cannot carry. */
  encode(event: NewswireEvent): Buffer
  fingerprintHex: string
}

export interface Plan<R> {
  event: NewswireEvent | null
  result: R
  /**
   * Keys of news.articles to erase (a tombstone each, after the event's state), on the job's
   * partition: an erasure (articles.ts). With or without an event.
   */
  erase?: { keys: readonly string[]; traceId: string; at: number }
}

/** What a plan reads: the state with the batch's earlier events, and which entries a story has. */
export interface PlanView extends StateView {
  /**
   * The news.articles keys of the story's entries, deleted ones and ones this instance cannot read
   * included (an entry known by its tombstone alone excepted: already erased). Never throws.
   */
  entryKeys(storyId: string): string[]
}

export interface Job<R> {
  /** The article written, or the story whose entry is: it names the partition. */
  articleId: string
  /** Scoped Idempotency-Key and request hash, stored in headers so any instance can answer retries. */
  idempotency: { key: string; requestHash: string; by?: string } | null
  /**
   * Runs at commit time against the freshest state (`current`: the article's; `view`: every
   * article and entry, with the batch's earlier events); may run again after a re-acquire.
   */
  plan: (current: Stored | undefined, view: PlanView) => Plan<R>
  /** Called once the job's event is committed and read back, also when its caller stopped waiting (timeout). */
  committed?: (result: R) => void
  /**
   * Called as soon as the commit holding the job's event succeeded, before it is read back (then
   * `committed`): the writer's next transaction is planned meanwhile, and a retry planned there
   * must get this answer, not be decided again (red15c attack run).
   */
  written?: (result: R) => void
}

/** What planning reads of a queued request. */
export interface Queued {
  job: Job<unknown>
  partition: number
  settled: boolean
  /** The event of a commit that failed after it was sent: it may have landed. */
  attempt: { eventId: string; result: unknown } | null
}

/** One request's plan: an event to commit (its records in both topics), an answer without one, or a refusal. */
export interface Planned<P extends Queued> {
  pending: P
  plan: Plan<unknown> | null
  records: { event: TxRecord; state: TxRecord } | null
  /** Tombstones for news.articles, after the state (Plan.erase). */
  tombstones: TxRecord[]
  /** The version its event replaces (the article's; an entry event's, the entry's) is under an embargo that may not have passed (replacedEmbargo; stable-offsets.ts). */
  replacedEmbargo?: boolean
  error?: unknown
}

export interface BatchPlan<P extends Queued> {
  planned: Planned<P>[]
  /** Past the byte budget, not planned: back to the head of the queue for the next transaction. */
  deferred: P[]
  /** Their earlier commit did land (the catch-up read it): that is the answer, not a new plan. */
  landed: { pending: P; result: unknown }[]
}

export interface PlanContext {
  state: ArticleState
  encoder: Encoder
  source: RecordSource
  /** Bytes of records the transaction may write to one partition. */
  budget: number
  /** Bytes a write that is not a kill leaves free under `budget`, so its kill fits (records.ts KILL_ROOM_BYTES); 0 if absent. */
  killRoom?: number
  /** Committed by this writer, not read back yet: not in the state, but decisions must see them. */
  unseen: Iterable<NewswireEvent>
}

/** A kill: an article withdrawn (or erased), an entry deleted. It may take the whole budget. */
const isKill = (event: NewswireEvent): boolean => event.type === 'WITHDRAWN' || event.type === 'ENTRY_DELETED'

/**
 * The kill without the content it kills (erasure.ts), its changed fields saying so; null for an
 * event that is not a kill. An entry's deletion keeps its story as it stands (a story its writes
 * kept within the room; one an earlier release wrote up to the whole budget may still not fit).
 */
function slimKill(event: NewswireEvent): NewswireEvent | null {
  if (!isKill(event)) return null
  if (isEntryEvent(event)) {
    const entry = entryWithoutContent(event.entry)
    return { ...event, entry, changedFields: [...new Set([...event.changedFields, ...entryChangedFields(event.entry, entry)])] }
  }
  const article = withoutContent(event.article)
  return { ...event, article, changedFields: [...new Set([...event.changedFields, ...changedFields(event.article, article)])] }
}

/**
 * True when `event` is newer than what `view` holds of its article or entry. A committed event
 * of ours not read back yet, over a state the tail could not read: the tail read that state
 * first, so ours, after it in the log, is newer.
 */
function newerThan(view: StateView, event: NewswireEvent): boolean {
  if (isEntryEvent(event)) return event.entry.version > (ifReadable(() => view.entry(event.article.id, event.entry.id))?.entry.version ?? 0)
  return event.article.version > (ifReadable(() => view.article(event.article.id))?.article.version ?? 0)
}

/**
 * The event's records and their size in a batch. A state carries what came before it (an
 * article's views, an entry's statuses), unless that alone would take it past the budget: a
 * version (a kill above all) is never refused for it. It then says it is not known, so no reader
 * takes it for the whole story (README "Known limits"). A first version carries none: a record
 * without it reads the same.
 */
function recordsOf(c: PlanContext, event: NewswireEvent, idem: Job<unknown>['idempotency'], view: StateView, limit: number) {
  const value = c.encoder.encode(event)
  let earlier: EarlierViews | EarlierStatuses | null = null
  if (isEntryEvent(event)) {
    if (event.type !== 'ENTRY_CREATED') earlier = storedEntryOf(event, view.entry(event.article.id, event.entry.id)).earlier
  } else if (event.type !== 'CREATED') earlier = storedOf(event, view.article(event.article.id)).earlier
  let records = eventRecords(c.source, event, idem, value, earlier)
  let size = Math.max(recordBytes(records.event), recordBytes(records.state))
  if (size > limit && earlier !== null) {
    records = eventRecords(c.source, event, idem, value, 'views' in earlier ? UNKNOWN_EARLIER : UNKNOWN_SHOWN)
    size = Math.max(recordBytes(records.event), recordBytes(records.state))
  }
  return { records, size }
}

/** A fan-out's clock may run this far ahead of ingest's (its race allowance, ledger.ts raceWindowMs). */
const CLOCK_LEEWAY_MS = 60_000

/**
 * Whether the version `event` replaces (its article's, or its entry's) is under an embargo that may
 * not have passed on some fan-out's clock; unreadable: taken as yes. One that passed long before
 * had made that version public: replacing it hides nothing (and costs no offsets request).
 */
function replacedEmbargo(view: StateView, event: NewswireEvent): boolean {
  try {
    const replaced = isEntryEvent(event) ? view.entry(event.article.id, event.entry.id)?.entry : view.article(event.article.id)?.article
    return replaced?.embargoedUntil != null && replaced.embargoedUntil > event.ingestedAt - CLOCK_LEEWAY_MS
  } catch {
    return true
  }
}

/** The overlay plans read, which also lists a story's entries: the state's, with the batch's and the unseen ones. */
class BatchView extends Overlay implements PlanView {
  readonly #state: ArticleState
  readonly #added = new Map<string, Set<string>>()

  constructor(state: ArticleState) {
    super(state)
    this.#state = state
  }

  override apply(event: NewswireEvent): void {
    super.apply(event)
    if (!isEntryEvent(event)) return
    const ids = this.#added.get(event.article.id) ?? new Set<string>()
    this.#added.set(event.article.id, ids.add(event.entry.id))
  }

  entryKeys(storyId: string): string[] {
    const keys = new Set(this.#state.entryKeys(storyId))
    for (const id of this.#added.get(storyId) ?? []) keys.add(entryStateKey(storyId, id))
    return [...keys]
  }
}

/** A plan's view of the state alone (no batch): for publishers without Kafka (tests). */
export function planView(state: ArticleState): PlanView {
  return new BatchView(state)
}

/**
 * Plans each request against the state plus the batch's earlier events; a request that fails
 * alone fails alone. Settled requests are skipped.
 */
export function planBatch<P extends Queued>(batch: readonly P[], c: PlanContext): BatchPlan<P> {
  const overlay = new BatchView(c.state)
  for (const event of c.unseen) if (!c.state.hasEvent(event.eventId) && newerThan(overlay, event)) overlay.apply(event)
  const planned: Planned<P>[] = []
  const landed: { pending: P; result: unknown }[] = []
  const bytes = new Map<number, number>()
  for (const [i, pending] of batch.entries()) {
    if (pending.settled) continue
    if (pending.attempt !== null && c.state.hasEvent(pending.attempt.eventId)) {
      landed.push({ pending, result: pending.attempt.result })
      continue
    }
    try {
      let plan = pending.job.plan(overlay.article(pending.job.articleId), overlay)
      // a write that is not a kill leaves room for its kill (records.ts KILL_ROOM_BYTES)
      const limit = plan.event === null || isKill(plan.event) ? c.budget : c.budget - (c.killRoom ?? 0)
      // Encoded here, outside the transaction: a value the schema cannot carry fails its own
      // request (422), never the transaction the other requests share
      let { records, size: eventSize } = plan.event
        ? recordsOf(c, plan.event, pending.job.idempotency, overlay, limit)
        : { records: null, size: 0 }
      // A kill is never refused for its size: past the budget (what an earlier release accepted up
      // to it, without the room), it is written without the content, as an erasure writes it
      const slim = plan.event !== null && eventSize > limit ? slimKill(plan.event) : null
      if (slim !== null) {
        plan = { ...plan, event: slim }
        ;({ records, size: eventSize } = recordsOf(c, slim, pending.job.idempotency, overlay, limit))
      }
      const erase = plan.erase
      const tombstones = erase ? erase.keys.map((key) => tombstoneRecord(c.source, key, erase.traceId, erase.at)) : []
      // the tombstones go to news.articles, after the state
      const size = Math.max(eventSize, (records ? recordBytes(records.state) : 0) + tombstones.reduce((n, t) => n + recordBytes(t), 0))
      if (size > limit) throw tooLarge(size, c.budget, c.budget - limit)
      const used = bytes.get(pending.partition) ?? 0
      if (used + size > c.budget) return { planned, deferred: batch.slice(i), landed }
      bytes.set(pending.partition, used + size)
      const replaced = plan.event !== null && replacedEmbargo(overlay, plan.event)
      if (plan.event) overlay.apply(plan.event)
      planned.push({ pending, plan, records, tombstones, replacedEmbargo: replaced })
    } catch (error) {
      planned.push({ pending, plan: null, records: null, tombstones: [], error })
    }
  }
  return { planned, deferred: [], landed }
}
