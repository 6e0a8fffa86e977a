// red13b attack run (2026-12-05): a JSON object that names a member twice. RFC 8259 leaves what it
// means to the receiver ("unpredictable"); JSON.parse keeps the last, a gateway, a CMS's audit log
// or a reviewer reading the request may take the first. So a body holding
// `"pubStatus":"withheld", … "pubStatus":"usable"` (a template's default appended after the desk's
// hold, or written so on purpose) released a held story, and `"embargoedUntil": …` twice lifted an
// embargo, while ingest promises that editorial controls change only through an explicit value.
// Such a body is refused now (422 `duplicate_member`, naming the member), on every route, and
// changes nothing.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Answer, assertRefused, batchLines } from './support/answers.ts'
import { storyToRefuse } from './support/story-to-refuse.ts'

const HELD = '"id":"held-1","language":"en","headline":"Verdict","body":["Text."],"live":true'

test('a member named twice in one object is refused on every route, whatever its spelling, and changes nothing', async (t) => {
  const { send, snapshot } = await storyToRefuse(
    t,
    'held-1',
    `{${HELD},"pubStatus":"withheld","embargoedUntil":"2099-01-01T00:00:00Z"}`,
    '{"body":["First."],"pubStatus":"withheld"}',
  )
  const before = await snapshot()

  const refused = (r: Answer, field: string, what: string) => assertRefused(r, field, 'duplicate_member', what)
  refused(await send('/v1/articles', `{${HELD},"pubStatus":"withheld","pubStatus":"usable"}`), 'pubStatus', 'POST pubStatus twice')
  refused(
    await send('/v1/articles', `{${HELD},"pubStatus":"withheld","pub\\u0053tatus":"usable"}`),
    'pubStatus',
    'an escaped second spelling',
  )
  refused(
    await send('/v1/articles', `{${HELD},"embargoedUntil":"2099-01-01T00:00:00Z","embargoedUntil":null}`),
    'embargoedUntil',
    'POST embargoedUntil twice',
  )
  refused(
    await send('/v1/articles', `{${HELD},"headline":"Other","correction":{"note":"a","note":"b"}}`),
    'correction.note',
    'a nested object',
  )
  refused(
    await send('/v1/articles/held-1', '{"pubStatus":"withheld","pubStatus":"usable"}', 'PATCH', 'application/merge-patch+json'),
    'pubStatus',
    'PATCH',
  )
  refused(
    await send('/v1/articles/held-1/entries/e1', '{"body":["First."],"pubStatus":"usable","pubStatus":"usable"}', 'PUT'),
    'pubStatus',
    'entry PUT',
  )
  refused(await send('/v1/articles/held-1/withdraw', '{"reason":"legal","reason":"a name"}'), 'reason', 'withdraw')
  const batch = await send(
    '/v1/articles/batch',
    `{${HELD},"pubStatus":"withheld","pubStatus":"usable"}\n{"id":"other-1","language":"en","headline":"Other","body":["x"]}\n`,
    'POST',
    'application/x-ndjson',
  )
  assert.equal(batch.status, 200, batch.text)
  assert.deepEqual(
    batchLines(batch),
    [
      [422, ['pubStatus duplicate_member']],
      [201, []],
    ],
    batch.text,
  )
  assert.equal(await snapshot(), before, 'nothing changed: the story and its entry are still held')
  // the same name in two objects is no duplicate
  const two = await send('/v1/articles', `{${HELD},"related":[{"headline":"a","url":null},{"headline":"b","url":null}]}`)
  assert.equal(two.status, 200, two.text)
})
