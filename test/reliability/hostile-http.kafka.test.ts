// Issue #7, hostile HTTP input and access (ingest part): property-based fuzzing with fast-check
// against a real ingest process. Every hostile request gets a 4xx application/problem+json with a
// `code` (or Node's own bare 4xx when its HTTP parser refuses the request: 431, 400), nothing is
// published (only the deliberately valid control articles are in the topic at the end), the
// process keeps answering /healthz and its memory (VmRSS) stays bounded.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { topicNames } from '@newswire/shared'
import { validateArticle } from '@newswire/ingest'
import { brokers, http, uniquePrefix } from '../helpers.ts'
import type { HttpResult } from '../helpers.ts'
import { badIdempotencyKey, hostileJsonBody, invalidUtf8, wrongishContentType } from './hostile-inputs.ts'
import { article, assertProblem, mb, rawRequest, readToEnd, rssBytes, spawnIngest } from './support.ts'
import type { IngestProcess, RawOptions } from './support.ts'

const MAX_BODY = 256 * 1024
const KEYS = {
  all: 'dev-ingest-key',
  reader: 'reader-key-0001',
  writer: 'writer-key-0001',
  importer: 'importer-key-001',
}
const prefix = uniquePrefix()
const cleanups: (() => unknown)[] = []
let ingest: IngestProcess
let rssStart = 0
let rssPeak = 0
const figures: Record<string, unknown> = {}
let requests = 0

/** A request exactly as given (support.ts rawRequest), counted. */
function raw(path: string, options: RawOptions = {}): Promise<HttpResult> {
  requests++
  return rawRequest(ingest.url, path, options)
}

function post(path: string, body: Uint8Array | string, headers: Record<string, string | string[]> = {}): Promise<HttpResult> {
  return raw(path, { headers: { authorization: `Bearer ${KEYS.all}`, 'content-type': 'application/json', ...headers }, body })
}

async function healthy(what: string): Promise<void> {
  const r = await http(`${ingest.url}/healthz`, { key: null })
  assert.equal(r.status, 200, `/healthz after ${what}`)
  const rss = rssBytes(ingest.pid)
  rssPeak = Math.max(rssPeak, rss)
  rssSteps.push(`${what}: ${mb(rss)}`)
}
const rssSteps: string[] = []

const json = (v: unknown) => JSON.stringify(v)
const stringFields = ['headline', 'summary', 'dateline', 'categoryLabel'] as const

describe('hostile HTTP input against a real ingest process', () => {
  before(async () => {
    ingest = await spawnIngest(
      { after: (fn) => cleanups.push(fn) },
      {
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        INGEST_MAX_BODY_BYTES: String(MAX_BODY),
        INGEST_RATE_LIMIT: '100000',
        INGEST_API_KEYS: `dev:${KEYS.all}:*,reader:${KEYS.reader}:read,writer:${KEYS.writer}:write,importer:${KEYS.importer}:import`,
      },
    )
    const control = await post('/v1/articles', json(article('control-start')))
    assert.equal(control.status, 201, control.text)
    rssStart = rssBytes(ingest.pid)
    rssPeak = rssStart
  })
  after(async () => {
    for (const fn of cleanups.reverse()) await fn()
  })

  test('random bytes as a JSON body → 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        const r = await post('/v1/articles', bytes)
        assertProblem(r, 'random bytes')
      }),
      { numRuns: 300 },
    )
    await healthy('random bytes')
  })

  test('random and malformed JSON, and articles with random fields → 4xx problem (never published)', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJsonBody, async (text) => {
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch {
          parsed = undefined
        }
        // Only inputs the service must refuse: a valid article here would be published
        fc.pre(parsed === undefined || !validateArticle(parsed).ok)
        assertProblem(await post('/v1/articles', text), 'invalid JSON/article')
      }),
      { numRuns: 400 },
    )
    await healthy('random JSON')
  })

  test('invalid UTF-8 byte sequences → 400 invalid_utf8', async () => {
    await fc.assert(
      fc.asyncProperty(invalidUtf8, fc.constantFrom(...stringFields), fc.nat(40), fc.boolean(), async (seq, field, at, batch) => {
        const placeholder = 'PLACEHOLDER-TEXT-0123456789-abcdefghijklmnopqrstuvwxyz'
        const text = JSON.stringify(article('utf8-fuzz', { [field]: placeholder }))
        const i = text.indexOf(placeholder) + (at % placeholder.length)
        const bytes = Buffer.concat([Buffer.from(text.slice(0, i)), Buffer.from(seq), Buffer.from(text.slice(i))])
        const r = batch
          ? await post('/v1/articles/batch', bytes, { 'content-type': 'application/x-ndjson' })
          : await post('/v1/articles', bytes)
        assertProblem(r, `invalid UTF-8 ${Buffer.from(seq).toString('hex')} in ${field}`, { status: 400, code: 'invalid_utf8' })
      }),
      { numRuns: 200 },
    )
    await healthy('invalid UTF-8')
  })

  test('lone surrogates (\\ud800 escapes) anywhere → 422 invalid_unicode', async () => {
    const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => `\\u${c.toString(16)}`)
    const where = fc.constantFrom('headline', 'summary', 'body[0]', 'authors[0]', 'subjects[1]', 'related[0].headline', 'key')
    await fc.assert(
      fc.asyncProperty(surrogate, where, fc.string({ maxLength: 5 }), async (esc, path, around) => {
        const mark = 'SURROGATE-MARK'
        const a = article('surrogate-fuzz', {
          summary: 'Summary.',
          authors: ['A. Writer'],
          subjects: ['politics', 'x'],
          related: [{ headline: 'Related' }],
        })
        if (path === 'key') a[mark] = 'value'
        else if (path === 'headline' || path === 'summary') a[path] = `${around}${mark}`
        else if (path === 'body[0]') a.body = [`${around}${mark}`]
        else if (path === 'authors[0]') a.authors = [mark]
        else if (path === 'subjects[1]') a.subjects = ['politics', mark]
        else a.related = [{ headline: mark }]
        const text = JSON.stringify(a).replace(mark, esc)
        const r = await post('/v1/articles', text)
        assertProblem(r, `lone surrogate ${esc} in ${path}`, { status: 422, code: 'validation_failed' })
        if (path !== 'key') {
          const errors = (r.body as { errors?: { code: string }[] }).errors ?? []
          assert.ok(
            errors.some((e) => e.code === 'invalid_unicode'),
            `${esc} in ${path}: ${r.text.slice(0, 200)}`,
          )
        }
      }),
      { numRuns: 200 },
    )
    await healthy('lone surrogates')
  })

  test('huge strings, arrays, bodies and batches → 413 / 422', async () => {
    // Bodies over INGEST_MAX_BODY_BYTES, with and without a valid article inside
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 200_000 }), fc.boolean(), async (over, arrayShape) => {
        const filler = 'x'.repeat(MAX_BODY + over)
        const text = arrayShape
          ? JSON.stringify(article('huge-1', { subjects: Array.from({ length: Math.ceil((MAX_BODY + over) / 4) }, () => 'ab') }))
          : JSON.stringify(article('huge-1', { summary: filler }))
        assertProblem(await post('/v1/articles', text), 'body over the limit', { status: 413, code: 'payload_too_large' })
      }),
      { numRuns: 30 },
    )
    // Under the body limit, over the field limits
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('headline', 'summary', 'paragraph', 'subjects', 'authors', 'related', 'paragraphs', 'id'),
        fc.integer({ min: 1, max: 20_000 }),
        async (what, n) => {
          const extra: Record<string, unknown> =
            what === 'headline'
              ? { headline: 'h'.repeat(1000 + n) }
              : what === 'summary'
                ? { summary: 's'.repeat(10_000 + n) }
                : what === 'paragraph'
                  ? { body: ['p'.repeat(50_000 + (n % 100_000))] }
                  : what === 'subjects'
                    ? { subjects: Array.from({ length: 100 + n }, (_, i) => `s${i}`) }
                    : what === 'authors'
                      ? { authors: Array.from({ length: 100 + n }, () => 'A') }
                      : what === 'related'
                        ? { related: Array.from({ length: 101 + (n % 2000) }, () => ({ headline: 'R' })) }
                        : what === 'paragraphs'
                          ? { body: Array.from({ length: 1000 + n }, () => 'p') }
                          : { id: 'i'.repeat(200 + n) }
          const text = JSON.stringify({ ...article('big-field'), ...extra })
          const r = await post('/v1/articles', text)
          assertProblem(r, `${what} +${n}`, { status: text.length > MAX_BODY ? 413 : 422 })
        },
      ),
      { numRuns: 80 },
    )
    // More lines than INGEST_BATCH_MAX_LINES (default 1000), each a valid article
    const lines = Array.from({ length: 1001 }, (_, i) => JSON.stringify({ id: `l${i}`, language: 'en', headline: 'h', body: 'b' }))
    const r = await post('/v1/articles/batch', `${lines.join('\n')}\n`, { 'content-type': 'application/x-ndjson' })
    assertProblem(r, 'batch of 1001 lines', { status: 413, code: 'payload_too_large' })
    await healthy('huge input')
  })

  test('random NDJSON batches of invalid lines → 200 with every line a 4xx problem, nothing created', async () => {
    const line = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
      fc.constant(JSON.stringify({ ...article('batch-bad'), urgency: 0 })),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 50 }), async (ls) => {
        const cleaned = ls.map((l) => l.replaceAll('\n', ' ').replaceAll('\r', ' '))
        fc.pre(
          cleaned.every((l) => {
            try {
              return !validateArticle(JSON.parse(l)).ok
            } catch {
              return true
            }
          }),
        )
        const r = await post('/v1/articles/batch', cleaned.join('\n'), { 'content-type': 'application/x-ndjson' })
        if (r.status !== 200) {
          assertProblem(r, 'batch')
          return
        }
        const body = r.body as {
          summary: { created: number; updated: number; unchanged: number }
          results: { status: number; code: string }[]
        }
        assert.equal(body.summary.created + body.summary.updated + body.summary.unchanged, 0, r.text.slice(0, 300))
        for (const res of body.results) {
          assert.ok(res.status >= 400 && res.status < 500 && typeof res.code === 'string', JSON.stringify(res).slice(0, 200))
        }
      }),
      { numRuns: 150 },
    )
    await healthy('NDJSON batches')
  })

  test('wrong content types and charsets (valid article inside) → 415', async () => {
    let n = 0
    await fc.assert(
      fc.asyncProperty(wrongishContentType, async (ct) => {
        const type = ct.split(';')[0]?.trim().toLowerCase() ?? ''
        const charset = /charset=([^;]+)/i.exec(ct)?.[1]?.replaceAll('"', '').trim().toLowerCase()
        const jsonish = type === 'application/json' || /^application\/[^/]+\+json$/.test(type)
        fc.pre(!jsonish || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8'))
        const headers: Record<string, string> = { authorization: `Bearer ${KEYS.all}` }
        if (ct !== '') headers['content-type'] = ct
        const r = await raw('/v1/articles', { headers, body: JSON.stringify(article(`ct-${n++}`)) })
        assertProblem(r, `content-type '${ct}'`, { status: 415, code: 'unsupported_media_type' })
      }),
      { numRuns: 200 },
    )
    // NDJSON sent to the batch endpoint as JSON, and JSON to the scraped import
    assertProblem(await post('/v1/articles/batch', json(article('ct-batch'))), 'batch as application/json', { status: 415 })
    assertProblem(await post('/v1/import/scraped', json(article('ct-scraped'))), 'scraped as application/json', { status: 415 })
    await healthy('content types')
  })

  test('invalid Idempotency-Key (valid article) → 400 invalid_header', async () => {
    const visible = /^[\x21-\x7e]{1,200}$/
    let n = 0
    await fc.assert(
      fc.asyncProperty(badIdempotencyKey, async (v) => {
        // Node trims optional whitespace around a header value; what remains must be invalid
        const sent = v.replace(/^[ \t]+|[ \t]+$/g, '')
        fc.pre(!visible.test(sent) && !/[^\t\x20-\x7e\x80-\xff]/.test(v))
        const r = await post('/v1/articles', json(article(`idem-${n++}`)), {
          'idempotency-key': Buffer.from(v, 'latin1').toString('latin1'),
        })
        // an empty value after trimming is "no key" for some parsers; everything else must be refused
        if (sent === '') assert.ok(r.status === 400 || r.status === 201, r.text)
        else assertProblem(r, `Idempotency-Key ${JSON.stringify(v)}`, { status: 400, code: 'invalid_header' })
      }),
      { numRuns: 200 },
    )
    await healthy('Idempotency-Key')
  })

  test('header abuse: huge headers → 431, many headers, smuggling shapes → 4xx; service keeps answering', async () => {
    // Over Node's 16 KiB header limit: Node's own 431 (no problem body: the parser refuses it before express)
    for (const size of [17_000, 64_000, 1_000_000]) {
      const r = await raw('/v1/articles', { headers: { 'x-pad': 'p'.repeat(size), 'content-type': 'application/json' }, body: '{}' }).catch(
        (err: unknown) => ({ status: -1, text: String(err) }) as HttpResult,
      )
      assert.ok(r.status === 431 || r.status === -1, `x-pad ${size}: ${r.status} ${r.text.slice(0, 100)}`)
      await healthy(`${size}-byte header`)
    }
    const bigAuth = await raw('/v1/articles', { headers: { authorization: `Bearer ${'k'.repeat(20_000)}` }, body: '{}' })
    assert.equal(bigAuth.status, 431)
    // Many headers under the size limit: the service answers as usual
    const many: Record<string, string> = { 'content-type': 'application/json' }
    for (let i = 0; i < 1500; i++) many[`x-h${i}`] = String(i)
    assertProblem(await raw('/v1/articles', { headers: many, body: json(article('many-1')) }), 'many headers, no key', {
      status: 401,
    })
    // Past Node's header-count limit the extra headers are dropped silently: Authorization after
    // 1500 others is not seen (401 above); sent first it is, and the request is still refused
    // (Content-Length is dropped too, so express sees no body: 415)
    assertProblem(
      await raw('/v1/articles', { headers: { authorization: `Bearer ${KEYS.all}`, ...many }, body: '{"id":1}' }),
      'many headers, bad article',
    )
    // Request-smuggling shapes: Node's parser refuses them (bare 400)
    const smuggle = await raw('/v1/articles', {
      headers: { authorization: `Bearer ${KEYS.all}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: json(article('smuggle-1')),
    }).catch((err: unknown) => ({ status: -1, text: String(err) }) as HttpResult)
    assert.ok(smuggle.status === 400 || smuggle.status === -1, `TE + CL: ${smuggle.status}`)
    const plain = await raw('/v1/articles', {
      headers: { authorization: `Bearer ${KEYS.all}`, 'content-type': 'application/json' },
      body: json(article('control-plain')),
    })
    assert.equal(plain.status, 201, 'control: the same request without tricks is accepted')
    await healthy('header abuse')
  })

  test('duplicate Authorization headers are refused (ambiguous credentials)', async () => {
    const body = json(article('dup-auth-1'))
    // invalid first: refused either way
    assertProblem(
      await raw('/v1/articles', {
        headers: { authorization: ['Bearer wrong-key-000', `Bearer ${KEYS.all}`], 'content-type': 'application/json' },
        body,
      }),
      'duplicate Authorization, invalid first',
    )
    // valid first, then another credential: which one counts depends on the parser (Node keeps
    // the first, many proxies the last), so a request carrying two must not be published
    const r = await raw('/v1/articles', {
      headers: { authorization: [`Bearer ${KEYS.all}`, 'Bearer wrong-key-000'], 'content-type': 'application/json' },
      body,
    })
    assertProblem(r, 'duplicate Authorization, valid first')
    await healthy('duplicate Authorization')
  })

  test('deep nesting (10k-100k levels) in the body, in a field and in a batch line → 4xx, service alive', async () => {
    const nest = (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`
    const shapes = {
      whole: (d: number) => post('/v1/articles', nest(d)),
      objects: (d: number) => post('/v1/articles', `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`),
      field: (d: number) => post('/v1/articles', `{"id":"deep-1","language":"en","headline":"h","body":["b"],"subjects":${nest(d)}}`),
      unknownField: (d: number) => post('/v1/articles', `{"id":"deep-2","language":"en","headline":"h","body":["b"],"zz":${nest(d)}}`),
      batchLine: (d: number) =>
        post('/v1/articles/batch', `${json(article('deep-ctl-ignored', { urgency: 0 }))}\n{"id":"deep-3","x":${nest(d)}}\n`, {
          'content-type': 'application/x-ndjson',
        }),
    }
    const failures: string[] = []
    for (const [name, send] of Object.entries(shapes)) {
      for (const depth of [10_000, 100_000]) {
        const r = await send(depth)
        try {
          if (name === 'batchLine' && r.status === 200) {
            const results = (r.body as { results: { status: number; code: string }[] }).results
            for (const x of results) assert.ok(x.status >= 400 && x.status < 500 && typeof x.code === 'string', JSON.stringify(x))
          } else {
            assertProblem(r, `${name} depth ${depth}`)
          }
        } catch {
          failures.push(`${name} depth ${depth}: ${r.status} ${r.text.slice(0, 120)}`)
        }
        await healthy(`${name} depth ${depth}`)
      }
    }
    figures['deep nesting failures'] = failures
    assert.deepEqual(failures, [], 'every deeply nested body gets a 4xx problem')
  })

  test('access: missing, wrong or under-scoped keys → 401/403 (valid articles inside)', async () => {
    const body = json(article('access-1'))
    const ct = { 'content-type': 'application/json' }
    assertProblem(await raw('/v1/articles', { headers: ct, body }), 'no Authorization', { status: 401, code: 'unauthorized' })
    for (const auth of [
      'Basic ZGV2OmRldg==',
      'Bearer',
      'Bearer ',
      `Token ${KEYS.all}`,
      `Bearer ${KEYS.all}x`,
      `Bearer ${KEYS.all.slice(0, -1)}`,
      `${KEYS.all}`,
    ]) {
      assertProblem(await raw('/v1/articles', { headers: { ...ct, authorization: auth }, body }), `Authorization '${auth}'`, {
        status: 401,
      })
    }
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 64, unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
        async (key) => {
          fc.pre(!Object.values(KEYS).includes(key))
          const r = await raw('/v1/articles', { headers: { ...ct, authorization: `Bearer ${key}` }, body })
          assertProblem(r, `random key ${key}`, { status: 401, code: 'unauthorized' })
        },
      ),
      { numRuns: 200 },
    )
    const scoped: [string, string, string, string][] = [
      [KEYS.reader, '/v1/articles', 'application/json', body],
      [KEYS.reader, '/v1/articles/batch', 'application/x-ndjson', body],
      [KEYS.importer, '/v1/articles', 'application/json', body],
      [KEYS.writer, '/v1/articles/control-start/withdraw', 'application/json', json({ reason: 'test' })],
      [KEYS.writer, '/v1/import/scraped?id=access-2', 'text/plain', 'Headline\n\nBody text.'],
      [KEYS.importer, '/v1/articles/control-start/withdraw', 'application/json', json({ reason: 'test' })],
    ]
    for (const [key, path, type, b] of scoped) {
      const r = await raw(path, { headers: { authorization: `Bearer ${key}`, 'content-type': type }, body: b })
      assertProblem(r, `${key} on ${path}`, { status: 403, code: 'forbidden' })
    }
    const read = await raw('/v1/articles/control-start', { method: 'GET', headers: { authorization: `Bearer ${KEYS.writer}` } })
    assertProblem(read, 'writer key on GET', { status: 403, code: 'forbidden' })
    assert.equal(
      (await raw('/v1/articles/control-start', { method: 'GET', headers: { authorization: `Bearer ${KEYS.reader}` } })).status,
      200,
    )
    await healthy('access')
  })

  test('afterwards: only the control articles were published, memory bounded, still answering', async () => {
    const control = await post('/v1/articles', json(article('control-end')))
    assert.equal(control.status, 201, control.text)
    await healthy('all properties')
    const rssEnd = rssBytes(ingest.pid)
    const records = await readToEnd(brokers.join(','), topicNames(prefix).events)
    const ids = records.map((r) => `${r.event.article.id}@${r.event.article.version}`).sort()
    Object.assign(figures, {
      'raw requests (plus fetch ones)': requests,
      'RSS at start': mb(rssStart),
      'RSS peak (sampled after each property)': mb(rssPeak),
      'RSS at end': mb(rssEnd),
      growth: mb(rssEnd - rssStart),
      'RSS after each step': rssSteps,
      published: ids,
    })
    console.log('hostile HTTP figures', figures)
    assert.deepEqual(ids, ['control-end@1', 'control-plain@1', 'control-start@1'])
    assert.ok(rssEnd - rssStart < 150 * 1024 * 1024, `RSS grew by ${mb(rssEnd - rssStart)}`)
  })
})
