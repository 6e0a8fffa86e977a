// Drives a running ingest (in-process or against Kafka) with the entries model's operations, and
// checks what it answers and what GET shows, for the model-based tests of issue 17.
import assert from 'node:assert/strict'
import type { EntryJson } from '@newswire/shared'
import { http } from '../../../../test/helpers.ts'
import type { HttpResult } from '../../../../test/helpers.ts'
import { keys, revisionLiteral } from './editorial-model.ts'
import { bodyOf, headlineOf, noteOf } from './entries-model.ts'
import type { EntryOp, Expected, ModelEntry, ModelStory, StoryNo } from './entries-model.ts'

/** One request, kept so a retry can send it again exactly. */
export interface Sent {
  url: string
  init: { method: string; key: string; headers: Record<string, string>; body: string }
}

const json = { 'content-type': 'application/json' }
const mergePatch = { 'content-type': 'application/merge-patch+json' }
const ndjson = { 'content-type': 'application/x-ndjson' }

/** The request for `op` (not a retry) on the stories of run `prefix`. */
export function requestOf(
  base: string,
  prefix: string,
  op: Exclude<EntryOp, { kind: 'retry' }>,
  revision: number | undefined,
  idemKey: string,
): Sent {
  const story = `${prefix}-s${op.story}`
  const article = `${base}/v1/articles/${story}`
  if (op.kind === 'live') {
    return { url: article, init: { method: 'PATCH', key: keys.dev.key, headers: mergePatch, body: JSON.stringify({ live: op.live }) } }
  }
  if (op.kind === 'erase') {
    return {
      url: `${article}/erase`,
      init: { method: 'POST', key: keys.legal.key, headers: json, body: JSON.stringify({ reason: 'model' }) },
    }
  }
  if (op.kind === 'kill') {
    return {
      url: `${article}/withdraw`,
      init: { method: 'POST', key: keys.legal.key, headers: json, body: JSON.stringify({ reason: 'model' }) },
    }
  }
  const url = `${article}/entries/e${op.entry}`
  const key = keys[op.key].key
  const idem: Record<string, string> = op.idem ? { 'idempotency-key': idemKey } : {}
  if (op.kind === 'delete')
    return { url, init: { method: 'DELETE', key, headers: { ...json, ...idem }, body: JSON.stringify({ reason: 'model' }) } }
  const body: Record<string, unknown> = {}
  if (op.kind === 'put' || op.text !== undefined) {
    const text = op.kind === 'put' ? op.text : (op.text ?? 0)
    body.headline = headlineOf(text)
    body.body = bodyOf(text)
  }
  if (op.kind === 'put') {
    body.pinned = op.pinned
    body.keyEvent = op.keyEvent
    if (revision !== undefined) body.version = revision
  } else if (op.pinned !== undefined) {
    body.pinned = op.pinned
  }
  if (op.pubStatus !== undefined) body.pubStatus = op.pubStatus
  if (op.embargoedUntil !== undefined) body.embargoedUntil = op.embargoedUntil
  if (op.correction !== undefined) body.correction = { note: noteOf(op.correction) }
  // a revision spelled `N.0`, or `N.99999999999999999` (read as N + 1: refused)
  const spelled = (text: string) =>
    op.kind === 'put' && revision !== undefined
      ? text.replace(`"version":${revision}`, `"version":${revisionLiteral(op.revision, revision)}`)
      : text
  if (op.kind === 'put' && op.via === 'batch') {
    const line = spelled(JSON.stringify({ id: `e${op.entry}`, ...body }))
    return { url: `${article}/entries/batch`, init: { method: 'POST', key, headers: { ...ndjson, ...idem }, body: `${line}\n` } }
  }
  const method = op.kind === 'put' ? 'PUT' : 'PATCH'
  return {
    url,
    init: { method, key, headers: { ...(op.kind === 'put' ? json : mergePatch), ...idem }, body: spelled(JSON.stringify(body)) },
  }
}

/** Sends the request; a batch of one line answers with that line's answer (a refusal of the request stays its own). */
export async function sendRequest(req: Sent): Promise<HttpResult> {
  const r = await http(req.url, req.init)
  if (!req.url.endsWith('/entries/batch')) return r
  const line = (r.body as { results?: ({ status: number } & Record<string, unknown>)[] }).results?.[0]
  if (r.status !== 200 || line === undefined) return r
  return { ...r, status: line.status, body: line, text: `batch line: ${JSON.stringify(line)}` }
}

/** Creates the run's stories: s0 live, s1 an ordinary article; s2 stays missing. */
export async function createStories(base: string, prefix: string): Promise<void> {
  for (const [n, live] of [
    [0, true],
    [1, false],
  ] as const) {
    const r = await http(`${base}/v1/articles`, {
      method: 'POST',
      key: keys.dev.key,
      json: { id: `${prefix}-s${n}`, language: 'en', headline: `Story ${n}`, summary: 'A story.', live },
    })
    assert.equal(r.status, 201, r.text)
  }
}

/** The answer is the model's: status, problem code, and for writes the event type, version and seq. */
export function assertAnswer(res: HttpResult, expected: Expected, what: string): void {
  assert.equal(res.status, expected.status, what)
  const body = res.body as { code?: string; version?: number; seq?: number; type?: string; unchanged?: boolean }
  if (expected.code !== undefined) assert.equal(body.code, expected.code, what)
  if (expected.event) {
    assert.deepEqual([body.type, body.version, body.seq], [expected.event.type, expected.event.version, expected.event.seq], what)
  } else if (expected.unchanged) {
    assert.equal(body.unchanged, true, what)
  }
}

/** What GET shows of every entry of the story is the model's (404 for a story that never existed). */
export async function assertStoryShows(
  base: string,
  prefix: string,
  n: StoryNo,
  story: ModelStory | undefined,
  what: string,
): Promise<void> {
  const r = await http(`${base}/v1/articles/${prefix}-s${n}/entries`, { key: keys.desk.key })
  if (story === undefined) {
    assert.equal(r.status, 404, `${what}: ${r.text}`)
    return
  }
  if (story.unreadable.size > 0) {
    // a key of it this instance cannot read: 503, not the story or its entries as they were
    assert.deepEqual([r.status, (r.body as { code?: string }).code], [503, 'not_ready'], `${what}: ${r.text}`)
    return
  }
  assert.equal(r.status, 200, `${what}: ${r.text}`)
  const list = r.body as { live: boolean; pubStatus: string; entries: EntryJson[] }
  assert.equal(list.live, story.live, what)
  assert.equal(list.pubStatus === 'canceled', story.killed, what)
  // an entry known only by its tombstone is not listed (its seq is not known)
  const expected = [...story.entries.entries()].filter(([, m]) => m.erased !== true).sort(([, a], [, b]) => a.seq - b.seq)
  assert.deepEqual(
    list.entries.map((e) => shown(e)),
    expected.map(([entry, m]) => ({ id: `e${entry}`, ...modelShown(m) })),
    what,
  )
  // seqs are 1, 2, 3... in creation order, without gaps (an erased one's among them)
  const seqs = [...story.entries.values()].map((m) => m.seq).sort((a, b) => a - b)
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i + 1),
    what,
  )
}

function shown(e: EntryJson) {
  return {
    id: e.id,
    version: e.version,
    seq: e.seq,
    headline: e.headline,
    body: e.body,
    pinned: e.pinned,
    keyEvent: e.keyEvent,
    pubStatus: e.pubStatus,
    embargoedUntil: e.embargoedUntil,
    corrections: e.corrections.map((c) => c.note),
  }
}

function modelShown(m: ModelEntry) {
  // erased under a tombstone: none of its text is shown
  const wiped = m.wiped === true
  return {
    version: m.version,
    seq: m.seq,
    headline: wiped ? null : headlineOf(m.text),
    body: wiped ? [] : bodyOf(m.text),
    pinned: m.pinned,
    keyEvent: m.keyEvent,
    pubStatus: m.pubStatus,
    embargoedUntil: m.embargoedUntil,
    corrections: wiped ? [] : m.corrections,
  }
}
