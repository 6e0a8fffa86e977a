// red24b attack run (2026-12-07): where a story was seen is a bounded memory. The fan-out keeps
// up to 1 024 distinct views (category, language, urgency, breaking) per article, past which the
// newest kept one is replaced (exposure.ts); a kill reaches a resuming reader only through the
// view it saw the story in (the versions in between are skipped: their latest is the kill). A
// category is any slug, so a write key (a wire's, leaked; no withdraw scope) moved the desk's story
// through a thousand categories in three requests, then into `world`, where readers saw its text,
// then on. The desk killed it. A `world` reader whose phone slept through the move and the kill
// resumed and was told nothing: the killed story stayed on its screen. Ingest now refuses a write
// that takes an article into a view past the bound (409 `conflict`, `too_many_views`), so none is
// ever replaced. Real ingest and fan-out processes, the SDK as the reader.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { connect } from '../../client/src/index.ts'
import { sleep, uniquePrefix } from '../../../test/helpers.ts'
import { spawnFanout, spawnIngest } from '../../../test/reliability/support.ts'
import { NEW, post } from './support/keyed-post.ts'

const WIRE = 'Wire5Kd8Lm1Nq6Pr3St0Uv7Wx2Yz9Ab4Cd'
const VIEWS = 1024

const story = (category: string) => ({ id: 'story-x', language: 'en', headline: 'Minister', body: ['Text'], category })

async function moves(url: string, key: string, categories: string[]): Promise<{ line: number; status: number; conflict?: string }[]> {
  const res = await fetch(`${url}/v1/articles/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    body: categories.map((c) => JSON.stringify(story(c))).join('\n'),
  })
  assert.equal(res.status, 200)
  return ((await res.json()) as { results: { line: number; status: number; conflict?: string }[] }).results
}

test('a story moved through more views than the fan-out keeps: a reader who saw it in one resumes after its kill and hears of it', async (t) => {
  const env = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    KAFKA_TOPIC_PREFIX: uniquePrefix(),
    KAFKA_PARTITIONS: '1',
  }
  const ingest = await spawnIngest(t, { ...env, INGEST_API_KEYS: `desk:${NEW}:*,wire:${WIRE}:write` })
  const fanout = await spawnFanout(t, env)
  assert.equal((await post(ingest.url, NEW, '/v1/articles', story('politics'))).status, 201)
  // the wire key moves it through a thousand categories (the bound), a batch at a time
  const categories = Array.from({ length: VIEWS }, (_, i) => `desk-${i}`)
  const refused: string[] = []
  for (let i = 0; i < categories.length; i += 500)
    for (const r of await moves(ingest.url, WIRE, categories.slice(i, i + 500)))
      if (r.status !== 200) refused.push(`${r.status} ${r.conflict}`)
  // then into `world`, where readers see it
  const world = await post(ingest.url, WIRE, '/v1/articles', story('world'))
  const ws = `${fanout.url.replace('http', 'ws')}/v1/stream`
  const shows = new Set<string>()
  const reader = (since?: string) => {
    const c = connect(ws, { channels: ['category:world'], WebSocket, transport: 'websocket', ...(since ? { since } : {}) })
    c.on('event', ({ event: e }) => (e.type === 'WITHDRAWN' ? shows.delete(e.article.id) : shows.add(e.article.id)))
    c.on('withdrawn', ({ articleId }) => shows.delete(articleId))
    c.on('reset', (r) => {
      shows.clear()
      for (const m of r.items) shows.add(m.event.article.id)
    })
    return c
  }
  const first = reader()
  for (let i = 0; i < 100 && first.position === null; i++) await sleep(50)
  await sleep(500)
  const sawIt = shows.has('story-x')
  const position = first.position
  await first.close()
  assert.ok(position)
  // the reader's phone sleeps; the story moves on, and the desk kills it
  await post(ingest.url, WIRE, '/v1/articles', story('desk-last'))
  const killed = await fetch(`${ingest.url}/v1/articles/story-x/withdraw`, {
    method: 'POST',
    headers: { authorization: `Bearer ${NEW}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'legal' }),
  })
  assert.equal(killed.status, 200)
  // it wakes up and resumes
  const back = reader(position)
  t.after(() => back.close())
  await sleep(3000)
  assert.equal(shows.has('story-x'), false, `the killed story is still shown (seen in world: ${sawIt}, refused: ${refused.length})`)
  // the bound is kept by refusing the move past it: the view `politics` and a thousand and
  // twenty-three others, then none; `world` neither
  assert.deepEqual(refused, ['409 too_many_views'])
  assert.deepEqual([world.status, world.conflict], [409, 'too_many_views'])
  assert.equal(sawIt, false)
})
