import assert from 'node:assert/strict'
import { test } from 'node:test'
import { canonicalLanguage, validateArticle } from '../src/validate.ts'

const minimal = { id: 'x-1', language: 'bn', headline: 'শিরোনাম', body: ['অনুচ্ছেদ'] }

test('minimal article: defaults filled in', () => {
  const r = validateArticle(minimal)
  assert.ok(r.ok)
  if (!r.ok) return
  assert.equal(r.article.urgency, 5)
  assert.equal(r.article.pubStatus, 'usable')
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
