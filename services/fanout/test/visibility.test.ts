import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Article, ArticleEvent } from '@newswire/shared'
import { decideDelivery, nextPublicVersion, publicBefore, publicVisible } from '../src/visibility.ts'

const art = (extra: Partial<Article> = {}): Article => ({
  id: 'x',
  version: 1,
  url: null,
  language: 'en',
  headline: 'h',
  summary: null,
  body: [],
  category: null,
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
const ev = (type: ArticleEvent['type'], article: Article, extra: Partial<ArticleEvent> = {}): ArticleEvent => ({
  eventId: 'e',
  type,
  occurredAt: 1000,
  ingestedAt: 1000,
  source: 's',
  traceId: 't',
  changedFields: [],
  reason: null,
  article,
  ...extra,
})

test('public sees usable articles whose embargo has passed', () => {
  assert.equal(publicVisible(art(), 0), true)
  assert.equal(publicVisible(art({ pubStatus: 'withheld' }), 0), false)
  assert.equal(publicVisible(art({ embargoedUntil: 2000 }), 1999), false)
  assert.equal(publicVisible(art({ embargoedUntil: 2000 }), 2000), true)
})

test('deliveries per audience', () => {
  const held = art({ embargoedUntil: 5000 })
  assert.equal(decideDelivery('public', ev('CREATED', held), null, 1000), null)
  assert.deepEqual(decideDelivery('newsroom', ev('CREATED', held), null, 1000), { kind: 'event', embargoed: true, match: held })
  assert.equal(decideDelivery('public', ev('CREATED', held), null, 5000)?.kind, 'event')
  assert.equal(decideDelivery('public', ev('CREATED', art({ pubStatus: 'withheld' })), undefined, 0), null, 'nothing before CREATED')
  // a withheld update of something the public saw becomes `withdrawn`
  const seen = art({ category: 'sports' })
  const w = decideDelivery('public', ev('UPDATED', art({ pubStatus: 'withheld', version: 2 })), seen, 0)
  assert.deepEqual(w, { kind: 'withdrawn', reason: 'withheld', match: seen })
  assert.equal(decideDelivery('public', ev('UPDATED', art({ pubStatus: 'withheld' })), null, 0), null)
  assert.deepEqual(
    decideDelivery('public', ev('WITHDRAWN', art({ pubStatus: 'canceled' }), { reason: 'legal' }), undefined, 0)?.kind,
    'withdrawn',
  )
  assert.equal(decideDelivery('public', ev('WITHDRAWN', art({ pubStatus: 'canceled' })), null, 0), null)
  assert.equal(decideDelivery('newsroom', ev('WITHDRAWN', art({ pubStatus: 'canceled' })), null, 0)?.kind, 'withdrawn')
})

test('what the public has seen, deterministically from ingestedAt', () => {
  const v1 = art({ embargoedUntil: 2000 })
  // embargo passed before the next event: the public saw v1
  assert.equal(publicBefore(v1, null, ev('UPDATED', art({ version: 2 }), { ingestedAt: 2500 })), v1)
  assert.equal(publicBefore(v1, null, ev('UPDATED', art({ version: 2 }), { ingestedAt: 1500 })), null)
  assert.equal(nextPublicVersion(undefined, undefined, ev('CREATED', v1, { ingestedAt: 1000 })), null)
  const v2 = art({ version: 2 })
  assert.equal(nextPublicVersion(v1, null, ev('UPDATED', v2, { ingestedAt: 1000 })), v2)
  assert.equal(nextPublicVersion(v2, v2, ev('WITHDRAWN', art({ pubStatus: 'canceled' }))), null)
})
