import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Article } from '@newswire/shared'
import { decide, decideWithdraw } from '../src/decide.ts'
import type { Actor, Current } from '../src/decide.ts'
import { articleInput, T0 } from './support/article-input.ts'

const input = articleInput

function storedArticle(extra: Partial<Article> = {}): Article {
  const d = decide(undefined, input(), T0)
  assert.equal(d.kind, 'created')
  return { ...(d.kind === 'created' ? d.article : ({} as Article)), ...extra }
}

const cms: Actor = { source: 'cms', importer: false }
const importer: Actor = { source: 'import:scraper', importer: true }

function stored(extra: Partial<Article> = {}, source = cms.source): Current {
  return { article: storedArticle(extra), source }
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
  assert.deepEqual(d, { kind: 'unchanged', current: prev.article })
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
  const w = decideWithdraw(prev.article, T0 + 5)
  assert.equal(w.kind, 'withdrawn')
  if (w.kind !== 'withdrawn') return
  assert.equal(w.article.pubStatus, 'canceled')
  assert.equal(w.article.version, 2)
  assert.equal(decideWithdraw(w.article, T0 + 6).kind, 'unchanged')
  const revive = decide({ article: w.article, source: cms.source }, input({ headline: 'again' }), T0 + 7)
  assert.equal(revive.kind === 'conflict' && revive.code, 'article_withdrawn')
})

test('editorial controls: omitted keeps the current value, an explicit value changes it, null lifts an embargo', () => {
  const EMBARGO = T0 + 3_600_000
  const held = stored({ pubStatus: 'withheld', embargoedUntil: EMBARGO })
  // a CMS that sends only what it changed (or does not know these fields) publishes nothing by omission
  const omitted = decide(held, input({ headline: 'corrected', pubStatus: undefined, embargoedUntil: undefined }), T0 + 1, cms)
  assert.equal(omitted.kind, 'updated')
  if (omitted.kind === 'updated') {
    assert.deepEqual([omitted.article.pubStatus, omitted.article.embargoedUntil], ['withheld', EMBARGO])
    assert.deepEqual(omitted.changedFields, ['headline'])
  }
  const released = decide(held, input({ pubStatus: 'usable', embargoedUntil: null }), T0 + 2, cms)
  assert.equal(released.kind, 'updated')
  if (released.kind === 'updated') {
    assert.deepEqual([released.article.pubStatus, released.article.embargoedUntil], ['usable', null])
    assert.deepEqual(released.changedFields, ['pubStatus', 'embargoedUntil'])
  }
  // created without them: usable, no embargo
  const created = decide(undefined, input({ pubStatus: undefined, embargoedUntil: undefined }), T0)
  assert.ok(created.kind === 'created' && created.article.pubStatus === 'usable' && created.article.embargoedUntil === null)
})

test('an importer creates, updates only its own articles, and never sets or lifts editorial controls', () => {
  const mine = stored({ headline: 'imported' }, importer.source)
  const update = decide(mine, input({ headline: 'imported, corrected' }), T0 + 1, importer)
  assert.equal(update.kind, 'updated')
  for (const source of ['cms', 'import:another-scraper']) {
    const refused = decide(stored({}, source), input({ headline: 'overwritten?' }), T0 + 1, importer)
    assert.equal(refused.kind, 'forbidden', source)
  }
  // even when an importer's input carries them, editorial controls keep their value
  const held = stored({ pubStatus: 'withheld', embargoedUntil: T0 + 60_000 }, importer.source)
  const lifted = decide(held, input({ headline: 'x', pubStatus: 'usable', embargoedUntil: null }), T0 + 2, importer)
  assert.ok(lifted.kind === 'updated')
  if (lifted.kind === 'updated') assert.deepEqual([lifted.article.pubStatus, lifted.article.embargoedUntil], ['withheld', T0 + 60_000])
  const created = decide(undefined, input({ pubStatus: 'withheld', embargoedUntil: T0 + 5 }), T0, importer)
  assert.ok(created.kind === 'created' && created.article.pubStatus === 'usable' && created.article.embargoedUntil === null)
  // nor corrections: a note in an importer's input is not told (the import route sends none)
  const noted = decide(
    mine,
    input({ headline: 'imported, again', correction: { note: 'An earlier version erred.', at: null } }),
    T0 + 2,
    importer,
  )
  assert.ok(noted.kind === 'updated')
  if (noted.kind === 'updated') assert.deepEqual([noted.correction, noted.article.corrections], [null, []])
  // a killed article stays killed for everyone
  const killed = stored({ pubStatus: 'canceled' }, importer.source)
  const revive = decide(killed, input(), T0 + 3, importer)
  assert.ok(revive.kind === 'conflict' && revive.code === 'article_withdrawn')
})

test('publishedAt: the first publication instant sticks when an update omits it; a value corrects it', () => {
  const prev = stored()
  const omitted = decide(prev, input({ publishedAt: null, headline: 'নতুন শিরোনাম' }), T0 + 1000)
  assert.ok(omitted.kind === 'updated')
  if (omitted.kind === 'updated') {
    assert.equal(omitted.article.publishedAt, T0)
    assert.deepEqual(omitted.changedFields, ['headline'])
  }
  assert.deepEqual(decide(prev, input({ publishedAt: null }), T0 + 1000), { kind: 'unchanged', current: prev.article })
  const corrected = decide(prev, input({ publishedAt: T0 - 60_000 }), T0 + 1000)
  assert.ok(corrected.kind === 'updated' && corrected.article.publishedAt === T0 - 60_000)
})
