// What the entries model tests check after a run, on the unit path and against Kafka alike: the
// entry events as the model writes them down, and that every surviving entry can still be
// updated and deleted (while the entries of killed stories and deleted entries stay as they are).
import assert from 'node:assert/strict'
import { isEntryEvent } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import { http } from '../../../../test/helpers.ts'
import { keys } from './editorial-model.ts'
import { assertAnswer, requestOf, sendRequest } from './entries-driver.ts'
import type { Sent } from './entries-driver.ts'
import { entryRevision, stepEntry } from './entries-model.ts'
import type { EntryOp, Expected, ModelEntryEvent, ModelStory, StoryNo } from './entries-model.ts'
import type { NewerEntryOp } from './entries-newer.ts'

export interface RunOptions {
  prefix: string
  stories: Map<StoryNo, ModelStory>
  /** The model's entry events, per `s<n>/e<m>`, filled as the run goes. */
  events: Map<string, ModelEntryEvent[]>
  /** The ingest instance `at` (0, 1, ...) of the run. */
  url: (at: number) => string
  /** Which instance each op goes to (default 0). */
  where?: readonly number[]
  statuses: Map<number, number>
  /**
   * A newer instance's record (unit path, entries-newer.ts): written to the model and the state;
   * returns the client's keyed request it committed undecodably, which the next retry sends here.
   */
  newer?: (op: NewerEntryOp) => Sent | null
}

/**
 * Sends `ops` and checks every answer against the model. A retry sends the last request that had
 * an Idempotency-Key again: a committed answer (it travels in Kafka headers) to the next instance,
 * any other where it was given. A 2xx, 401 or 403 must come back as it was; a refusal is not
 * remembered, so it is decided again on the model's state as it is now, and once such a retry
 * succeeds its answer is the key's.
 */
export async function driveRun(ops: readonly (EntryOp | NewerEntryOp)[], o: RunOptions): Promise<void> {
  let last: {
    sent: Sent
    at: number
    op: Exclude<EntryOp, { kind: 'retry' }> | NewerEntryOp
    revision: number | undefined
    first: Expected
    body: unknown
  } | null = null
  for (const [i, op] of ops.entries()) {
    if (op.kind === 'newer') {
      assert.ok(o.newer, 'newer records on the unit path only')
      const sent = o.newer(op)
      if (sent !== null) last = { sent, at: 0, op, revision: undefined, first: { status: 503, code: 'not_ready' }, body: null }
      continue
    }
    if (op.kind === 'retry') {
      if (last === null) continue
      const at: number = last.first.event ? last.at + 1 : last.at
      const res = await sendRequest({ ...last.sent, url: last.sent.url.replace(o.url(last.at), o.url(at)) })
      const what: string = `retry on ${at} of ${JSON.stringify(last.op)}: ${res.text}`
      if (last.op.kind === 'newer') {
        // committed in a record this instance cannot decode: never decided again, however the state reads now
        assertAnswer(res, last.first, what)
      } else if (last.first.status < 300 || last.first.status === 401 || last.first.status === 403) {
        assert.equal(res.status, last.first.status, what)
        if (last.first.status < 300) assert.deepEqual(res.body, last.body, what)
      } else {
        const expected = stepEntry(o.stories, last.op, last.revision)
        assertAnswer(res, expected, what)
        if (expected.event) record(o.events, last.op, expected.event)
        // A retry that succeeds is the key's answer from then on: later retries replay it
        if (expected.status < 300) last = { sent: last.sent, at, op: last.op, revision: last.revision, first: expected, body: res.body }
      }
      continue
    }
    const at = o.where?.[i] ?? 0
    const revision = entryRevision(o.stories, op)
    const sent = requestOf(o.url(at), o.prefix, op, revision, `${o.prefix}-op${i}`)
    const expected = stepEntry(o.stories, op, revision)
    const res = await sendRequest(sent)
    o.statuses.set(res.status, (o.statuses.get(res.status) ?? 0) + 1)
    assertAnswer(res, expected, `${JSON.stringify(op)} on ${at}: ${res.text}`)
    if (expected.event) record(o.events, op, expected.event)
    if ('idem' in op && op.idem) last = { sent, at, op, revision, first: expected, body: res.body }
  }
}

function record(events: Map<string, ModelEntryEvent[]>, op: EntryOp, event: ModelEntryEvent): void {
  if (!('entry' in op)) return
  const key = `s${op.story}/e${op.entry}`
  events.set(key, [...(events.get(key) ?? []), event])
}

/** The entry events of run `prefix`, per `s<n>/e<m>`, in the model's terms; versions must grow. */
export function modelEventsOf(events: readonly NewswireEvent[], prefix: string): Record<string, ModelEntryEvent[]> {
  const out = new Map<string, ModelEntryEvent[]>()
  for (const e of events) {
    if (!isEntryEvent(e) || !e.article.id.startsWith(`${prefix}-s`)) continue
    const key = `${e.article.id.slice(prefix.length + 1)}/${e.entry.id}`
    const list = out.get(key) ?? []
    const prev = list.at(-1)
    assert.ok(prev === undefined || e.entry.version > prev.version, `${key}: version ${e.entry.version} after ${prev?.version}`)
    list.push({
      type: e.type,
      version: e.entry.version,
      seq: e.entry.seq,
      pubStatus: e.entry.pubStatus,
      embargoedUntil: e.entry.embargoedUntil === null ? null : new Date(e.entry.embargoedUntil).toISOString(),
      correction: e.correction?.note ?? null,
    })
    out.set(key, list)
  }
  return Object.fromEntries([...out].sort())
}

/** Every entry the model holds can be updated and deleted, unless deleted or in a killed story. */
export async function finalChecks(base: string, prefix: string, stories: Map<StoryNo, ModelStory>): Promise<void> {
  const key = keys.dev.key
  for (const [n, story] of stories) {
    for (const [entry, m] of story.entries) {
      const url = `${base}/v1/articles/${prefix}-s${n}/entries/e${entry}`
      const what = `${prefix}-s${n}/e${entry}`
      const patched = await http(url, {
        method: 'PATCH',
        key,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ headline: 'Last word' }),
      })
      const deleted = await http(url, { method: 'DELETE', key, json: { reason: 'end of the test' } })
      if (story.unreadable.has('story') || story.unreadable.has(entry)) {
        // what it cannot read, it decides nothing on
        assert.deepEqual([patched.status, deleted.status], [503, 503], `${what}: ${patched.text} ${deleted.text}`)
      } else if (story.killed) {
        assert.deepEqual([patched.status, deleted.status], [404, 404], `${what}: ${patched.text} ${deleted.text}`)
      } else if (m.pubStatus === 'canceled') {
        assert.deepEqual([patched.status, deleted.status], [409, 200], `${what}: ${patched.text} ${deleted.text}`)
        assert.equal((deleted.body as { unchanged?: boolean }).unchanged, true, what)
      } else {
        assert.equal(patched.status, 200, `${what}: ${patched.text}`)
        assert.equal(deleted.status, 200, `${what}: ${deleted.text}`)
        const [p, d] = [patched.body as { version: number; type: string }, deleted.body as { version: number; type: string }]
        assert.deepEqual([p.type, p.version, d.type, d.version], ['ENTRY_UPDATED', m.version + 1, 'ENTRY_DELETED', m.version + 2], what)
      }
    }
  }
}
