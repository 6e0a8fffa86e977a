// A view from a query string (http/query.ts), as /v1/sse, /v1/snapshot, /v1/counts and a story's
// entries read it: exactly what the WebSocket protocol accepts, nothing read more loosely. The
// routes' tests went through it, but no case held its parsing of each parameter (stop 44 sweep).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ProtocolError } from '../src/protocol.ts'
import { commaList, subscriptionFromQuery, viewFromQuery } from '../src/http/query.ts'
import { sseSubscription } from '../src/http/sse.ts'

const view = (query: string, requireSome = true) => viewFromQuery(new URLSearchParams(query), 'ref', requireSome)
const refused = (query: string, requireSome = true) =>
  assert.throws(
    () => view(query, requireSome),
    (err: unknown) => err instanceof ProtocolError && err.ref === 'ref',
    query,
  )

test('commaList: items trimmed, empty items and an empty or absent list dropped', { timeout: 30_000 }, () => {
  assert.deepEqual(commaList(' bn , en,,  ,fr '), ['bn', 'en', 'fr'])
  assert.equal(commaList(null), undefined)
  assert.equal(commaList(''), undefined)
  assert.deepEqual(commaList(' , '), [], 'only commas: a list of nothing, which the protocol refuses')
  assert.equal(commaList('   '), undefined)
})

test('each filter parameter is read as the protocol reads it', { timeout: 30_000 }, () => {
  const v = view('channels=breaking,+category:news&languages=bn,,en&categories=news&maxUrgency=3&states=live,embargoed')
  assert.deepEqual(
    v.channels.map((c) => c.name),
    ['breaking', 'category:news'],
  )
  assert.deepEqual(v.filter.languages, ['bn', 'en'])
  assert.deepEqual(v.filter.categories, ['news'])
  assert.equal(v.filter.maxUrgency, 3)
  assert.deepEqual(v.filter.states, ['live', 'embargoed'])
  assert.equal(v.filter.tickerFieldsOnly, false)
  for (const yes of ['true', '1']) assert.equal(view(`channels=breaking&tickerFieldsOnly=${yes}`).filter.tickerFieldsOnly, true, yes)
  for (const no of ['false', '0', '', 'yes'])
    assert.equal(view(`channels=breaking&tickerFieldsOnly=${no}`).filter.tickerFieldsOnly, false, no)
  assert.equal(view('channels=breaking&maxUrgency=').filter.maxUrgency, null)
})

test('what the protocol refuses is refused, not read more loosely', { timeout: 30_000 }, () => {
  for (const q of ['maxUrgency=2x', 'maxUrgency=2.5', 'maxUrgency=0', 'maxUrgency=10', 'maxUrgency=abc']) refused(`channels=breaking&${q}`)
  refused('languages=bn, ,x y')
  refused('states=live,nonsense')
  refused('channels=nonsense:x')
})

test('a stream needs channels or a filter; a page or a count does not', { timeout: 30_000 }, () => {
  refused('')
  refused('channels=&languages=')
  assert.deepEqual(view('', false).channels, [])
  assert.equal(view('', false).filter.states, null)
  // any one filter parameter is enough, an empty tickerFieldsOnly too
  assert.equal(view('tickerFieldsOnly=').channels.length, 0)
  assert.deepEqual(view('states=live').filter.states, ['live'])
  assert.equal(view('maxUrgency=1').filter.maxUrgency, 1)
})

// Found by this file (stop 44): Number() read '0x3', '3e0', '+3', ' 3' and '3.0' as 3, so a page
// or a stream took a maxUrgency no client writes (the SDK writes String(n)) and the WebSocket's
// JSON could not carry; bad input is refused with its error, not read loosely.
test('maxUrgency is digits only: 0x3, 3e0, +3, a padded 3 and 3.0 are refused', { timeout: 30_000 }, () => {
  for (const v of ['0x3', '3e0', '+3', ' 3', '3.0', '0b11']) refused(`channels=breaking&maxUrgency=${encodeURIComponent(v)}`)
  assert.equal(view('channels=breaking&maxUrgency=9').filter.maxUrgency, 9)
})

test('an empty since (or Last-Event-ID) on /v1/sse is no position: a fresh stream, not a 400 that ends a raw EventSource (red28a)', () => {
  const q = new URLSearchParams('channels=breaking&since=')
  assert.equal(sseSubscription(new URL('http://x/v1/sse?channels=breaking&since='), '').since, null)
  assert.equal(sseSubscription(new URL('http://x/v1/sse?channels=breaking&since='), undefined).since, null)
  // a position given is passed on to be verified, from the header before the query
  assert.equal(sseSubscription(new URL('http://x/v1/sse?channels=breaking&since=q'), 'h').since, 'h')
  assert.equal(sseSubscription(new URL('http://x/v1/sse?channels=breaking&since=q'), '').since, 'q')
  // past 16 KiB it is refused as a position
  assert.throws(
    () => subscriptionFromQuery(q, 's', 's', 'x'.repeat(16_385)),
    (err: unknown) => err instanceof ProtocolError && err.code === 'invalid_position',
  )
})
