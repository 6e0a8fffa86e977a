// Issue 14, problems 2 and 3, against the real broker: who may change an article's editorial
// controls (pubStatus, embargoedUntil), and that nothing is published by omission. Each case
// checks the answer, what GET shows afterwards, and what reached Kafka.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { topicNames } from '@newswire/shared'
import type { ArticleJson } from '@newswire/shared'
import { http, readTopic, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import type { HttpResult } from '../../../test/helpers.ts'

const KEYS = {
  all: 'dev-ingest-key',
  writer: 'writer-key-0001',
  importer: 'importer-key-001',
  otherImporter: 'importer-key-002',
  killer: 'killer-key-0001',
  reader: 'reader-key-0001',
}
const API_KEYS = [
  `dev:${KEYS.all}:*`,
  `cms:${KEYS.writer}:write`,
  `scraper:${KEYS.importer}:import`,
  `scraper2:${KEYS.otherImporter}:import`,
  `legal:${KEYS.killer}:withdraw`,
  `desk:${KEYS.reader}:read`,
].join(',')
const EMBARGO = '2031-01-01T06:00:00.000Z'
const page = readFileSync(join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'articles', 'bn-seed-russia-north-korea.txt'))

const article = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  language: 'en',
  headline: `Headline of ${id}`,
  body: ['First paragraph.'],
  ...extra,
})

async function start(t: Parameters<typeof startTestIngest>[0]) {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix, { INGEST_API_KEYS: API_KEYS })
  const post = (body: unknown, key = KEYS.writer) => http(`${ingest.url}/v1/articles`, { method: 'POST', key, json: body })
  const patch = (id: string, body: unknown, key = KEYS.writer, type = 'application/merge-patch+json') =>
    http(`${ingest.url}/v1/articles/${id}`, { method: 'PATCH', key, headers: { 'content-type': type }, body: JSON.stringify(body) })
  const importPage = (id: string, body: BodyInit = page, key = KEYS.importer) =>
    http(`${ingest.url}/v1/import/scraped?id=${id}`, { method: 'POST', key, headers: { 'content-type': 'text/plain' }, body })
  const withdraw = (id: string, key = KEYS.killer) =>
    http(`${ingest.url}/v1/articles/${id}/withdraw`, { method: 'POST', key, json: { reason: 'legal' } })
  const get = async (id: string): Promise<ArticleJson> => {
    const r = await http(`${ingest.url}/v1/articles/${id}`, { key: KEYS.reader })
    assert.equal(r.status, 200, r.text)
    return (r.body as { article: ArticleJson }).article
  }
  const events = (until: number) => readTopic(topicNames(prefix).events, (all) => all.length >= until)
  return { ingest, prefix, post, patch, importPage, withdraw, get, events }
}

function expectStatus(r: HttpResult, status: number, code?: string): void {
  assert.equal(r.status, status, r.text)
  if (code !== undefined) assert.equal((r.body as { code?: string }).code, code, r.text)
}

describe('issue 14.2: who may change what', () => {
  test('a key with only the write scope cannot kill by posting pubStatus canceled', async (t) => {
    const s = await start(t)
    expectStatus(await s.post(article('kill-1')), 201)
    const refused = await s.post(article('kill-1', { pubStatus: 'canceled' }))
    expectStatus(refused, 422, 'validation_failed')
    assert.deepEqual(
      (refused.body as { errors: { field: string; code: string }[] }).errors.map((e) => [e.field, e.code]),
      [['pubStatus', 'use_withdraw']],
    )
    expectStatus(await s.patch('kill-1', { pubStatus: 'canceled' }), 422, 'validation_failed')
    // the same request with every scope is refused too: a kill goes through withdraw, with a reason
    expectStatus(await s.post(article('kill-1', { pubStatus: 'canceled' }), KEYS.all), 422, 'validation_failed')
    expectStatus(await s.withdraw('kill-1', KEYS.writer), 403, 'forbidden')
    assert.equal((await s.get('kill-1')).pubStatus, 'usable')
    expectStatus(await s.withdraw('kill-1'), 200)
    const events = await s.events(2)
    assert.deepEqual(
      events.map((e) => [e.event.type, e.event.article.pubStatus, e.event.source]),
      [
        ['CREATED', 'usable', 'cms'],
        ['WITHDRAWN', 'canceled', 'legal'],
      ],
    )
  })

  test('an import key cannot overwrite a newsroom article: its embargo and hold stay', async (t) => {
    const s = await start(t)
    expectStatus(await s.post(article('held-1', { pubStatus: 'withheld', embargoedUntil: EMBARGO })), 201)
    const refused = await s.importPage('held-1')
    expectStatus(refused, 403, 'forbidden')
    assert.equal((refused.body as { requiredScope?: string }).requiredScope, 'write')
    const after = await s.get('held-1')
    assert.deepEqual([after.version, after.pubStatus, after.embargoedUntil, after.headline], [1, 'withheld', EMBARGO, 'Headline of held-1'])
    const events = await s.events(1)
    assert.equal(events.length, 1)
  })

  test('an import key creates and updates its own articles, never one another importer or a newsroom key wrote last', async (t) => {
    const s = await start(t)
    expectStatus(await s.importPage('imp-1'), 201)
    const edited = page.toString('utf8').replace('রাশিয়ার সঙ্গে', 'রাশিয়ার সাথে')
    expectStatus(await s.importPage('imp-1', edited), 200)
    expectStatus(await s.importPage('imp-1', edited, KEYS.otherImporter), 403, 'forbidden')
    // the newsroom takes it over (and holds it): imports no longer touch it
    expectStatus(await s.patch('imp-1', { pubStatus: 'withheld' }), 200)
    expectStatus(await s.importPage('imp-1'), 403, 'forbidden')
    const after = await s.get('imp-1')
    assert.deepEqual([after.version, after.pubStatus], [3, 'withheld'])
    const events = await s.events(3)
    assert.deepEqual(
      events.map((e) => [e.event.type, e.event.source]),
      [
        ['CREATED', 'import:scraper'],
        ['UPDATED', 'import:scraper'],
        ['UPDATED', 'cms'],
      ],
    )
  })
})

describe('issue 14.3: nothing is published by omission', () => {
  test('an update that leaves out embargoedUntil and pubStatus keeps the embargo and the hold', async (t) => {
    const s = await start(t)
    expectStatus(await s.post(article('omit-1', { pubStatus: 'withheld', embargoedUntil: EMBARGO })), 201)
    // a CMS that does not know these fields, and one that sends a null status
    expectStatus(await s.post(article('omit-1', { headline: 'Corrected headline' })), 200)
    expectStatus(await s.post(article('omit-1', { headline: 'Corrected again', pubStatus: null })), 200)
    const kept = await s.get('omit-1')
    assert.deepEqual([kept.pubStatus, kept.embargoedUntil, kept.headline], ['withheld', EMBARGO, 'Corrected again'])
    // lifting and releasing need explicit values
    const released = await s.post(article('omit-1', { headline: 'Corrected again', embargoedUntil: null, pubStatus: 'usable' }))
    expectStatus(released, 200)
    assert.deepEqual((released.body as { changedFields: string[] }).changedFields, ['pubStatus', 'embargoedUntil'])
    const events = await s.events(4)
    assert.deepEqual(
      events.map((e) => [e.event.article.version, e.event.article.pubStatus, e.event.article.embargoedUntil, e.event.changedFields]),
      [
        [1, 'withheld', Date.parse(EMBARGO), []],
        [2, 'withheld', Date.parse(EMBARGO), ['headline']],
        [3, 'withheld', Date.parse(EMBARGO), ['headline']],
        [4, 'usable', null, ['pubStatus', 'embargoedUntil']],
      ],
    )
  })

  test('PATCH (JSON Merge Patch) changes only the members it names; null removes one, and lifts an embargo', async (t) => {
    const s = await start(t)
    expectStatus(await s.post(article('patch-1', { summary: 'A summary.', urgency: 2, embargoedUntil: EMBARGO })), 201)
    const headline = await s.patch('patch-1', { headline: 'New headline' })
    expectStatus(headline, 200)
    assert.deepEqual((headline.body as { changedFields: string[] }).changedFields, ['headline'])
    const a = await s.get('patch-1')
    assert.deepEqual(
      [a.headline, a.summary, a.urgency, a.embargoedUntil, a.body],
      ['New headline', 'A summary.', 2, EMBARGO, ['First paragraph.']],
    )
    expectStatus(await s.patch('patch-1', { summary: null, embargoedUntil: null }), 200)
    const b = await s.get('patch-1')
    assert.deepEqual([b.summary, b.embargoedUntil, b.version], [null, null, 3])
    // the same patch again changes nothing
    assert.deepEqual((await s.patch('patch-1', { summary: null, embargoedUntil: null })).body, {
      id: 'patch-1',
      version: 3,
      unchanged: true,
    })
    const events = await s.events(3)
    assert.deepEqual(
      events.map((e) => e.event.changedFields),
      [[], ['headline'], ['summary', 'embargoedUntil']],
    )
  })

  test('PATCH refuses what it cannot apply, and changes nothing', async (t) => {
    const s = await start(t)
    expectStatus(await s.post(article('patch-2')), 201)
    expectStatus(await s.patch('patch-2', { headline: 'x' }, KEYS.writer, 'application/json'), 415, 'unsupported_media_type')
    expectStatus(await s.patch('nobody', { headline: 'x' }), 404, 'not_found')
    expectStatus(await s.patch('patch-2', { id: 'patch-3' }), 422, 'validation_failed')
    expectStatus(await s.patch('patch-2', { headline: null }), 422, 'validation_failed')
    expectStatus(await s.patch('patch-2', { pubStatus: null }), 422, 'validation_failed')
    expectStatus(await s.patch('patch-2', { urgency: 12 }), 422, 'validation_failed')
    expectStatus(await s.patch('patch-2', ['headline']), 422, 'validation_failed')
    const proto = await http(`${s.ingest.url}/v1/articles/patch-2`, {
      method: 'PATCH',
      key: KEYS.writer,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: '{"__proto__": {"pubStatus": "usable"}}',
    })
    expectStatus(proto, 422, 'validation_failed')
    expectStatus(await s.patch('patch-2', { headline: 'x' }, KEYS.importer), 403, 'forbidden')
    expectStatus(await s.withdraw('patch-2'), 200)
    expectStatus(await s.patch('patch-2', { headline: 'revived?' }), 409, 'conflict')
    const events = await s.events(2)
    assert.deepEqual(
      events.map((e) => e.event.type),
      ['CREATED', 'WITHDRAWN'],
    )
  })
})
