// Drives a running ingest (in-process or against Kafka) with the model's operations, and reads
// back what GET shows, for the model-based tests.
import assert from 'node:assert/strict'
import type { ArticleJson } from '@newswire/shared'
import { http } from '../../../../test/helpers.ts'
import type { HttpResult } from '../../../../test/helpers.ts'
import { headlineOf, keys, pageOf, revisionLiteral } from './editorial-model.ts'
import type { KeyName, ModelArticle, Op } from './editorial-model.ts'

/**
 * `body` as JSON text; when `twice` is set, with `pubStatus` named a second time at its end, as
 * `twice` (a body without one names it twice there: a hold, then `twice`) (red13b).
 */
function withTwice(body: Record<string, unknown>, twice: string | undefined): string {
  const text = JSON.stringify(body)
  if (twice === undefined) return text
  const first = Object.hasOwn(body, 'pubStatus') ? '' : '"pubStatus":"withheld",'
  return `${text.slice(0, -1)}${text === '{}' ? '' : ','}${first}"pubStatus":${JSON.stringify(twice)}}`
}

/** The JSON text of a POST (or a batch line) of `op` for article `id`. */
export function postText(id: string, op: Extract<Op, { kind: 'post' }>, revision: number | undefined): string {
  const body: Record<string, unknown> = {
    id,
    language: 'en',
    headline: headlineOf(op.headline),
    body: ['post body'],
    summary: op.summary,
    urgency: op.urgency,
  }
  if (op.pubStatus !== undefined) body.pubStatus = op.pubStatus
  if (op.embargoedUntil !== undefined) body.embargoedUntil = op.embargoedUntil
  if (revision !== undefined) body.version = revision
  const text = withTwice(body, op.twice)
  // a revision spelled as some CMSes write it (`7.0`), or as none means it (`6.99999999999999999`)
  return revision === undefined ? text : text.replace(`"version":${revision}`, `"version":${revisionLiteral(op.revision, revision)}`)
}

/** An NDJSON batch of `lines` under API key `key` (and `idempotencyKey`): the request's answer, and each line's. */
export async function sendBatch(
  base: string,
  key: KeyName,
  lines: { id: string; op: Extract<Op, { kind: 'post' }>; revision: number | undefined }[],
  idempotencyKey?: string,
): Promise<{ res: HttpResult; lines: ({ status: number } & Record<string, unknown>)[] }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' }
  if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey
  const body = lines.map((l) => `${postText(l.id, l.op, l.revision)}\n`).join('')
  const res = await http(`${base}/v1/articles/batch`, { method: 'POST', key: keys[key].key, headers, body })
  return { res, lines: (res.body as { results?: ({ status: number } & Record<string, unknown>)[] }).results ?? [] }
}

/** Sends `op` for article `id` to the ingest at `base` the way a client would, under `idempotencyKey` if given. */
export async function send(base: string, id: string, op: Op, revision: number | undefined, idempotencyKey?: string): Promise<HttpResult> {
  const key = keys[op.key].key
  const keyed: Record<string, string> = idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }
  switch (op.kind) {
    case 'post': {
      const text = postText(id, op, revision)
      if (op.via === 'single')
        return http(`${base}/v1/articles`, { method: 'POST', key, headers: { 'content-type': 'application/json', ...keyed }, body: text })
      // one line of a batch: a refusal of the request (key, scope) is its own; else the line's answer
      const headers = { 'content-type': 'application/x-ndjson', ...keyed }
      const r = await http(`${base}/v1/articles/batch`, { method: 'POST', key, headers, body: `${text}\n` })
      const line = (r.body as { results?: ({ status: number } & Record<string, unknown>)[] }).results?.[0]
      if (r.status !== 200 || line === undefined) return r
      return { ...r, status: line.status, body: line, text: `batch line: ${JSON.stringify(line)}` }
    }
    case 'patch': {
      const patch: Record<string, unknown> = {}
      if (op.headline !== undefined) patch.headline = headlineOf(op.headline)
      for (const f of ['summary', 'urgency', 'pubStatus', 'embargoedUntil'] as const) if (op[f] !== undefined) patch[f] = op[f]
      const headers = { 'content-type': 'application/merge-patch+json', ...keyed }
      return http(`${base}/v1/articles/${id}`, { method: 'PATCH', key, headers, body: withTwice(patch, op.twice) })
    }
    case 'import':
      return http(`${base}/v1/import/scraped?id=${id}`, {
        method: 'POST',
        key,
        headers: { 'content-type': 'text/plain', ...keyed },
        body: pageOf(op.variant),
      })
    case 'withdraw':
      return http(`${base}/v1/articles/${id}/withdraw`, { method: 'POST', key, headers: keyed, json: { reason: 'model' } })
    case 'erase':
      return http(`${base}/v1/articles/${id}/erase`, { method: 'POST', key, headers: keyed, json: { reason: 'model' } })
  }
}

/** GET with the read-only key. */
export async function get(base: string, id: string): Promise<HttpResult> {
  return http(`${base}/v1/articles/${id}`, { key: keys.desk.key })
}

/** What GET shows is the model's article (or 404 when the model has none). */
export function assertShows(r: HttpResult, model: ModelArticle | undefined, what: string): void {
  if (model === undefined) {
    assert.equal(r.status, 404, `${what}: ${r.text}`)
    return
  }
  assert.equal(r.status, 200, `${what}: ${r.text}`)
  const a = (r.body as { article: ArticleJson }).article
  assert.deepEqual(
    {
      version: a.version,
      pubStatus: a.pubStatus,
      embargoedUntil: a.embargoedUntil,
      headline: a.headline,
      summary: a.summary,
      urgency: a.urgency,
    },
    {
      version: model.version,
      pubStatus: model.pubStatus,
      embargoedUntil: model.embargoedUntil,
      headline: model.headline,
      summary: model.summary,
      urgency: model.urgency,
    },
    what,
  )
}
