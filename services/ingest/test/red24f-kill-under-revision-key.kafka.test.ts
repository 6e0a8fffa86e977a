// red24f attack run (2026-12-07): the README's Idempotency-Key is the CMS's article and revision
// (`cms-42-rev-1`), and a CMS keys every request so. A kill bumps no revision: the editor's kill
// went out under the key of the save before it, other content, and was refused 422
// `idempotency_key_reused`; so was every retry, and the story stayed up for every reader until an
// editor changed the story to bump the revision (real ingest processes, two of them behind the
// CMS, and the SDK as the reader). A takedown (withdraw, erase, an entry's DELETE) under a key
// bound to other content is now decided as one sent without a key: it only takes down, and the
// key keeps the first request's answer.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { connect } from '../../client/src/index.ts'
import { sleep, uniquePrefix } from '../../../test/helpers.ts'
import { spawnFanout, spawnIngest } from '../../../test/reliability/support.ts'
import { NEW, post } from './support/keyed-post.ts'

const story = (id: string) => ({ id, language: 'en', headline: `Minister ${id}`, body: ['Text'], category: 'world', live: true })

async function send(url: string, method: string, path: string, body: object, key: string): Promise<{ status: number; type?: string }> {
  const type = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${NEW}`, 'content-type': type, 'idempotency-key': key },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as { type?: string }
  return { status: res.status, type: json.type }
}

test('a kill, an erasure and an entry deletion sent under the key of the save before them take the story down', async (t) => {
  const env = { KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', KAFKA_TOPIC_PREFIX: uniquePrefix(), KAFKA_PARTITIONS: '1' }
  const a = await spawnIngest(t, { ...env, INGEST_API_KEYS: `cms:${NEW}:*` })
  const b = await spawnIngest(t, { ...env, INGEST_API_KEYS: `cms:${NEW}:*` })
  const fanout = await spawnFanout(t, env)
  const shown = new Set<string>()
  const reader = connect(`${fanout.url.replace('http', 'ws')}/v1/stream`, {
    channels: ['category:world'],
    WebSocket,
    transport: 'websocket',
  })
  t.after(() => reader.close())
  reader.on('event', ({ event: e }) => (e.type === 'WITHDRAWN' ? shown.delete(e.article.id) : shown.add(e.article.id)))
  reader.on('withdrawn', ({ articleId }) => shown.delete(articleId))
  for (let i = 0; i < 100 && reader.position === null; i++) await sleep(50)
  assert.ok(reader.position)
  // the CMS saves three stories, each under its revision's key, on instance a
  const saved = [
    await post(a.url, NEW, '/v1/articles', story('cms-42'), 'cms-42-rev-1'),
    await post(a.url, NEW, '/v1/articles', story('cms-43'), 'cms-43-rev-1'),
    await post(a.url, NEW, '/v1/articles', story('cms-44'), 'cms-44-rev-1'),
  ]
  assert.deepEqual(
    saved.map((s) => s.status),
    [201, 201, 201],
  )
  const entry = await send(a.url, 'PUT', '/v1/articles/cms-44/entries/e-1', { headline: 'Entry', body: ['x'] }, 'cms-44-e-1-rev-1')
  assert.equal(entry.status, 201)
  await sleep(1000)
  assert.deepEqual([...shown].sort(), ['cms-42', 'cms-43', 'cms-44'])
  // the editor kills one, the lawyer erases another, the live desk deletes the entry: the
  // revision has not moved, and the load balancer sends two of them to the other instance
  const killed = await send(a.url, 'POST', '/v1/articles/cms-42/withdraw', { reason: 'legal' }, 'cms-42-rev-1')
  const erased = await send(b.url, 'POST', '/v1/articles/cms-43/erase', { reason: 'court order' }, 'cms-43-rev-1')
  const deleted = await send(b.url, 'DELETE', '/v1/articles/cms-44/entries/e-1', { reason: 'legal' }, 'cms-44-e-1-rev-1')
  await sleep(1500)
  assert.deepEqual(
    { killed, erased, deleted, shown: [...shown].sort() },
    {
      killed: { status: 200, type: 'WITHDRAWN' },
      erased: { status: 200, type: 'WITHDRAWN' },
      deleted: { status: 200, type: 'ENTRY_DELETED' },
      shown: ['cms-44'],
    },
  )
  // each key keeps its first answer: the save's retry is answered as before, writing nothing
  const again = await post(b.url, NEW, '/v1/articles', story('cms-42'), 'cms-42-rev-1')
  assert.deepEqual([again.status, again.eventId], [201, saved[0]?.eventId])
  // and a retry of the kill under it only takes down what it took down
  const retried = await send(b.url, 'POST', '/v1/articles/cms-42/withdraw', { reason: 'legal' }, 'cms-42-rev-1')
  assert.equal(retried.status, 200)
})

// A hold or a new embargo is a takedown too (takedown.ts): sent under the key of the save before it
// (a hold bumps no revision either) it was refused 422 and the story stayed up (stop 54).
test('a hold and an embargo sent under the key of the save before them take the story down', async (t) => {
  const env = { KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', KAFKA_TOPIC_PREFIX: uniquePrefix(), KAFKA_PARTITIONS: '1' }
  const a = await spawnIngest(t, { ...env, INGEST_API_KEYS: `cms:${NEW}:*` })
  assert.equal((await post(a.url, NEW, '/v1/articles', story('cms-52'), 'cms-52-rev-1')).status, 201)
  assert.equal((await post(a.url, NEW, '/v1/articles', story('cms-53'), 'cms-53-rev-1')).status, 201)
  const held = await send(a.url, 'PATCH', '/v1/articles/cms-52', { pubStatus: 'withheld' }, 'cms-52-rev-1')
  const later = new Date(Date.now() + 3_600_000).toISOString()
  const embargoed = await send(a.url, 'PATCH', '/v1/articles/cms-53', { embargoedUntil: later }, 'cms-53-rev-1')
  assert.deepEqual([held.status, embargoed.status], [200, 200])
  // other content under the save's key is still refused
  const edit = await send(a.url, 'PATCH', '/v1/articles/cms-52', { headline: 'Other' }, 'cms-52-rev-1')
  assert.equal(edit.status, 422)
})
