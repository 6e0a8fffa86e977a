// red25c attack run (2026-12-07): a PATCH that only holds or embargoes is decided as if sent
// without an Idempotency-Key when its key is bound to other content (red24f: a CMS keying by its
// revision) or its answer was pushed out (stop 54), since refused it keeps a story up. Decided
// again later, though, an embargo can do more than take down: the CMS's retry of "embargo until
// 2030", after the desk had moved the embargo to 2099, brought it back to 2030, and a hold that
// also named `embargoedUntil: null` lifted the desk's later embargo: the story was due out years
// early. Such a patch is decided without its key only where it lifts and brings forward nothing
// then; otherwise the key's refusal stands, as for any write.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { appForTest } from './support/in-process-app.ts'

const KEY = 'red25c-key-0000001'
const article = { id: 'story', language: 'en', headline: 'Story', body: ['b'] }

async function patch(url: string, body: object, idempotencyKey?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/merge-patch+json' }
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey
  const r = await http(`${url}/v1/articles/story`, { method: 'PATCH', key: KEY, headers, body: JSON.stringify(body) })
  return { status: r.status, code: (r.body as { code?: string }).code, text: r.text }
}

async function embargo(url: string): Promise<string | null> {
  const r = await http(`${url}/v1/articles/story`, { key: KEY })
  return (r.body as { article: { embargoedUntil: string | null } }).article.embargoedUntil
}

/** The CMS's save under its revision's key, which the editor's embargo then shares. */
async function savedUnder(t: { after: (fn: () => Promise<void>) => void }, key: string) {
  const { app } = await appForTest(t, KEY)
  const saved = await http(`${app.url}/v1/articles`, { method: 'POST', key: KEY, json: article, headers: { 'idempotency-key': key } })
  assert.equal(saved.status, 201, saved.text)
  return app
}

test('a retried embargo under a key bound to the save does not bring forward the desk’s later embargo', async (t) => {
  const app = await savedUnder(t, 'cms-42-rev-1')
  // the editor embargoes until 2030 under the save's key: decided without it (red24f)
  assert.equal((await patch(app.url, { embargoedUntil: '2030-06-01T12:00:00Z' }, 'cms-42-rev-1')).status, 200)
  // the desk moves it to 2099
  assert.equal((await patch(app.url, { embargoedUntil: '2099-12-31T23:59:00Z' })).status, 200)
  // the CMS retries its lost answer: refused as the key says, the desk's embargo stands
  const retry = await patch(app.url, { embargoedUntil: '2030-06-01T12:00:00Z' }, 'cms-42-rev-1')
  assert.deepEqual([retry.status, retry.code], [422, 'idempotency_key_reused'], retry.text)
  assert.equal(await embargo(app.url), '2099-12-31T23:59:00.000Z')
})

test('a hold that also lifts, under a key bound to the save, does not lift the desk’s embargo', async (t) => {
  const app = await savedUnder(t, 'cms-42-rev-1')
  assert.equal((await patch(app.url, { embargoedUntil: '2099-12-31T23:59:00Z' })).status, 200)
  const hold = await patch(app.url, { pubStatus: 'withheld', embargoedUntil: null }, 'cms-42-rev-1')
  assert.deepEqual([hold.status, hold.code], [422, 'idempotency_key_reused'], hold.text)
  assert.equal(await embargo(app.url), '2099-12-31T23:59:00.000Z')
})

test('a hold or a later embargo under a key bound to the save still goes through', async (t) => {
  const app = await savedUnder(t, 'cms-42-rev-1')
  assert.equal((await patch(app.url, { embargoedUntil: '2030-06-01T12:00:00Z' }, 'cms-42-rev-1')).status, 200)
  assert.equal((await patch(app.url, { embargoedUntil: '2099-12-31T23:59:00Z' }, 'cms-42-rev-1')).status, 200)
  assert.equal((await patch(app.url, { pubStatus: 'withheld' }, 'cms-42-rev-1')).status, 200)
  // an embargo equal to the one in force changes nothing, and is not refused
  assert.equal((await patch(app.url, { embargoedUntil: '2099-12-31T23:59:00Z' }, 'cms-42-rev-1')).status, 200)
  assert.equal(await embargo(app.url), '2099-12-31T23:59:00.000Z')
})

test('an entry’s hold that also lifts, under a key bound to its save, does not lift the desk’s embargo', async (t) => {
  const { app } = await appForTest(t, KEY)
  const story = await http(`${app.url}/v1/articles`, { method: 'POST', key: KEY, json: { ...article, live: true } })
  assert.equal(story.status, 201, story.text)
  const entry = `${app.url}/v1/articles/story/entries/e-1`
  const send = (method: string, body: object, idempotencyKey?: string) =>
    http(entry, {
      method,
      key: KEY,
      headers: {
        'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body: JSON.stringify(body),
    })
  assert.equal((await send('PUT', { body: ['Entry.'] }, 'blog-7-rev-1')).status, 201)
  assert.equal((await send('PATCH', { embargoedUntil: '2099-12-31T23:59:00Z' })).status, 200)
  const hold = await send('PATCH', { pubStatus: 'withheld', embargoedUntil: null }, 'blog-7-rev-1')
  assert.deepEqual([hold.status, (hold.body as { code?: string }).code], [422, 'idempotency_key_reused'], hold.text)
  const shown = await http(entry, { key: KEY })
  assert.equal((shown.body as { entry: { embargoedUntil: string | null } }).entry.embargoedUntil, '2099-12-31T23:59:00.000Z', shown.text)
  // a hold alone still goes through under that key
  assert.equal((await send('PATCH', { pubStatus: 'withheld' }, 'blog-7-rev-1')).status, 200)
})
