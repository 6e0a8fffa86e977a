// Hands a write to the publisher with Idempotency-Key handling, for articles and entries alike:
// a key already answered gets that answer, a retry racing the first request waits for it, and a
// retry of a request committed before (its answer lost to a timeout, a crash or another
// instance) is answered at plan time from the committed record, never written twice.
import { isNewswireError, ProblemError } from '@newswire/shared'
import type { CodecProblem, FieldError, NewswireEvent } from '@newswire/shared'
import type { Outcome, RequestContext, Remembered } from './outcome.ts'
import { answerPrint } from './outcome.ts'
import type { Job, Plan, PlanView } from './batch-plan.ts'
import type { Publisher } from './publisher.ts'
import type { IdempotencyCache } from './idempotency-cache.ts'
import { ownerOf } from './idempotency-cache.ts'
import type { Stored } from './state.ts'
import { invalid } from './validate.ts'
import { onlyTakesDown } from './takedown.ts'
import type { Controls } from './takedown.ts'

export interface SubmitterDeps {
  publisher: Publisher
  idempotency: IdempotencyCache<Remembered>
  publishTimeoutMs: number
  /** The ids of the API keys configured now (auth.ts keyIdOf); absent: every answer stands. */
  liveKeyIds?: ReadonlySet<string>
  /** Those ids by their key's name: a forgotten answer's fingerprint is looked for under each (red24e). */
  liveKeyIdsByName?: ReadonlyMap<string, readonly string[]>
}

/** Runs `plan` at commit time against the freshest state of the partition of `articleId`. */
export type Submit = (
  articleId: string,
  ctx: RequestContext,
  plan: (current: Stored | undefined, view: PlanView) => Plan<Outcome>,
) => Promise<Outcome>

/** A value the Avro schema cannot carry, as a 422 naming the fields (article.x → x, entry.x → x). */
function unencodable(err: unknown): unknown {
  if (!isNewswireError(err, 'NEWSWIRE_ERR_CODEC_INVALID')) return err
  const problems = (err.details.problems ?? []) as CodecProblem[]
  const errors: FieldError[] = problems.map((p) => ({
    field: p.path.replace(/^(article|entry)\./, ''),
    code: 'not_encodable',
    message: `cannot be written to Kafka: expected ${p.expected}, got ${p.got}`,
  }))
  return invalid(errors)
}

/**
 * A request committed in a record this instance cannot decode (a newer ingest's schema): deciding
 * it again would repeat it over whatever came after. Another instance may know its answer.
 */
function unreadableAnswer(): ProblemError {
  return new ProblemError(
    'not_ready',
    'this request was committed by an instance whose records this one cannot decode (a newer schema); retry, on another instance if you can',
    {},
    { 'Retry-After': '5' },
  )
}

/**
 * This very request was answered within the TTL, and its answer was pushed out by its API key's
 * bound: decided again, it would repeat over whatever came after it (red24b).
 */
function forgottenAnswer(): ProblemError {
  return new ProblemError(
    'idempotency_answer_forgotten',
    'this request was answered before under this Idempotency-Key, and its answer is no longer kept (this API key sent more keyed requests since than ingest keeps answers for); read the article before sending it again, under a new key',
  )
}

/**
 * This API key's answers pushed out within the TTL fill all the fingerprints it may hold: one more
 * keyed write would push out another, to be forgotten or to grow memory without end (red24e).
 */
function keyedWritesFull(until: number): ProblemError {
  const wait = Math.max(1, Math.ceil((until - Date.now()) / 1000))
  return new ProblemError(
    'idempotency_keys_full',
    `this API key sent more keyed requests within the Idempotency-Key TTL than ingest can remember; retry after ${wait} s (kills, erasures and entry deletions are still taken)`,
    {},
    { 'Retry-After': String(wait) },
  )
}

const reused = (): ProblemError =>
  new ProblemError('idempotency_key_reused', 'this Idempotency-Key was used for a request with other content')

/** The same Idempotency-Key with other content is refused, whether its first request is answered or still under way. */
function sameRequest(firstHash: string, ctx: RequestContext): void {
  if (firstHash !== ctx.requestHash) throw reused()
}

/** The controls `event` sets: its entry's, or its article's. */
const controlsOf = (event: NewswireEvent): Controls => event.entry ?? event.article

/** The controls `event` replaces: the entry's stored version, or the article's. */
function controlsBefore(event: NewswireEvent, current: Stored | undefined, view: PlanView): Controls | undefined {
  return event.entry ? view.entry(event.article.id, event.entry.id)?.entry : current?.article
}

/** The request as if sent without an Idempotency-Key. */
function unkeyed(ctx: RequestContext): RequestContext {
  return { ...ctx, idempotencyKey: null, requestHash: '' }
}

/**
 * Where a takedown decided without its key (bound to other content) is remembered: per key and
 * content, under a key name no API key can have (NUL is in no environment variable), so that it
 * takes no place in its API key's bound of answers. Its record carries it, for a restarted
 * instance. Remembered nowhere, its retry was decided as a new request once its key's first answer
 * was gone (pushed out, past its TTL, or an `unchanged` one lost to a restart), and brought the
 * desk's later embargo forward (red27b attack run, 2026-12-07).
 */
export function letPastKey(key: string, requestHash: string): string {
  const i = key.indexOf(':')
  return `${key.slice(0, i)}\u0000${key.slice(i)}\u0000${requestHash}`
}

export function createSubmitter(deps: SubmitterDeps): Submit {
  // A request under way, by Idempotency-Key, with the hash of its content
  const inflight = new Map<string, { outcome: Promise<Outcome>; requestHash: string }>()
  // Answers of commits that succeeded but are not read back yet (Job.written), by Idempotency-Key.
  // Plans alone read them: an answer given at once would come before the write is visible. A
  // request that gave up on such a commit (503) is not in flight, and its retry, planned in the
  // writer's next transaction, was decided again: a release retried over the desk's hold after it
  // released the story again (red15c attack run, 2026-12-06)
  // A retry answered from one waits until that commit is visible too (`visible`): answered at once,
  // its 2xx came before a reader of news.article-events could see the write (red17 attack run)
  const written = new Map<string, { outcome: Outcome; requestHash: string; visible: Promise<void>; shown: () => void }>()

  /**
   * Whether this request's answer was pushed out. A kept answer stands for every key configured
   * under its name (a planned rotation) and, given by an unknown key, for the same request again
   * (below): so does its fingerprint. Looked for under the sender's key id alone, a retry under the
   * rotation's other key was decided again over the desk's hold (red24e attack run).
   */
  function forgotten(key: string, ctx: RequestContext): boolean {
    // a takedown's own slot (letPastKey) belongs to the key name before its NUL
    const ids = new Set([...(deps.liveKeyIdsByName?.get(ownerOf(key).replace(/\u0000$/, '')) ?? [ctx.keyId]), undefined])
    for (const by of ids) if (deps.idempotency.forgotten(key, answerPrint(key, by, ctx.requestHash))) return true
    return false
  }

  /**
   * `letPast` is told the refusal a takedown is let past: it is decided, then, only if it only
   * takes down (onlyTakesDown, checked at plan time).
   */
  function remembered(ctx: RequestContext, letPast: (refusal: ProblemError) => void = () => {}): Outcome | undefined {
    if (ctx.idempotencyKey === null) return undefined
    const held = deps.idempotency.get(ctx.idempotencyKey)
    // An answer that binds no one leaves the key as if free: this request's own answer, pushed out
    // by it, still refuses its retry. Returned as new at once, the retry of a release whose key a
    // key not configured here took since (the rotation's new key on an instance not yet restarted,
    // a retired key's record) was decided again over the desk's hold (red28b attack run)
    const seen = held === undefined || bindsNoOne(held, ctx) ? undefined : held
    if (seen === undefined) {
      // A kill decided again only takes down what it took down before, whatever came since; and a
      // fingerprint may match a request never sent (forgotten-answers.ts), which must not keep a
      // story up: so a takedown is decided, never refused here (only if it only takes down: letPast).
      // Full: another answer pushed out would either grow memory without end or be forgotten
      const until = deps.idempotency.fullUntil(ctx.idempotencyKey)
      const refusal = forgotten(ctx.idempotencyKey, ctx) ? forgottenAnswer() : until === null ? null : keyedWritesFull(until)
      if (refusal === null) return undefined
      if (!ctx.takesDown) throw refusal
      letPast(refusal)
      return undefined
    }
    sameRequest(seen.requestHash, ctx)
    if (seen.outcome === null) throw unreadableAnswer()
    return seen.outcome
  }

  /** Whether a kept answer binds no one for this request. */
  function bindsNoOne(seen: Remembered, ctx: RequestContext): boolean {
    // given to a key retired since (a leak): it binds no one, the request is decided as new (red22c)
    if (seen.by !== undefined && deps.liveKeyIds !== undefined && !deps.liveKeyIds.has(seen.by)) return true
    // written by a release before `api-key-id` (one still running in a rolling deploy, a rollback,
    // a record from before the upgrade): whose key gave it is unknown, so it answers a retry of the
    // same request and binds nothing else. It refused a retired key's victim's kill (red23a)
    return seen.by === undefined && deps.liveKeyIds !== undefined && seen.requestHash !== ctx.requestHash
  }

  /** This request's commit not read back yet, if it was committed so (or a 422: other content). */
  function writtenBefore(ctx: RequestContext): { outcome: Outcome; visible: Promise<void> } | undefined {
    const w = ctx.idempotencyKey === null ? undefined : written.get(ctx.idempotencyKey)
    if (w === undefined) return undefined
    sameRequest(w.requestHash, ctx)
    return w
  }

  /** This request's key answers, or is being used by, a request with other content. */
  function boundToOther(ctx: RequestContext): boolean {
    try {
      remembered(ctx)
      writtenBefore(ctx)
      const running = ctx.idempotencyKey === null ? undefined : inflight.get(ctx.idempotencyKey)
      if (running) sameRequest(running.requestHash, ctx)
      return false
    } catch (err) {
      return err instanceof ProblemError && err.problem.code === 'idempotency_key_reused'
    }
  }

  /**
   * Whether this takedown was decided before without its key (bound to other content then): its
   * slot holds its answer, or the slot's bound pushed it out. Its key may be free by now.
   */
  function letPastBefore(ctx: RequestContext): boolean {
    if (ctx.takesDown !== true || ctx.idempotencyKey === null) return false
    const slot = letPastKey(ctx.idempotencyKey, ctx.requestHash)
    const seen = deps.idempotency.get(slot)
    // given to a key retired since, it binds no one, as any answer (red22c)
    if (seen !== undefined) return seen.by === undefined || deps.liveKeyIds === undefined || deps.liveKeyIds.has(seen.by)
    return forgotten(slot, ctx)
  }

  return async (articleId, requestCtx, plan) => {
    // A takedown under a key bound to other content (a CMS keys its requests by its revision, and
    // a kill bumps none) is decided as one sent without a key: it only takes down, and the key
    // keeps its first answer. Refused (422), the kill and every retry of it kept the story up (red24f)
    // Its retry is decided so too once its key is free: as a new request, it brought forward (red27b)
    const other = requestCtx.takesDown === true && boundToOther(requestCtx)
    const bound = other || letPastBefore(requestCtx)
    const ctx = bound ? unkeyed(requestCtx) : requestCtx
    /** The takedown's own slot, where it is decided without its key: its record carries it. */
    let slot = bound && requestCtx.idempotencyKey !== null ? letPastKey(requestCtx.idempotencyKey, requestCtx.requestHash) : null
    // The refusal this takedown was let past, if any: it stands unless the takedown only takes down
    let escaped: ProblemError | null = other ? reused() : bound ? forgottenAnswer() : null
    const letPast = (refusal: ProblemError) => {
      escaped ??= refusal
    }
    /** `plan`, whose version must only take down where a refusal was let past (red25c). */
    const decide = (current: Stored | undefined, view: PlanView): Plan<Outcome> => {
      const planned = plan(current, view)
      if (
        escaped !== null &&
        planned.event !== null &&
        !onlyTakesDown(controlsBefore(planned.event, current, view), controlsOf(planned.event), Date.now())
      )
        throw escaped
      return planned
    }
    let key = ctx.idempotencyKey
    const seen = remembered(ctx, letPast)
    if (seen !== undefined) return seen
    // A retry racing the first request waits for the same answer
    const running = key === null ? undefined : inflight.get(key)
    if (running) {
      // other content got the running request's answer and was never written (a kill answered 200 and dropped)
      sameRequest(running.requestHash, ctx)
      return running.outcome
    }
    const by = ctx.keyId === undefined ? {} : { by: ctx.keyId }
    const remember = (outcome: Outcome) => {
      if (slot !== null) deps.idempotency.set(slot, { outcome, requestHash: requestCtx.requestHash, ...by })
      if (key === null) return
      deps.idempotency.set(key, { outcome, requestHash: ctx.requestHash, ...by })
      written.get(key)?.shown()
      written.delete(key)
    }
    /** The earlier commit this request was answered from, whose visibility its answer waits for. */
    let earlier: Promise<void> | null = null
    const job: Job<Outcome> = {
      articleId,
      idempotency:
        key !== null
          ? { key, requestHash: ctx.requestHash, ...by }
          : slot === null
            ? null
            : { key: slot, requestHash: requestCtx.requestHash, ...by },
      // Planned after the partition's catch-up: if this very request was committed before
      // (its answer lost to a timeout, a crash or another instance), the answer is that one
      plan: (current, view) => {
        // decided without its key by an earlier plan of this job (a fenced commit, planned again):
        // its key, bound to other content, would refuse the kill now (422)
        if (key === null && slot !== null) return decide(current, view)
        // the other content's answer may come to light only now (another instance gave it), and
        // so may this takedown's own slot: another instance decided it without its key, and this
        // one's tail had not read that record when the retry came. Found free, the key let the
        // retry be decided as a new request, with no check, over the desk's later embargo (red28b)
        const otherNow = ctx.takesDown === true && key !== null && boundToOther(ctx)
        if (key !== null && (otherNow || letPastBefore(ctx))) {
          slot = letPastKey(key, ctx.requestHash)
          job.idempotency = { key: slot, requestHash: ctx.requestHash, ...by }
          key = null
          escaped = otherNow ? reused() : forgottenAnswer()
          return decide(current, view)
        }
        const seen = remembered(ctx, letPast)
        if (seen !== undefined) return { event: null, result: seen }
        const w = writtenBefore(ctx)
        if (w === undefined) return decide(current, view)
        earlier = w.visible
        return { event: null, result: w.outcome }
      },
      // Also when the caller stopped waiting: a retry then gets the answer it missed
      committed: remember,
      written: (outcome) => {
        if (key === null) return
        let shown = () => {}
        const visible = new Promise<void>((r) => {
          shown = r
        })
        written.set(key, { outcome, requestHash: ctx.requestHash, visible, shown })
      },
    }
    const p = deps.publisher.submit<Outcome>(job, deps.publishTimeoutMs).then(
      async (outcome) => {
        if (earlier) await earlier
        remember(outcome)
        return outcome
      },
      (err: unknown) => {
        throw unencodable(err)
      },
    )
    const sent = ctx.idempotencyKey
    if (sent !== null) {
      inflight.set(sent, { outcome: p, requestHash: ctx.requestHash })
      const done = () => inflight.delete(sent)
      p.then(done, done)
    }
    return p
  }
}
