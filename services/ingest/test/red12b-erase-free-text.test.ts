// red12b attack run (2026-12-05): an erasure (POST /v1/articles/{id}/erase, legal removal) must not
// publish again any of the text it removes. The attack: an article whose `categoryLabel` (free
// text, up to 300 characters, e.g. "Trial of <a named person>") carries what the court order is
// about, then erased. The erasure's WITHDRAWN event, its state in news.articles and GET all still
// carried the label: decideErase cleared every other text field but not that one. Fixed in
// decide.ts: the erased version keeps only what routes a kill (id, category slug, language,
// urgency, flags, dates and their time zone), so the label goes too. The property below writes
// a marker into every free-text field an article takes and checks that none survives an erasure.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { articleToJson } from '@newswire/shared'
import { http } from '../../../test/helpers.ts'
import { decide, decideErase } from '../src/decide.ts'
import { ArticleState } from '../src/state.ts'
import { validateArticle } from '../src/validate.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const MARK = 'Xq7erasedZ'
const KEY = 'dev-ingest-key-1'

/** An article as a source sends it, with the marker in the free-text fields `marked` names. */
const articleArb = fc
  .record({
    fields: fc.subarray(['headline', 'summary', 'body', 'categoryLabel', 'subjects', 'authors', 'dateline', 'related', 'url'] as const, {
      minLength: 1,
    }),
    correction: fc.boolean(),
    live: fc.boolean(),
  })
  .map(({ fields, correction, live }) => {
    const has = (f: string) => (fields as readonly string[]).includes(f)
    const text = (f: string, plain: string) => (has(f) ? `${plain} ${MARK}` : plain)
    return {
      correction,
      json: {
        id: 'erase-me',
        language: 'bn',
        headline: text('headline', 'শিরোনাম'),
        summary: text('summary', 'সারাংশ'),
        body: [text('body', 'অনুচ্ছেদ')],
        category: 'national',
        categoryLabel: text('categoryLabel', 'জাতীয়'),
        subjects: [text('subjects', 'court')],
        authors: [text('authors', 'Staff')],
        dateline: text('dateline', 'ঢাকা'),
        related: [{ headline: text('related', 'আরও'), url: null }],
        url: has('url') ? `https://example.com/${MARK}` : 'https://example.com/x',
        timeZone: 'Asia/Dhaka',
        live,
      },
    }
  })

test('an erasure keeps no free text of the article: the marker survives in no field of the erased version', () => {
  fc.assert(
    fc.property(articleArb, ({ json, correction }) => {
      const v = validateArticle(json)
      assert.ok(v.ok, JSON.stringify(v))
      const created = decide(undefined, v.article, 1000)
      assert.equal(created.kind, 'created')
      if (created.kind !== 'created') return
      let current = created.article
      if (correction) {
        const u = validateArticle({ ...json, correction: { note: `Corrected ${MARK}` } })
        assert.ok(u.ok)
        const d = decide({ article: current, source: 'cms' }, u.article, 2000)
        assert.equal(d.kind, 'updated')
        if (d.kind === 'updated') current = d.article
      }
      const erased = decideErase(current, 3000)
      assert.equal(erased.kind, 'erased')
      if (erased.kind !== 'erased') return
      const shown = JSON.stringify(articleToJson(erased.article))
      assert.ok(!shown.includes(MARK), `the erased version still carries the text: ${shown}`)
      // what routes the kill stays
      assert.deepEqual(
        [erased.article.id, erased.article.category, erased.article.language, erased.article.pubStatus],
        ['erase-me', 'national', 'bn', 'canceled'],
      )
    }),
    { numRuns: 200 },
  )
})

test('POST /v1/articles/{id}/erase: the WITHDRAWN event and GET carry no category label (free text) of the erased article', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const created = await http(`${app.url}/v1/articles`, {
    method: 'POST',
    key: KEY,
    json: { id: 'trial-1', language: 'en', headline: 'Hearing', body: ['Text'], category: 'national', categoryLabel: `Trial of ${MARK}` },
  })
  assert.equal(created.status, 201, created.text)
  const erased = await http(`${app.url}/v1/articles/trial-1/erase`, { method: 'POST', key: KEY, json: { reason: 'court order' } })
  assert.equal(erased.status, 200, erased.text)
  const kill = app.publisher.published.at(-1)
  assert.equal(kill?.type, 'WITHDRAWN')
  assert.ok(!JSON.stringify(kill).includes(MARK), `the erasure published the label again: ${JSON.stringify(kill?.article)}`)
  assert.ok(kill?.changedFields.includes('categoryLabel'), 'the event says the label went')
  const shown = await http(`${app.url}/v1/articles/trial-1`, { key: KEY })
  assert.equal(shown.status, 200, shown.text)
  assert.ok(!shown.text.includes(MARK), shown.text)
})
