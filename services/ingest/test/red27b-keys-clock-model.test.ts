// red27b attack run (2026-12-07): the entries-keys model (red26c-entries-keys-model.test.ts) with
// time and restarts. That model never moved a clock (no answer ever reached its TTL), never filled
// a key's fingerprints (`idempotency_keys_full`), and restarted ingest only once its run was over,
// retrying then only requests whose answers had a record. Here each run has an ingest of its own
// on a clock the model moves (support/keys-clock.ts): answers and fingerprints end, a key whose
// fingerprints are full gets 429 for its keyed writes but takedowns, and ingest restarts mid-run
// (partitions in either order), after which any keyed request or batch of the run may be retried
// against what the restarted process read back. Checked against the same reference model: every
// answer, the entry events, what an editor's GET shows; every surviving entry can still be changed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { NewswireEvent } from '@newswire/shared'
import { rememberAnswer } from '../src/answers.ts'
import { ArticleState } from '../src/state.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'
import { http } from '../../../test/helpers.ts'
import { apiKeysEnv, keys } from './support/editorial-model.ts'
import { recordOf } from './support/editorial-keys.ts'
import type { IdempotencyHeaders } from './support/editorial-keys.ts'
import { assertAnswer, createStories, requestOf, sendRequest } from './support/entries-driver.ts'
import type { Sent } from './support/entries-driver.ts'
import {
  decide,
  entryOpOf,
  expectedOf,
  keyedRequest,
  keyStepArb,
  letPastKey,
  movedOps,
  newControls,
  newEntryKeyStats,
  pushers,
  sigOf,
  onlyTakesDown,
  stepKeyed,
  takedown,
} from './support/entries-keys.ts'
import type { BatchOp, KeyedExpected, KeyedOp, KeyStep, LostOp, PutOp, World } from './support/entries-keys.ts'
import { assertEditorSees } from './support/entries-keys-checks.ts'
import { entryRevision, newStories, STORIES } from './support/entries-model.ts'
import type { Expected, ModelEntryEvent } from './support/entries-model.ts'
import { finalChecks, modelEventsOf } from './support/entries-run.ts'
import { startInProcessApp } from './support/in-process-app.ts'
import type { InProcessApp } from './support/in-process-app.ts'
import { Clock, ClockedCache, freedArb, freedOps, ModelAnswers, newClockStats, restartArb, tickArb, TTL } from './support/keys-clock.ts'
import type { FreedOp, KeyedRecord, RestartOp, TickOp, TimedKept } from './support/keys-clock.ts'

const RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 150)
const BOUND = 2
type Step = KeyStep | TickOp | RestartOp | FreedOp
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: keyStepArb, weight: 8 },
  { arbitrary: tickArb, weight: 2 },
  { arbitrary: restartArb, weight: 1 },
  { arbitrary: freedArb, weight: 1 },
)

/** The CMS's save of entry 0 of story 0, under rev-a. */
const save = (text: 0 | 1): LostOp['save'] => ({
  kind: 'put',
  key: 'dev',
  story: 0,
  entry: 0,
  text,
  pinned: false,
  keyEvent: false,
  pubStatus: undefined,
  embargoedUntil: undefined,
  revision: 'none',
  correction: undefined,
  via: 'single',
  idem: 'rev-a',
})

/** Shrunk failures, run first on every run: each failed without its fix. */
const KNOWN: Step[][] = [
  // red27b: the CMS's embargo until 2030 under its save's key (decided without it), the desk's 2099,
  // the save's answer pushed out (or past its TTL, or an `unchanged` save lost to a restart): the
  // embargo's retry was decided as a new request, and brought the desk's embargo back to 2030
  ...(['pushed', 'ttl', 'restart'] as const).map((how): Step[] => [
    { kind: 'freed', story: 0, entry: 0, late: 'earlier', how, idem: 'rev-a' },
  ]),
  [{ kind: 'freed', story: 0, entry: 'story', late: 'earlier', how: 'pushed', idem: 'rev-a' }],
  // CI, 2026-12-07: a save under rev-a pushed out (by saves answered `unchanged`, in no record), the
  // key then taken by another save; a restart read both back, and the first save's retry, once the
  // second's answer was pushed out too, was decided again over it: the restart left no fingerprint
  [
    { ...save(0), entry: 1, idem: undefined },
    { ...save(0), entry: 2, idem: undefined },
    { kind: 'lost', save: save(0) },
    { ...save(0), keyEvent: true },
    { kind: 'restart', reversed: false },
    { kind: 'lost', save: save(0) },
  ],
  // red28b: a restart reading each keyed record twice (both topics): the answers its bound had pushed
  // out came back and pushed out others, fingerprinted again, until the key's fingerprints were full
  // and the CMS's next keyed write got 429 `idempotency_keys_full`
  [
    { kind: 'lost', save: save(0) },
    { kind: 'restart', reversed: false, twice: true },
    { kind: 'moved', story: 0, entry: 0, late: 'earlier', idem: 'rev-a' },
    { kind: 'storyPatch', key: 'dev', story: 0, pubStatus: 'usable', idem: 'rev-c' },
  ],
]

/**
 * Whether a success wrote a keyed record (an entry's event; a story's change, kill or erasure). An
 * erasure of a story erased before (`wasErased`) writes tombstones alone, and answers `unchanged`
 * (one of a story only killed wipes its text: a new version).
 */
const committed = (op: KeyedOp | PutOp, e: Expected, wasErased = false): boolean =>
  e.event !== undefined || ((op.kind === 'storyPatch' || op.kind === 'storyKill') && e.status < 300 && e.unchanged !== true && !wasErased)

/** The editorial controls `op` sets: its story's (canceled once killed), or its entry's. */
function shownOf(w: World, op: KeyedOp | PutOp): { pubStatus: string; embargoedUntil: string | null } | undefined {
  const story = w.stories.get(op.story)
  if (op.kind === 'storyPatch' || op.kind === 'storyKill') {
    const c = w.controls.get(op.story)
    return c && { pubStatus: story?.killed ? 'canceled' : c.pubStatus, embargoedUntil: c.embargoedUntil }
  }
  const m = story?.entries.get(op.entry)
  return m && { pubStatus: m.pubStatus, embargoedUntil: m.embargoedUntil }
}

/** What an answer read back from its record must repeat of the first one. */
const seen = (body: unknown) => ['eventId', 'version', 'type', 'unchanged', 'code'].map((k) => (body as Record<string, unknown>)[k])

test('entries under reused Idempotency-Keys, on a clock the model moves and across restarts: every answer, event and GET is the model’s', async (t) => {
  let run = 0
  // afterRestart counts the end-of-run restart of the red26c model, which this one replaces by its steps
  const stats = { ...newEntryKeyStats(), ...newClockStats() }
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 30, size: 'max' }), async (steps) => {
      const prefix = `c${run++}`
      const clock = new Clock()
      let app: InProcessApp = await startInProcessApp(
        new ArticleState(),
        apiKeysEnv,
        undefined,
        undefined,
        BOUND,
        new ClockedCache(clock, BOUND),
      )
      try {
        const w: World = { stories: newStories(), controls: newControls() }
        const events = new Map<string, ModelEntryEvent[]>()
        // news.articles and news.article-events as written by every instance of the run, with record times
        const written: (InProcessApp['publisher']['written'][number] & { at: number })[] = []
        const published: NewswireEvent[] = []
        let seenWritten = 0
        const collect = () => {
          for (const x of app.publisher.written.slice(seenWritten)) written.push({ ...x, at: clock.now })
          seenWritten = app.publisher.written.length
        }
        let publishedSeen = 0
        const collectPublished = () => {
          published.push(...app.publisher.published.slice(publishedSeen))
          publishedSeen = app.publisher.published.length
        }
        await createStories(app.url, prefix)
        collect()
        collectPublished()
        let answers = new ModelAnswers(BOUND)
        const records: KeyedRecord[] = []
        /** The stories erased (an erasure again writes no record). */
        const erased = new Set<number>()
        /** Takedowns that changed something, under the key they were sent with (decided with it or not). */
        const takedowns: { key: string; sig: string; at: number }[] = []
        let restarts = 0
        const singles: { op: KeyedOp; revision: number | undefined; sent: Sent }[] = []
        const batches: { b: Omit<BatchOp, 'kind' | 'lines'>; lines: { op: PutOp; revision: number | undefined }[]; sent: Sent }[] = []
        const record = (op: { story: number; entry?: number }, e: Expected) => {
          if (!e.event || op.entry === undefined) return
          const k = `s${op.story}/e${op.entry}`
          events.set(k, [...(events.get(k) ?? []), e.event])
        }
        const scoped = (op: { key: string }, idemKey: string, line?: number) =>
          `${op.key}:${idemKey}${line === undefined ? '' : `#${line}`}`
        /** What `op` must get at the clock's time; a decided success is kept (committed: in a record too). */
        const expect = (op: KeyedOp | PutOp, revision: number | undefined, key: string | null, sig: string, again: boolean) => {
          const now = clock.now
          const before = shownOf(w, op)
          const wasErased = erased.has(op.story)
          // its own slot answered, or pushed out by the slot's bound (README red27b)
          const slotKnown = (k: string, sig: string) => {
            const slot = letPastKey(k, sig)
            return answers.get(slot, now) !== undefined || answers.forgotten(slot, now).has(sig)
          }
          const full = key !== null && answers.full(key, now)
          const keyed: KeyedExpected | null =
            key === null
              ? null
              : stepKeyed(
                  w,
                  { get: (k) => answers.get(k, now) },
                  { get: (k) => answers.forgotten(k, now) },
                  op,
                  revision,
                  key,
                  sig,
                  full,
                  slotKnown,
                )
          const expected = keyed === null ? decide(w, op, revision) : expectedOf(keyed, op, stats)
          const decides = keyed === null || keyed.kind === 'decided' || keyed.kind === 'unkeyed'
          if (op.kind === 'storyKill' && op.erase && expected.status < 300 && decides) erased.add(op.story)
          if (keyed?.kind === 'refused' && keyed.forKey === 'full') stats.full++
          if (full && keyed?.kind === 'decided') stats.fullTakedowns++
          if (again && keyed?.kind === 'decided') {
            stats.decidedAgain++
            // README: a retry within the TTL of a request committed under its key gets its first
            // answer, or 409 (pushed out), whatever restarted since; only a takedown is decided again
            const first = records.find((r) => r.key === keyed.key && r.kept.sig === sig && r.at + TTL > now)
            assert.ok(
              first === undefined || takedown(op),
              `a retry of ${JSON.stringify(op)} committed at +${first && now - first.at} ms decided again`,
            )
          }
          // a retry within the TTL of a takedown that changed something, decided again however
          // (its key free since, or bound to other content), only takes down (README red25c)
          // (a decision: a kept answer given again decides nothing, and its TTL runs from the first)
          const decided = keyed?.kind === 'decided' || keyed?.kind === 'unkeyed'
          const changed = decided && key !== null && expected.status < 300 && expected.unchanged !== true
          if (again && takedowns.some((x) => x.key === key && x.sig === sig && x.at + TTL > now)) stats.takedownsAgain++
          if (again && changed && takedowns.some((x) => x.key === key && x.sig === sig && x.at + TTL > now)) {
            const after = shownOf(w, op)
            assert.ok(
              onlyTakesDown(before, after),
              `a retry of ${JSON.stringify(op)} decided again (${keyed?.kind}) took ${JSON.stringify(before)} to ${JSON.stringify(after)}`,
            )
          }
          if (changed && !again && takedown(op)) takedowns.push({ key, sig, at: now })
          if (keyed?.kind === 'kept' && (keyed.kept as TimedKept).readBack) stats.readBackKept++
          let kept: TimedKept | null = null
          if (keyed?.kind === 'decided' && expected.status < 300) {
            kept = { sig, status: expected.status, body: null }
            if (committed(op, expected, wasErased)) records.push({ key: keyed.key, story: op.story, at: now, kept })
          }
          // a takedown decided without its key: its own slot keeps its answer, its record carries it
          if (keyed?.kind === 'unkeyed' && key !== null && expected.status < 300) {
            const slot = letPastKey(key, sig)
            const mine: TimedKept = { sig, status: expected.status, body: null }
            answers.set(slot, mine, now)
            if (committed(op, expected, wasErased)) records.push({ key: slot, story: op.story, at: now, kept: mine })
          }
          return { keyed, expected, kept }
        }
        type Expecting = ReturnType<typeof expect>
        const check = (e: Expecting, op: KeyedOp | PutOp, got: { status: number; body: unknown }, what: string) => {
          if (e.keyed?.kind === 'kept') {
            const k: TimedKept = e.keyed.kept
            // read back, it is the record's: the first answer's event, version and type
            if (k.readBack)
              assert.deepEqual([got.status, ...seen(got.body)], [k.status, ...seen(k.body)], `${what}: the first answer again`)
            else assert.deepEqual([got.status, got.body], [k.status, k.body], `${what}: the first answer again`)
            return
          }
          assertAnswer({ ...got, text: '', headers: new Headers() }, e.expected, what)
          record(op, e.expected)
          if (e.kept) e.kept.body = got.body
        }
        const single = async (op: KeyedOp, again?: { revision: number | undefined; sent: Sent }, twin = false) => {
          clock.tick(1)
          const revision = again ? again.revision : op.kind === 'put' ? entryRevision(w.stories, entryOpOf(op)) : undefined
          const idemKey = op.idem === undefined ? null : `${op.idem}.${prefix}`
          const sent = again?.sent ?? keyedRequest('', prefix, op, revision, idemKey ?? '')
          if (idemKey !== null && again === undefined) singles.push({ op, revision, sent })
          const key = idemKey === null ? null : scoped(op, idemKey, op.kind === 'put' && op.via === 'batch' ? 0 : undefined)
          const e = expect(op, revision, key, sigOf(sent, ''), again !== undefined)
          if (e.kept !== null && key !== null) answers.set(key, e.kept, clock.now)
          if (again && restarts > 0) stats.retriesAfterRestart++
          const what = `${again ? 'retry of ' : twin ? 'twins of ' : ''}${JSON.stringify(op)} at +${clock.now % 1e7} ms`
          const req = { ...sent, url: `${app.url}${sent.url}` }
          const [a, b] =
            twin && e.keyed?.kind !== 'unkeyed' ? await Promise.all([sendRequest(req), sendRequest(req)]) : [await sendRequest(req), null]
          collect()
          check(e, op, a, `${what}: ${a.text}`)
          if (b !== null) {
            assert.deepEqual(
              [b.status, ...seen(b.body)],
              [a.status, ...seen(a.body)],
              `${what}: its twin got ${b.text}, the first ${a.text}`,
            )
            stats.twins++
          }
        }
        const batch = async (
          b: Omit<BatchOp, 'kind' | 'lines'>,
          lines: readonly { op: PutOp; revision?: number | undefined }[],
          again?: Sent,
        ) => {
          clock.tick(1)
          const idemKey = b.idem === undefined ? null : `${b.idem}.${prefix}`
          const path = `/v1/articles/${prefix}-s${b.story}/entries/batch`
          const refused = b.key === 'forged' ? 401 : (keys[b.key].scopes as readonly string[]).includes('write') ? null : 403
          const answered: { key: string; kept: TimedKept }[] = []
          const sentLines: { op: PutOp; revision: number | undefined }[] = []
          const expecting = lines.map((line, j) => {
            const op: PutOp = { ...line.op, key: b.key, story: b.story, via: 'batch', idem: idemKey !== null }
            const revision = again ? line.revision : entryRevision(w.stories, op)
            sentLines.push({ op, revision })
            const text = requestOf('', prefix, op, revision, '').init.body.replace(/\n$/, '')
            const key = idemKey === null ? null : scoped(op, idemKey, j)
            if (refused !== null) return { e: null, op, text }
            const e = expect(op, revision, key, `POST ${path}\n${text}`, again !== undefined)
            // kept when committed (a write), and again once answered, after every line's commit
            if (e.kept !== null && key !== null) {
              if (committed(op, e.expected)) answers.set(key, e.kept, clock.now)
              answered.push({ key, kept: e.kept })
            }
            return { e, op, text }
          })
          for (const { key, kept } of answered) answers.set(key, kept, clock.now)
          const sent: Sent = again ?? {
            url: path,
            init: {
              method: 'POST',
              key: keys[b.key].key,
              headers: { 'content-type': 'application/x-ndjson', ...(idemKey === null ? {} : { 'idempotency-key': idemKey }) },
              body: `${expecting.map((x) => x.text).join('\n')}\n`,
            },
          }
          if (idemKey !== null && again === undefined) batches.push({ b, lines: sentLines, sent })
          if (again && restarts > 0) stats.batchRetriesAfterRestart++
          const res = await http(`${app.url}${sent.url}`, sent.init)
          collect()
          stats.batchLines += lines.length
          const what = `${again ? 'retry of ' : ''}batch ${JSON.stringify(b)} ${JSON.stringify(lines.map((l) => l.op))} at +${clock.now % 1e7} ms`
          if (refused !== null) return assert.equal(res.status, refused, `${what}: ${res.text}`)
          assert.equal(res.status, 200, `${what}: ${res.text}`)
          const results = (res.body as { results: unknown[] }).results
          for (const [j, x] of expecting.entries()) {
            const got = results[j] as { status: number }
            if (x.e) check(x.e, x.op, { status: got?.status ?? 0, body: got }, `${what} line ${j + 1}: ${JSON.stringify(got)}`)
          }
        }
        const restart = async (r: RestartOp) => {
          const rebuilt = new ArticleState()
          const keyed: ({ event: NewswireEvent; at: number } & IdempotencyHeaders)[] = []
          for (const x of written) {
            if ('tombstone' in x) rebuilt.erase(x.tombstone, `tombstone-${x.tombstone}`, 0)
            else {
              rebuilt.apply(x.event)
              if (x.idempotency) keyed.push({ event: x.event, at: x.at, ...x.idempotency })
            }
          }
          collectPublished()
          await app.close()
          app = await startInProcessApp(rebuilt, apiKeysEnv, undefined, undefined, BOUND, new ClockedCache(clock, BOUND))
          seenWritten = 0
          publishedSeen = 0
          // a story's records in order; the stories' partitions in story order, or the last story first
          const order = <T extends { story: number }>(list: T[], reversed = r.reversed) =>
            reversed ? [...list].sort((a, b) => b.story - a.story) : list
          // twice: news.article-events, then news.articles in the other partition order (a start reads both)
          const passes = <T extends { story: number }>(list: T[]) => (r.twice ? [...order(list), ...order(list, !r.reversed)] : order(list))
          const storyOf = (id: string) => Number(id.slice(id.lastIndexOf('-s') + 2))
          for (const rec of passes(keyed.map((k) => ({ ...k, story: storyOf(k.event.article.id) }))))
            rememberAnswer(app.idempotency, recordOf(rec, rec.at), () => rec.event)
          answers = ModelAnswers.readBack(BOUND, passes(records), clock.now)
          if (r.twice) stats.readTwice++
          restarts++
          stats.restarts++
        }
        for (const step of steps) {
          if (step.kind === 'tick') {
            clock.tick(step.ms)
            stats.ticks++
          } else if (step.kind === 'restart') await restart(step)
          else if (step.kind === 'lost') {
            await single(step.save)
            const saved = singles.at(-1)
            for (const op of pushers(step, steps.indexOf(step))) await single(op)
            if (saved) await single(saved.op, saved)
          } else if (step.kind === 'freed') {
            const ops = freedOps(step, steps.indexOf(step))
            for (const [i, op] of ops.entries()) {
              if (i === ops.length - 1) {
                // the takedown, sent again as it was
                const sent = singles.findLast((x) => x.op === op)
                if (sent) await single(sent.op, sent)
              } else if (op !== null) {
                // sent just before its key's save ends, so that it ends before the takedown's answer
                if (step.how === 'ttl' && op === ops[ops.length - 1]) clock.tick(TTL - 5_000)
                await single(op)
              } else if (step.how === 'ttl') clock.tick(10_000)
              else await restart({ kind: 'restart', reversed: false })
            }
            stats.freed++
          } else if (step.kind === 'moved') for (const op of movedOps(step)) await single(op)
          else if (step.kind === 'batch')
            await batch(
              step,
              step.lines.map((op) => ({ op })),
            )
          else if (step.kind === 'twin') await single(step.op, undefined, true)
          else if (step.kind === 'retry' && step.pick % 2 === 1 && batches.length > 0) {
            const again = batches[step.pick % batches.length] as (typeof batches)[number]
            await batch(again.b, again.lines, again.sent)
            stats.batchRetries++
          } else if (step.kind === 'retry') {
            const again = singles[singles.length - 1 - (step.pick % Math.max(1, singles.length))]
            if (again) await single(again.op, again)
          } else await single(step)
        }
        collectPublished()
        assert.deepEqual(
          modelEventsOf(published, prefix),
          Object.fromEntries([...events].sort()),
          'the published entry events are the model’s',
        )
        for (const n of STORIES) await assertEditorSees(app.url, prefix, n, w, `${prefix}-s${n} after ${restarts} restarts`)
        await finalChecks(app.url, prefix, w.stories)
      } finally {
        await app.close()
      }
    }),
    { numRuns: RUNS, includeErrorInReport: true, examples: KNOWN.map((steps) => [steps] as [Step[]]), ...MODEL_REPLAY },
  )
  t.diagnostic(`Idempotency-Keys over time: ${JSON.stringify(stats)}`)
  if (process.env.NEWSWIRE_MODEL_SEED) return
  for (const [k, n] of Object.entries(stats)) assert.ok(n > 0 || k === 'afterRestart', `no ${k} in ${run} runs`)
})
