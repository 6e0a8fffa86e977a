import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_REVISION } from '@newswire/shared'
import { validateEntry } from '../src/entry-validate.ts'
import { canonicalLanguage, validateArticle } from '../src/validate.ts'

const minimal = { id: 'x-1', language: 'bn', headline: 'শিরোনাম', body: ['অনুচ্ছেদ'] }

test('minimal article: defaults filled in', () => {
  const r = validateArticle(minimal)
  assert.ok(r.ok)
  if (!r.ok) return
  assert.equal(r.article.urgency, 5)
  // editorial controls not sent: undefined, so an update keeps the current ones
  assert.equal(r.article.pubStatus, undefined)
  assert.equal(r.article.embargoedUntil, undefined)
  assert.equal(r.article.revision, null)
  assert.deepEqual(r.article.related, [])
})

test('text is NFC and whitespace-cleaned; ZWJ survives', () => {
  // য় written decomposed (U+09AF U+09BC) vs precomposed U+09DF: both end as the NFC form
  const r = validateArticle({ ...minimal, headline: '  রাশি\u09DFার\t সঙ্গে\n', body: 'প্রথম\n\nর\u200d্যাব  দ্বিতীয়' })
  assert.ok(r.ok)
  if (!r.ok) return
  assert.equal(r.article.headline, 'রাশি\u09AF\u09BCার সঙ্গে')
  assert.deepEqual(r.article.body, ['প্রথম', 'র\u200d্যাব দ্বিতীয়'])
})

test('a headline, summary, paragraph or author that shows nothing (only marks, ZWJ/ZWNJ, format characters) is refused or dropped', () => {
  // a vowel sign with no letter, a ZWJ, a ZWNJ, a word joiner: each renders as nothing (red17c: a blank dashboard row)
  for (const blank of ['\u09BE', '\u200D', '\u200C \u200D', '\u2060', '\u0301\u0301']) {
    const r = validateArticle({ ...minimal, headline: blank })
    assert.ok(!r.ok && r.errors.some((e) => e.field === 'headline'), `headline ${JSON.stringify(blank)} taken`)
    const a = validateArticle({ ...minimal, authors: [blank] })
    assert.ok(!a.ok && a.errors.some((e) => e.field.startsWith('authors')), `author ${JSON.stringify(blank)} taken`)
    // no paragraph and no summary that shows anything: the body is missing
    const b = validateArticle({ ...minimal, body: [blank], summary: blank })
    assert.ok(!b.ok && b.errors.some((e) => e.field === 'body' && e.code === 'required'), `body ${JSON.stringify(blank)} taken`)
    const entry = validateEntry({ id: 'e1', headline: blank, body: [blank] })
    assert.ok(!entry.ok, `entry ${JSON.stringify(blank)} taken`)
  }
  // what shows: Bengali with its joiners and signs, a digit, punctuation, an emoji
  for (const shown of ['র\u200D্যাব', 'কি\u200C', '৭', '—', '🔥']) {
    const r = validateArticle({ ...minimal, headline: shown, body: [shown] })
    assert.ok(r.ok, `headline ${JSON.stringify(shown)} refused`)
    if (r.ok) assert.deepEqual([r.article.headline, r.article.body], [shown.normalize('NFC'), [shown.normalize('NFC')]])
  }
  // a paragraph of nothing visible goes, as an empty one does
  const r = validateArticle({ ...minimal, body: ['প্রথম', '\u200D', 'দ্বিতীয়'] })
  assert.ok(r.ok && r.article.body.length === 2)
})

test('every failing field is named', () => {
  const r = validateArticle({
    id: '',
    language: 'not a tag',
    headline: 5,
    urgency: 0,
    pubStatus: 'draft',
    embargoedUntil: '2024-08-17 10:00',
    url: 'javascript:alert(1)',
    category: 'Not A Slug',
    surprise: true,
  })
  assert.ok(!r.ok)
  if (r.ok) return
  const fields = [...new Set(r.errors.map((e) => e.field))].sort()
  assert.deepEqual(fields, ['category', 'embargoedUntil', 'headline', 'id', 'language', 'pubStatus', 'surprise', 'urgency', 'url'])
  assert.equal(r.errors.find((e) => e.field === 'surprise')?.code, 'unknown_field')
})

test('body or summary is required; missing required fields say so', () => {
  const r = validateArticle({ id: 'x', language: 'en', headline: 'h' })
  assert.ok(!r.ok)
  if (!r.ok) assert.deepEqual(r.errors, [{ field: 'body', code: 'required', message: 'body or summary is required' }])
  const s = validateArticle({ id: 'x', language: 'en', headline: 'h', summary: 'only a summary' })
  assert.ok(s.ok)
  const m = validateArticle({ body: ['x'] })
  assert.ok(!m.ok)
  if (!m.ok)
    assert.deepEqual(m.errors.map((e) => [e.field, e.code]).sort(), [
      ['headline', 'required'],
      ['id', 'required'],
      ['language', 'required'],
    ])
})

test('dates need a zone; lone surrogates are refused', () => {
  const ok = validateArticle({ ...minimal, publishedAt: '2024-08-17T11:46:00+06:00' })
  assert.ok(ok.ok && ok.article.publishedAt === Date.parse('2024-08-17T05:46:00Z'))
  assert.ok(!validateArticle({ ...minimal, publishedAt: '2024-08-17T11:46:00' }).ok)
  const bad = validateArticle({ ...minimal, headline: 'a\ud800b' })
  assert.ok(!bad.ok)
  if (!bad.ok)
    assert.deepEqual(
      bad.errors.map((e) => [e.field, e.code]),
      [['headline', 'invalid_unicode']],
    )
})

test('language tags: canonical case, unknown languages refused', () => {
  assert.equal(canonicalLanguage('BN-bd'), 'bn-BD')
  assert.equal(canonicalLanguage('en'), 'en')
  assert.equal(canonicalLanguage('zz'), null)
  assert.equal(canonicalLanguage('not a tag'), null)
})

const errorsOf = (value: Record<string, unknown>) => {
  const r = validateArticle({ ...minimal, ...value })
  return r.ok ? [] : r.errors.map((e) => [e.field, e.code])
}

test('impossible calendar dates and times are refused, real ones (leap days, offsets) accepted', () => {
  for (const bad of [
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00Z',
    '2024-04-31T10:00Z',
    '2024-02-29T24:00:00Z',
    '2024-01-01T00:60Z',
    '2024-01-01T00:00:60Z',
    '2024-13-01T00:00Z',
    '2024-01-01T00:00+24:00',
  ]) {
    assert.deepEqual(errorsOf({ publishedAt: bad }), [['publishedAt', 'custom']], bad)
    assert.deepEqual(errorsOf({ embargoedUntil: bad }), [['embargoedUntil', 'custom']], bad)
  }
  for (const [good, ms] of [
    ['2024-02-29T23:59:59Z', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['2000-02-29T00:00Z', Date.UTC(2000, 1, 29)],
    ['2024-08-17T11:46:00.5+06:00', Date.UTC(2024, 7, 17, 5, 46, 0, 500)],
  ] as const) {
    const r = validateArticle({ ...minimal, publishedAt: good })
    assert.ok(r.ok && r.article.publishedAt === ms, good)
  }
  assert.deepEqual(errorsOf({ publishedAt: '1900-02-29T00:00Z' }), [['publishedAt', 'custom']], '1900 is not a leap year')
})

test('control characters and bidi overrides are stripped from every text field; ZWJ and ZWNJ stay', () => {
  const hostile = 'a\u0000b\u0007c\u001bd\u0085e\u202ef\u2066g\u2069h\u202ai\u007fj'
  const r = validateArticle({
    ...minimal,
    headline: hostile,
    summary: hostile,
    body: [hostile],
    categoryLabel: hostile,
    subjects: [hostile],
    authors: [hostile],
    dateline: hostile,
    related: [{ headline: hostile }],
  })
  assert.ok(r.ok)
  if (!r.ok) return
  const a = r.article
  for (const s of [a.headline, a.summary, a.body[0], a.categoryLabel, a.subjects[0], a.authors[0], a.dateline, a.related[0]?.headline]) {
    // NEL is a line break: it becomes a space
    assert.equal(s, 'abcd efghij')
  }
  const bengali = validateArticle({ ...minimal, headline: 'র\u200d্যাব \u200cক' })
  assert.ok(bengali.ok && bengali.article.headline === 'র\u200d্যাব \u200cক')
  assert.deepEqual(errorsOf({ url: 'https://example.com/a\u202eb' }), [['url', 'custom']])
  assert.deepEqual(errorsOf({ url: 'https://example.com/a b' }), [['url', 'custom']])
})

test('lengths are checked after normalization: text that grows under NFC cannot pass the limit', () => {
  // U+FB2C (Hebrew shin with dagesh and shin dot) is 3 code points in NFC
  const grows = '\ufb2c'.repeat(400)
  assert.equal(grows.length, 400)
  assert.equal(grows.normalize('NFC').length, 1200)
  assert.deepEqual(errorsOf({ headline: grows }), [['headline', 'too_big']])
  assert.deepEqual(errorsOf({ body: ['\ufb2c'.repeat(20_000)] }), [['body[0]', 'too_big']])
  assert.deepEqual(errorsOf({ headline: 'x'.repeat(1000) }), [])
})

test('versions: 1 to MAX_REVISION (2^52); a kill is never a pubStatus value', () => {
  assert.deepEqual(errorsOf({ version: MAX_REVISION }), [])
  for (const v of [MAX_REVISION + 1, 9007199254740990, Number.MAX_SAFE_INTEGER, 0, 1.5, -1]) {
    assert.deepEqual(errorsOf({ version: v }), [['version', v === 1.5 ? 'invalid_type' : v < 1 ? 'too_small' : 'too_big']], String(v))
  }
  assert.deepEqual(errorsOf({ pubStatus: 'canceled' }), [['pubStatus', 'use_withdraw']])
  assert.deepEqual(errorsOf({ pubStatus: 'draft' }), [['pubStatus', 'invalid_value']])
  const explicit = validateArticle({ ...minimal, pubStatus: 'withheld', embargoedUntil: null })
  assert.ok(explicit.ok && explicit.article.pubStatus === 'withheld' && explicit.article.embargoedUntil === null)
  const nullStatus = validateArticle({ ...minimal, pubStatus: null })
  assert.ok(nullStatus.ok && nullStatus.article.pubStatus === undefined, 'a null status is no status: keep')
})
