// red13b attack run (2026-12-05): an instant in year 0000 (`0000-06-01T00:00:00Z`, or
// `0001-01-01T00:30:00+01:00`, which is year 0000 in UTC). Ingest took it (years 0000–9999) and
// wrote it as a timestamp-millis long. The Python consumer schemas/README.md shows (fastavro 1.13,
// which turns timestamp-millis into a datetime, as that page says) cannot decode such a record:
// `OverflowError: date value out of range` (Python's datetime starts at year 1). Every event of the
// article after it carries the date (publishedAt sticks), its WITHDRAWN too, and an erasure's
// kill keeps the dates: a search index or push sender in Python parks the kill and keeps the story
// it holds. Instants before 0001-01-01T00:00:00Z are refused now, on every field that takes one.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'
const YEAR_ZERO = ['0000-06-01T00:00:00Z', '0000-12-31T23:59:59.999Z', '0001-01-01T00:30:00+01:00']

test('an instant before year 1 (which Python consumers cannot decode) is refused on every field, and changes nothing', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `dev:${KEY}:*`)
  t.after(() => app.close())
  const article = { language: 'en', headline: 'Port fire', body: ['Text.'], live: true }
  const post = (json: Record<string, unknown>) =>
    http(`${app.url}/v1/articles`, { method: 'POST', key: KEY, json: { ...article, ...json } })
  const created = await post({ id: 'y1', publishedAt: '2024-08-17T05:46:00Z' })
  assert.equal(created.status, 201, created.text)
  const entry = await http(`${app.url}/v1/articles/y1/entries/e1`, { method: 'PUT', key: KEY, json: { body: ['First.'] } })
  assert.equal(entry.status, 201, entry.text)
  const before = JSON.stringify([state.get('y1'), (await http(`${app.url}/v1/articles/y1/entries`, { key: KEY })).body])

  const refused = (r: { status: number; text: string; body: unknown }, field: string, what: string) => {
    assert.equal(r.status, 422, `${what}: ${r.text}`)
    const errors = (r.body as { errors?: { field: string }[] }).errors ?? []
    assert.ok(
      errors.some((e) => e.field === field),
      `${what}: names ${field}: ${r.text}`,
    )
  }
  for (const at of YEAR_ZERO) {
    for (const field of ['publishedAt', 'updatedAt', 'embargoedUntil']) {
      refused(await post({ id: 'y1', [field]: at }), field, `POST ${field} ${at}`)
      refused(await post({ id: 'y0', [field]: at }), field, `POST (create) ${field} ${at}`)
      const patch = await http(`${app.url}/v1/articles/y1`, {
        method: 'PATCH',
        key: KEY,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ [field]: at }),
      })
      refused(patch, field, `PATCH ${field} ${at}`)
    }
    refused(
      await post({ id: 'y1', headline: 'Port fire, corrected', correction: { note: 'Toll.', at } }),
      'correction.at',
      `correction ${at}`,
    )
    for (const field of ['publishedAt', 'updatedAt', 'embargoedUntil']) {
      const put = await http(`${app.url}/v1/articles/y1/entries/e1`, { method: 'PUT', key: KEY, json: { body: ['First.'], [field]: at } })
      refused(put, field, `entry PUT ${field} ${at}`)
    }
  }
  assert.equal(state.get('y0'), undefined, 'no article created')
  assert.equal(
    JSON.stringify([state.get('y1'), (await http(`${app.url}/v1/articles/y1/entries`, { key: KEY })).body]),
    before,
    'a refused write changed nothing',
  )
  // the first instant Python holds is taken
  const first = await post({ id: 'y1', publishedAt: '0001-01-01T00:00:00Z' })
  assert.equal(first.status, 200, first.text)
})
