// Realistic request bodies and Kafka records built from the Bengali sample article
// (shared/fixtures/articles/bn-seed-russia-north-korea.txt): the JSON a CMS would POST, and the
// Avro event ingest would write for it, 600 B - 2 KB each.
import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createCodec, loadSchemas } from '@newswire/shared'
import type { ArticleEvent } from '@newswire/shared'
import { validateArticle } from '@newswire/ingest'
import { decide } from '../../../services/ingest/src/decide.ts'
import { repoRoot } from '../../../deploy/local/broker.ts'

export const samplePath = join(repoRoot, 'test', 'fixtures', 'articles', 'bn-seed-russia-north-korea.txt')

interface Sample {
  headline: string
  dateline: string
  paragraphs: string[]
  related: string[]
}

function loadSample(): Sample {
  const lines = readFileSync(samplePath, 'utf8').split('\n')
  const more = lines.indexOf('আরও পড়ুন')
  return {
    headline: lines[0] ?? '',
    dateline: lines[1] ?? '',
    paragraphs: lines.slice(2, 7),
    related: more > 0 ? lines.slice(more + 1).filter((l) => l.trim() !== '') : [],
  }
}

/** A JSON article without its id; variants span short briefs to two-paragraph stories. */
export function articleVariants(): Record<string, unknown>[] {
  const s = loadSample()
  const p = (i: number) => s.paragraphs[i % s.paragraphs.length] ?? ''
  const base = {
    language: 'bn',
    headline: s.headline,
    category: 'international',
    categoryLabel: 'আন্তর্জাতিক',
    publishedAt: '2024-08-17T05:46:00Z',
    updatedAt: '2024-08-17T05:46:00Z',
    urgency: 5,
    timeZone: 'Asia/Dhaka',
  }
  return [
    // brief: headline and the start of the lead paragraph
    { ...base, body: [p(0).slice(0, 120)] },
    { ...base, dateline: s.dateline, body: [p(3)] },
    { ...base, dateline: s.dateline, body: [p(0)], related: s.related.slice(0, 2).map((h) => ({ headline: h })) },
    { ...base, dateline: s.dateline, body: [p(1)], urgency: 2 },
    { ...base, dateline: s.dateline, body: [p(2), p(3).slice(0, 200)] },
    // the long one: a full paragraph, part of another, and related links
    { ...base, dateline: s.dateline, body: [p(4), p(3).slice(0, 100)], related: s.related.slice(2, 4).map((h) => ({ headline: h })) },
  ]
}

/** A request body as a prefix and suffix around the article id, so each request is unique but cheap to build. */
export interface BodyTemplate {
  before: string
  after: string
}

export function bodyTemplates(): BodyTemplate[] {
  return articleVariants().map((a) => {
    const json = JSON.stringify({ id: '\u0000ID\u0000', ...a })
    const [before = '', after = ''] = json.split('\\u0000ID\\u0000')
    return { before, after }
  })
}

export const codec = createCodec(loadSchemas())

/** The event ingest would publish for a first POST of this article (same decide step, same codec). */
export function eventFor(id: string, article: Record<string, unknown>, source = 'dev'): ArticleEvent {
  const r = validateArticle({ id, ...article })
  if (!r.ok) throw new Error(`fixture article does not validate: ${JSON.stringify(r.errors)}`)
  const now = Date.now()
  const d = decide(undefined, r.article, now)
  if (d.kind !== 'created') throw new Error('fixture: expected a created decision')
  return {
    eventId: randomUUID(),
    type: 'CREATED',
    occurredAt: d.article.updatedAt ?? now,
    ingestedAt: now,
    source,
    traceId: randomBytes(16).toString('hex'),
    changedFields: [],
    reason: null,
    article: d.article,
  }
}

export interface EncodedRecord {
  key: string
  value: Buffer
  headers: Record<string, string>
}

/** Encoded records with the headers ingest writes (idempotency headers excluded, as for requests without the header). */
export function encodedRecords(count: number, idPrefix: string): EncodedRecord[] {
  const variants = articleVariants()
  const fingerprintHex = codec.schemas.current.fingerprintHex
  const out: EncodedRecord[] = []
  for (let i = 0; i < count; i++) {
    const id = `${idPrefix}${i}`
    const event = eventFor(id, variants[i % variants.length] ?? {})
    out.push({
      key: id,
      value: codec.encode(event),
      headers: {
        'event-type': event.type,
        'schema-fingerprint': fingerprintHex,
        'trace-id': event.traceId,
        'content-type': 'application/vnd.apache.avro+binary',
        writer: 'bench-baseline',
      },
    })
  }
  return out
}

/** Encoded sizes of the variants, bytes (for the record). */
export function encodedSizes(): number[] {
  return articleVariants().map((a, i) => codec.encode(eventFor(`size-check-${i}`, a)).length)
}
