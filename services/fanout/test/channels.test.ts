import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Article } from '@newswire/shared'
import { ChannelError, emptyFilter, indexKeysOf, languageMatches, matchChannel, parseChannel, passesTickerFilter } from '../src/channels.ts'

const a = (extra: Partial<Article> = {}): Article => ({
  id: 'x',
  version: 1,
  url: null,
  language: 'bn-BD',
  headline: 'h',
  summary: null,
  body: [],
  category: 'international',
  categoryLabel: null,
  subjects: [],
  authors: [],
  publishedAt: null,
  updatedAt: null,
  urgency: 4,
  pubStatus: 'usable',
  embargoedUntil: null,
  breaking: false,
  dateline: null,
  timeZone: null,
  related: [],
  ...extra,
})

test('parses channels', () => {
  assert.deepEqual(parseChannel('breaking'), { name: 'breaking', kind: 'breaking', value: null })
  assert.deepEqual(parseChannel('Category:International'), { name: 'category:international', kind: 'category', value: 'international' })
  assert.deepEqual(parseChannel('lang:bn'), { name: 'lang:bn', kind: 'lang', value: 'bn' })
  for (const bad of ['', 'category:', 'category:Not A Slug', 'weather', 'lang:1', 42]) assert.throws(() => parseChannel(bad), ChannelError)
})

test('matches channels and filters', () => {
  const chs = ['breaking', 'category:international'].map(parseChannel)
  assert.equal(matchChannel(chs, emptyFilter, a()), 'category:international')
  assert.equal(matchChannel(chs, emptyFilter, a({ category: 'sports', urgency: 2 })), 'breaking')
  assert.equal(matchChannel(chs, emptyFilter, a({ category: 'sports', breaking: true })), 'breaking')
  assert.equal(matchChannel(chs, emptyFilter, a({ category: 'sports' })), null)
  assert.equal(matchChannel([parseChannel('lang:bn')], emptyFilter, a()), 'lang:bn')
  assert.equal(matchChannel([parseChannel('lang:bn')], emptyFilter, a({ language: 'bnx' })), null)
  const f = { ...emptyFilter, languages: ['bn'], maxUrgency: 3 }
  assert.equal(matchChannel(chs, f, a()), null, 'urgency 4 > 3')
  assert.equal(matchChannel(chs, f, a({ urgency: 3 })), 'category:international')
  assert.equal(matchChannel(chs, f, a({ urgency: 3, language: 'en' })), null)
  assert.equal(matchChannel([], { ...emptyFilter, categories: ['international'] }, a()), '*')
  assert.equal(matchChannel([], { ...emptyFilter, categories: ['sports'] }, a()), null)
})

test('ticker filter skips updates of fields a ticker does not show', () => {
  const f = { ...emptyFilter, tickerFieldsOnly: true }
  assert.equal(passesTickerFilter(f, { type: 'UPDATED', changedFields: ['body'] }), false)
  assert.equal(passesTickerFilter(f, { type: 'UPDATED', changedFields: ['body', 'headline'] }), true)
  assert.equal(passesTickerFilter(f, { type: 'CREATED', changedFields: [] }), true)
  assert.equal(passesTickerFilter(emptyFilter, { type: 'UPDATED', changedFields: ['body'] }), true)
})

test('index keys cover every channel an article can match', () => {
  assert.deepEqual(indexKeysOf(a({ urgency: 1 })), ['*', 'all', 'article:x', 'breaking', 'category:international', 'lang:bn', 'lang:bn-bd'])
})

test('article:<id> and story:<id> keep the id as ingest spells it, and match that article only', () => {
  assert.deepEqual(parseChannel('article:BD-2024.1:x_y'), { name: 'article:BD-2024.1:x_y', kind: 'article', value: 'BD-2024.1:x_y' })
  assert.deepEqual(parseChannel(' Story:Live-1 '), { name: 'story:Live-1', kind: 'story', value: 'Live-1' })
  assert.equal(parseChannel(`article:${'a'.repeat(200)}`).value?.length, 200)
  for (const bad of ['article:', 'article:-x', 'article:a/b', 'story:a b', `story:${'a'.repeat(201)}`, 'article:ব'])
    assert.throws(() => parseChannel(bad), ChannelError, bad)
  assert.equal(matchChannel([parseChannel('article:x')], emptyFilter, a()), 'article:x')
  assert.equal(matchChannel([parseChannel('article:X')], emptyFilter, a()), null, 'ids are case-sensitive')
  assert.equal(matchChannel([parseChannel('story:x')], { ...emptyFilter, languages: ['en'] }, a()), null, 'filters apply')
})

test('a region tag matches whatever case the article spells it in: channels and filters (and token scopes, through languageMatches)', () => {
  assert.equal(matchChannel([parseChannel('lang:bn-BD')], emptyFilter, a({ language: 'bn-BD' })), 'lang:bn-bd')
  assert.equal(matchChannel([], { ...emptyFilter, languages: ['bn-bd'] }, a({ language: 'BN-bd' })), '*')
  assert.equal(languageMatches('bn', 'BN'), true)
  assert.equal(languageMatches('bn-bd', 'bn'), false)
})

test('ticker filter: an update of any field the README lists reaches a ticker, its editorial state included', () => {
  const f = { ...emptyFilter, tickerFieldsOnly: true }
  // a newsroom ticker must hear that a withheld story became usable, or that its embargo moved
  const listed = ['headline', 'urgency', 'breaking', 'category', 'language', 'pubStatus', 'embargoedUntil', 'url', 'summary']
  for (const field of listed) assert.equal(passesTickerFilter(f, { type: 'UPDATED', changedFields: [field] }), true, field)
  for (const field of ['body', 'authors', 'subjects', 'dateline'])
    assert.equal(passesTickerFilter(f, { type: 'UPDATED', changedFields: [field] }), false, field)
})

test('a categories filter lets no uncategorized article through', () => {
  assert.equal(matchChannel([], { ...emptyFilter, categories: ['international'] }, a({ category: null })), null)
  assert.equal(
    matchChannel([parseChannel('breaking')], { ...emptyFilter, categories: ['international'] }, a({ category: null, urgency: 1 })),
    null,
  )
})

test('only the exact words breaking and all name those channels', () => {
  for (const bad of ['allx', 'all:sports', 'all-desks', 'breakingx']) assert.throws(() => parseChannel(bad), ChannelError, bad)
  assert.deepEqual(parseChannel(' ALL '), { name: 'all', kind: 'all', value: null })
})
