import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Article } from '@newswire/shared'
import { decide, decideWithdraw } from '../src/decide.ts'
import type { ArticleInput } from '../src/validate.ts'

const T0 = Date.parse('2024-08-17T05:46:00Z')

function input(extra: Partial<ArticleInput> = {}): ArticleInput {
  return {
    id: 'a-1',
    revision: null,
    url: null,
    language: 'bn',
    headline: 'শিরোনাম',
    summary: null,
    body: ['অনুচ্ছেদ'],
    category: 'international',
    categoryLabel: null,
    subjects: [],
    authors: [],
    publishedAt: T0,
    updatedAt: null,
    urgency: 5,
    pubStatus: 'usable',
    embargoedUntil: null,
    breaking: false,
    dateline: null,
    timeZone: null,
    related: [],
    ...extra,
  }
}

function stored(extra: Partial<Article> = {}): Article {
  const d = decide(undefined, input(), T0)
  assert.equal(d.kind, 'created')
  return { ...(d.kind === 'created' ? d.article : ({} as Article)), ...extra }
}

test('a new id is created at version 1, or at the CMS revision', () => {
  const d = decide(undefined, input(), T0 + 1)
  assert.equal(d.kind, 'created')
  assert.equal(d.kind === 'created' && d.article.version, 1)
  assert.equal(d.kind === 'created' && d.article.updatedAt, T0 + 1)
  const r = decide(undefined, input({ revision: 7 }), T0)
  assert.equal(r.kind === 'created' && r.article.version, 7)
})

test('identical content is unchanged, whatever the updatedAt', () => {
  const prev = stored()
  const d = decide(prev, input({ updatedAt: T0 + 60_000 }), T0 + 60_000)
  assert.deepEqual(d, { kind: 'unchanged', current: prev })
})

test('a change names exactly the changed fields and bumps the version', () => {
  const prev = stored()
  const d = decide(prev, input({ headline: 'নতুন শিরোনাম', urgency: 1 }), T0 + 1000)
  assert.equal(d.kind, 'updated')
  if (d.kind !== 'updated') return
  assert.deepEqual(d.changedFields, ['headline', 'urgency'])
  assert.equal(d.article.version, 2)
  assert.equal(d.article.publishedAt, T0, 'first publication instant sticks')
})

test('CMS revisions: older is stale, same with other content conflicts, newer wins', () => {
  const prev = stored({ version: 5 })
  assert.equal(decide(prev, input({ revision: 4, headline: 'x' }), T0).kind, 'conflict')
  const same = decide(prev, input({ revision: 5, headline: 'x' }), T0)
  assert.equal(same.kind === 'conflict' && same.code, 'revision_conflict')
  assert.equal(decide(prev, input({ revision: 5 }), T0).kind, 'unchanged')
  const newer = decide(prev, input({ revision: 9, headline: 'x' }), T0)
  assert.equal(newer.kind === 'updated' && newer.article.version, 9)
})

test('a withdrawn article is not revived; withdrawing twice changes nothing', () => {
  const prev = stored()
  const w = decideWithdraw(prev, T0 + 5)
  assert.equal(w.kind, 'withdrawn')
  if (w.kind !== 'withdrawn') return
  assert.equal(w.article.pubStatus, 'canceled')
  assert.equal(w.article.version, 2)
  assert.equal(decideWithdraw(w.article, T0 + 6).kind, 'unchanged')
  const revive = decide(w.article, input({ headline: 'again' }), T0 + 7)
  assert.equal(revive.kind === 'conflict' && revive.code, 'article_withdrawn')
})
