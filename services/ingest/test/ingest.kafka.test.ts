// Ingest against the real broker: HTTP in, decoded Avro events out of Kafka.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { eventToJson, isEntryEvent, topicNames } from '@newswire/shared'
import { http, readTopic, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'

const repoRoot = join(import.meta.dirname, '..', '..', '..')
const sample = readFileSync(join(repoRoot, 'test', 'fixtures', 'articles', 'bn-seed-russia-north-korea.txt'))
const expected = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'bn-seed-expected.json'), 'utf8')) as {
  type: string
  article: Record<string, unknown>
}

const english = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  language: 'en',
  headline: 'Floods close   the Dhaka–Chattogram highway',
  body: ['First paragraph.', 'Second  paragraph.'],
  category: 'national',
  urgency: 3,
  ...extra,
})

describe('ingest → Kafka', () => {
  test('the Bengali sample goes in through /v1/import/scraped and comes out of Kafka as the expected Avro event', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const res = await http(`${ingest.url}/v1/import/scraped?id=bd-2024-0817-russia-nk`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: sample,
    })
    assert.equal(res.status, 201, res.text)
    const body = res.body as { id: string; version: number; eventId: string; type: string }
    assert.equal(body.type, 'CREATED')
    assert.equal(body.version, 1)

    const [received] = await readTopic(topicNames(prefix).events, (all) => all.length >= 1)
    assert.ok(received)
    assert.equal(received.message.key?.toString('utf8'), 'bd-2024-0817-russia-nk')
    assert.equal(received.message.headers?.['event-type']?.toString(), 'CREATED')
    assert.equal(received.message.headers?.['trace-id']?.toString(), res.headers.get('x-trace-id'))
    assert.ok(!isEntryEvent(received.event))
    const json = eventToJson(received.event)
    assert.equal(json.eventId, body.eventId)
    assert.equal(json.type, expected.type)
    assert.deepEqual(json.article, { id: 'bd-2024-0817-russia-nk', ...expected.article })
    // every string survived byte for byte and is NFC
    for (const s of [json.article.headline, ...json.article.body, ...json.article.related.map((r) => r.headline)]) {
      assert.equal(s, s.normalize('NFC'))
    }

    // importing the same page again changes nothing
    const again = await http(`${ingest.url}/v1/import/scraped?id=bd-2024-0817-russia-nk`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: sample,
    })
    assert.equal(again.status, 200)
    assert.deepEqual(again.body, { id: 'bd-2024-0817-russia-nk', version: 1, unchanged: true })
  })

  test('create → update → unchanged → withdraw publishes exactly three events in order', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const url = `${ingest.url}/v1/articles`

    const created = await http(url, { method: 'POST', json: english('en-1') })
    assert.equal(created.status, 201, created.text)
    assert.equal((created.body as { type: string }).type, 'CREATED')

    const updated = await http(url, { method: 'POST', json: english('en-1', { headline: 'Floods close the highway for a second day' }) })
    assert.equal(updated.status, 200, updated.text)
    assert.deepEqual(updated.body, {
      id: 'en-1',
      version: 2,
      eventId: (updated.body as { eventId: string }).eventId,
      type: 'UPDATED',
      changedFields: ['headline'],
    })

    // same content after NFC and whitespace cleanup
    const same = await http(url, {
      method: 'POST',
      json: english('en-1', {
        headline: '  Floods close the highway\tfor a second   day ',
        body: ['First paragraph.', 'Second paragraph.'],
      }),
    })
    assert.equal(same.status, 200)
    assert.deepEqual(same.body, { id: 'en-1', version: 2, unchanged: true })

    const withdrawn = await http(`${url}/en-1/withdraw`, { method: 'POST', json: { reason: 'legal' } })
    assert.equal(withdrawn.status, 200, withdrawn.text)
    assert.equal((withdrawn.body as { type: string }).type, 'WITHDRAWN')

    const events = await readTopic(topicNames(prefix).events, (all) => all.length >= 3)
    assert.deepEqual(
      events.map((r) => [r.event.type, r.event.article.version, r.event.article.pubStatus]),
      [
        ['CREATED', 1, 'usable'],
        ['UPDATED', 2, 'usable'],
        ['WITHDRAWN', 3, 'canceled'],
      ],
    )
    assert.equal(events[2]?.event.reason, 'legal')

    const latest = await http(`${url}/en-1`)
    assert.equal(latest.status, 200)
    assert.equal((latest.body as { article: { pubStatus: string; version: number } }).article.pubStatus, 'canceled')

    // a killed article is not revived
    const revive = await http(url, { method: 'POST', json: english('en-1', { headline: 'Back again' }) })
    assert.equal(revive.status, 409)
    assert.equal((revive.body as { code: string }).code, 'conflict')
  })

  test('Idempotency-Key returns the first answer and publishes once', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const post = () =>
      http(`${ingest.url}/v1/articles`, { method: 'POST', headers: { 'idempotency-key': 'req-42' }, json: english('idem-1') })
    const [a, b] = await Promise.all([post(), post()])
    const c = await post()
    assert.equal(a.status, 201)
    assert.deepEqual(b.body, a.body)
    assert.equal(c.status, 201)
    assert.deepEqual(c.body, a.body)
    const other = await http(`${ingest.url}/v1/articles`, {
      method: 'POST',
      headers: { 'idempotency-key': 'req-42' },
      json: english('idem-1', { headline: 'different' }),
    })
    assert.equal(other.status, 422)
    assert.equal((other.body as { code: string }).code, 'idempotency_key_reused')
    // a second instance (fresh memory) answers the retry from the Kafka headers
    const second = await startTestIngest(t, prefix)
    const d = await http(`${second.url}/v1/articles`, { method: 'POST', headers: { 'idempotency-key': 'req-42' }, json: english('idem-1') })
    assert.equal(d.status, 201)
    assert.deepEqual(d.body, a.body)
    const events = await readTopic(topicNames(prefix).events, (all) => all.length >= 1)
    assert.equal(events.length, 1)
  })

  test('batch NDJSON: results per line in order, bad lines do not sink good ones', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const lines = [
      JSON.stringify(english('b-1')),
      '{not json',
      JSON.stringify({ id: 'b-2', language: 'xx-nope', headline: '' }),
      JSON.stringify(english('b-1', { headline: 'b-1 updated' })),
      JSON.stringify(english('b-3', { language: 'bn', headline: 'বাংলা শিরোনাম' })),
    ]
    const res = await http(`${ingest.url}/v1/articles/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: `${lines.join('\n')}\n`,
    })
    assert.equal(res.status, 200, res.text)
    const { summary, results } = res.body as {
      summary: Record<string, number>
      results: { line: number; status: number; code?: string; version?: number }[]
    }
    assert.deepEqual(summary, { lines: 5, created: 2, updated: 1, unchanged: 0, failed: 2 })
    assert.deepEqual(
      results.map((r) => [r.line, r.status, r.code ?? null]),
      [
        [1, 201, null],
        [2, 400, 'malformed_json'],
        [3, 422, 'validation_failed'],
        [4, 200, null],
        [5, 201, null],
      ],
    )
    assert.equal(results[3]?.version, 2)
  })

  test('bad input gets a specific problem response and publishes nothing', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix, {
      INGEST_MAX_BODY_BYTES: '4096',
      INGEST_API_KEYS: 'cms:cms-secret-key:write,reader:reader-secret:read',
    })
    const url = `${ingest.url}/v1/articles`
    const key = 'cms-secret-key'
    const cases: { name: string; init: Parameters<typeof http>[1]; status: number; code: string }[] = [
      { name: 'no key', init: { method: 'POST', json: english('x'), key: null }, status: 401, code: 'unauthorized' },
      { name: 'wrong key', init: { method: 'POST', json: english('x'), key: 'nope-nope-nope' }, status: 401, code: 'unauthorized' },
      { name: 'wrong scope', init: { method: 'POST', json: english('x'), key: 'reader-secret' }, status: 403, code: 'forbidden' },
      {
        name: 'malformed JSON',
        init: { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: '{"id": ' },
        status: 400,
        code: 'malformed_json',
      },
      {
        name: 'invalid UTF-8',
        init: {
          method: 'POST',
          key,
          headers: { 'content-type': 'application/json' },
          body: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
        },
        status: 400,
        code: 'invalid_utf8',
      },
      {
        name: 'wrong content type',
        init: { method: 'POST', key, headers: { 'content-type': 'text/xml' }, body: '<a/>' },
        status: 415,
        code: 'unsupported_media_type',
      },
      {
        name: 'too large',
        init: { method: 'POST', key, json: english('x', { body: ['a'.repeat(5000)] }) },
        status: 413,
        code: 'payload_too_large',
      },
      {
        name: 'lone surrogate',
        init: {
          method: 'POST',
          key,
          headers: { 'content-type': 'application/json' },
          body: '{"id":"x","language":"en","headline":"\\ud800","body":["a"]}',
        },
        status: 422,
        code: 'validation_failed',
      },
    ]
    for (const c of cases) {
      const res = await http(url, c.init)
      assert.equal(res.status, c.status, `${c.name}: ${res.text}`)
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/, c.name)
      assert.equal((res.body as { code: string }).code, c.code, c.name)
    }

    const invalid = await http(url, {
      method: 'POST',
      key,
      json: { id: 'bad id!', language: 'zz-qq', headline: '  ', url: 'ftp://x', urgency: 12, publishedAt: '17 August 2024', extra: 1 },
    })
    assert.equal(invalid.status, 422)
    const fields = (invalid.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()
    assert.deepEqual(fields, ['extra', 'headline', 'id', 'language', 'publishedAt', 'urgency', 'url'])

    const missing = await http(url, { method: 'POST', key, json: { id: 'ok-1', language: 'en', headline: 'No body' } })
    assert.equal(missing.status, 422)
    assert.deepEqual(
      (missing.body as { errors: { field: string }[] }).errors.map((e) => e.field),
      ['body'],
    )

    // nothing reached Kafka: publish one good article and check it is the only record
    const good = await http(url, { method: 'POST', key, json: english('good-1') })
    assert.equal(good.status, 201)
    const events = await readTopic(topicNames(prefix).events, (all) => all.length >= 1)
    assert.deepEqual(
      events.map((e) => e.event.article.id),
      ['good-1'],
    )
  })

  // Modes: INGEST_WRITERS of each instance (writers.ts); mixed modes must fence each other too
  const modes: [string, string][] = [
    ['partition', 'partition'],
    ['single', 'partition'],
    ['single', 'single'],
  ]
  for (const [modeA, modeB] of modes) {
    test(`two instances never publish two different events with the same (id, version) (writers: ${modeA}, ${modeB})`, async (t) => {
      const prefix = uniquePrefix()
      const a = await startTestIngest(t, prefix, { INGEST_WRITERS: modeA })
      const b = await startTestIngest(t, prefix, { INGEST_WRITERS: modeB })
      const ids = ['two-1', 'two-2', 'two-3']
      const rounds = 12
      const posts: Promise<{ status: number; body: unknown }>[] = []
      for (let r = 0; r < rounds; r++) {
        for (const id of ids) {
          // the same article updated through both instances at once, different content each time
          posts.push(http(`${a.url}/v1/articles`, { method: 'POST', json: english(id, { headline: `${id} from a, round ${r}` }) }))
          posts.push(http(`${b.url}/v1/articles`, { method: 'POST', json: english(id, { headline: `${id} from b, round ${r}` }) }))
        }
      }
      const results = await Promise.all(posts)
      const accepted = results.filter((r) => r.status === 200 || r.status === 201).length
      const refused = results.filter((r) => r.status !== 200 && r.status !== 201)
      assert.equal(accepted, results.length, `refused: ${JSON.stringify(refused)}`)
      const events = await readTopic(topicNames(prefix).events, (all) => all.length >= accepted)
      assert.equal(events.length, accepted)
      for (const id of ids) {
        const versions = events.filter((e) => e.event.article.id === id).map((e) => e.event.article.version)
        // one event per version, versions 1..n in log order
        assert.deepEqual(
          versions,
          Array.from({ length: versions.length }, (_, i) => i + 1),
          `${id}: ${versions.join(',')}`,
        )
      }
    })
  }
})
