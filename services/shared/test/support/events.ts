// Sample events and schema helpers shared by the codec tests.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ArticleEvent, EntryEvent } from '../../src/article.ts'
import { NewswireError } from '../../src/errors.ts'

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))
export const schemasDir = path.join(repoRoot, 'schemas')
export const fixturesDir = path.join(schemasDir, 'fixtures')

/** An UPDATED event that sets every field of the current schema (a correction included). */
export function fullEvent(): ArticleEvent {
  return {
    eventId: '5f0c8a3e-8a4b-4c1e-9d2f-3b7e6a1c2d4f',
    type: 'UPDATED',
    occurredAt: Date.UTC(2024, 7, 17, 5, 46, 0),
    ingestedAt: Date.UTC(2024, 7, 17, 5, 46, 3, 250),
    source: 'cms-dhaka',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    changedFields: ['headline', 'body'],
    reason: null,
    article: {
      id: 'example.com:bn:international:russia-north-korea',
      version: 3,
      url: 'https://example.com/bn/international/russia-north-korea',
      language: 'bn',
      headline: 'রাশিয়ার সঙ্গে উত্তর কোরিয়ার সম্পর্ক আরও গভীর হচ্ছে',
      summary: 'Kim pledges closer ties in a message to Putin 🇰🇵🇷🇺',
      body: ['First paragraph.', 'দ্বিতীয় অনুচ্ছেদ।', ''],
      category: 'international',
      categoryLabel: 'আন্তর্জাতিক',
      subjects: ['russia', 'north-korea'],
      authors: ['International desk'],
      publishedAt: Date.UTC(2024, 7, 17, 5, 40, 0),
      updatedAt: Date.UTC(2024, 7, 17, 5, 46, 0),
      urgency: 3,
      pubStatus: 'usable',
      embargoedUntil: Date.UTC(2024, 7, 17, 6, 0, 0),
      breaking: true,
      dateline: '১৭ আগস্ট ২০২৪, ১১:৪৬ এএম',
      timeZone: 'Asia/Dhaka',
      related: [
        { headline: 'গাজায় ঐতিহাসিক পরাজয় ইসরাইলের', url: 'https://example.com/bn/gaza' },
        { headline: 'No link for this one', url: null },
      ],
      live: false,
      corrections: [{ note: 'An earlier version misspelt the minister’s name.', at: Date.UTC(2024, 7, 17, 5, 46, 0) }],
    },
    correction: { note: 'An earlier version misspelt the minister’s name.', at: Date.UTC(2024, 7, 17, 5, 46, 0) },
    entry: null,
  }
}

/** An ENTRY_UPDATED that corrects an entry of a live Bengali story. */
export function entryEvent(): EntryEvent {
  const note = 'আগের সংস্করণে নিহতের সংখ্যা ভুল ছিল।'
  const at = Date.UTC(2024, 7, 17, 7, 2, 0)
  const base = fullEvent()
  return {
    ...base,
    eventId: '9a1d3c0e-57b2-4f8e-8d41-6c2b7e0f1a93',
    type: 'ENTRY_UPDATED',
    occurredAt: at,
    ingestedAt: at + 120,
    changedFields: ['body', 'corrections'],
    correction: { note, at },
    article: { ...base.article, id: 'bd-2024-0817-port-fire', live: true, corrections: [], embargoedUntil: null },
    entry: {
      id: 'e-0007',
      seq: 7,
      version: 2,
      headline: 'চট্টগ্রাম বন্দরে আগুন নিয়ন্ত্রণে',
      body: ['ফায়ার সার্ভিস জানিয়েছে, আগুন এখন নিয়ন্ত্রণে।', 'নিহতের সংখ্যা ৪ জন।'],
      authors: ['চট্টগ্রাম প্রতিনিধি'],
      pinned: false,
      keyEvent: true,
      publishedAt: Date.UTC(2024, 7, 17, 6, 55, 0),
      updatedAt: at,
      pubStatus: 'usable',
      embargoedUntil: null,
      corrections: [{ note, at }],
    },
  }
}

export function rawSchema(version: number): unknown {
  return JSON.parse(readFileSync(path.join(schemasDir, `article-event.v${version}.avsc`), 'utf8'))
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x)
}

// What a reader with `schema` (raw .avsc JSON) should see for `value`: only its
// own fields, the schema's defaults for the missing ones. Written from the
// .avsc text alone, so it does not share code with avsc's resolver. Enum
// symbols are not mapped (the tests that need UNKNOWN say so themselves).
export function shapeAs(schema: unknown, value: unknown): unknown {
  if (Array.isArray(schema)) {
    const branch = schema.find((b) => isObject(b) && (b.type === 'record' || b.type === 'array'))
    return branch === undefined || value === null ? value : shapeAs(branch, value)
  }
  if (!isObject(schema)) return value
  if (schema.type === 'record' && isObject(value)) {
    const fields = schema.fields as { name: string; type: unknown; default?: unknown }[]
    return Object.fromEntries(fields.map((f) => [f.name, f.name in value ? shapeAs(f.type, value[f.name]) : structuredClone(f.default)]))
  }
  if (schema.type === 'array' && Array.isArray(value)) return value.map((item) => shapeAs(schema.items, item))
  return value
}

export function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof NewswireError, `expected NewswireError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    if (message) assert.match(err.message, message)
    return true
  })
}
