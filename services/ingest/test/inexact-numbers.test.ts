// Numbers JSON.parse rounds before the schema sees them. A JSON number is a decimal literal;
// JSON.parse reads it as the nearest double, so `4503599627370496.5` (2^52 + 0.5) arrives as
// 2^52, `5.9999999999999999` as 6, `1.0000000000000001` as 1 and `9007199254740993` as 2^53:
// whole numbers, which the integer checks then take. A CMS's revision was decided as another one
// than it sent (stale, duplicate and ordering decisions rest on it) and a stray fraction on
// `urgency` made a flash. Such a body is refused now (422, `inexact_number` naming the field) on
// every route and changes nothing; a whole number spelled with a fraction or an exponent that
// JSON.parse reads exactly (`3.0`, `1e1`, `30e-1`), as older clients send it, is still taken.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Answer, assertRefused, batchLines } from './support/answers.ts'
import { storyToRefuse } from './support/story-to-refuse.ts'

/** A story's JSON text; `raw` members are written as given (numbers spelled as a client spells them). */
const story = (raw: Record<string, string> = {}) =>
  `{${Object.entries({ id: '"n-1"', language: '"en"', headline: '"Verdict"', body: '["Text."]', live: 'true', ...raw })
    .map(([k, v]) => `"${k}":${v}`)
    .join(',')}}`

test('a number JSON.parse does not read as it was written is refused on every route, and changes nothing', async (t) => {
  const { state, send, snapshot } = await storyToRefuse(t, 'n-1', story({ version: '5', urgency: '5' }), '{"body":["First."],"version":2}')
  const before = await snapshot()

  const refused = (r: Answer, field: string, what: string) => assertRefused(r, field, 'inexact_number', what)
  // a fraction read as the next revision: an update decided as version 6
  refused(await send('/v1/articles', story({ headline: '"Other"', version: '5.9999999999999999' })), 'version', 'POST version 5.999…')
  // the bound itself, reached by rounding
  refused(await send('/v1/articles', story({ id: '"n-2"', version: '4503599627370496.5' })), 'version', 'POST version 2^52 + 0.5')
  refused(await send('/v1/articles', story({ id: '"n-2"', version: '4503599627370495.8' })), 'version', 'POST version 2^52 - 0.2')
  refused(await send('/v1/articles', story({ id: '"n-2"', version: '9007199254740993' })), 'version', 'POST version 2^53 + 1')
  refused(await send('/v1/articles', story({ id: '"n-2"', version: '1e-400' })), 'version', 'POST a version that underflows')
  refused(await send('/v1/articles', story({ urgency: '1.0000000000000001' })), 'urgency', 'POST urgency read as a flash')
  refused(
    await send('/v1/articles/n-1', '{"urgency":1.00000000000000001}', 'PATCH', 'application/merge-patch+json'),
    'urgency',
    'PATCH urgency',
  )
  refused(await send('/v1/articles/n-1/entries/e1', '{"body":["Second."],"version":2.0000000000000001}', 'PUT'), 'version', 'entry PUT')
  refused(await send('/v1/articles/n-1/withdraw', '{"reason":"legal","x":[7.00000000000000001]}'), 'x[0]', 'withdraw')
  const batch = await send(
    '/v1/articles/batch',
    `${story({ headline: '"Other"', version: '5.9999999999999999' })}\n{"id":"other-1","language":"en","headline":"Other","body":["x"]}\n`,
    'POST',
    'application/x-ndjson',
  )
  assert.equal(batch.status, 200, batch.text)
  assert.deepEqual(
    batchLines(batch),
    [
      [422, ['version inexact_number']],
      [201, []],
    ],
    batch.text,
  )
  assert.equal(await snapshot(), before, 'nothing changed')

  // a whole number JSON.parse reads exactly is taken, however it is spelled
  const six = await send('/v1/articles', story({ headline: '"Six"', version: '6.0', urgency: '3e0' }))
  assert.equal(six.status, 200, six.text)
  assert.deepEqual([state.get('n-1')?.article.version, state.get('n-1')?.article.urgency], [6, 3])
  const seven = await send('/v1/articles', story({ headline: '"Seven"', version: '70E-1', urgency: '0.3e1' }))
  assert.equal(seven.status, 200, seven.text)
  assert.equal(state.get('n-1')?.article.version, 7)
  const bound = await send('/v1/articles', story({ id: '"n-3"', version: '4503599627370496.0' }))
  assert.equal(bound.status, 201, bound.text)
})
