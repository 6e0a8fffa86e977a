// red24f attack run (2026-12-07): a CMS team writes its client from services/ingest/README.md's
// examples, to the letter. The "Create or update" example's body carried
// `"pubStatus":"usable","embargoedUntil":null`, and the partial update's example, a headline fix,
// carried `"embargoedUntil":null`: both are explicit values, a release and an embargo's lift. A
// CMS whose saves are built on them released the desk's hold with every save of the story and
// lifted the desk's embargo with a headline fix: the story went to every public reader (real
// ingest and fan-out processes, the SDK as the reader). The examples now send only what they mean
// to change, and this test sends them as the README writes them, after the desk's hold and embargo.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { connect } from '../../client/src/index.ts'
import { sleep, uniquePrefix } from '../../../test/helpers.ts'
import { spawnFanout, spawnIngest } from '../../../test/reliability/support.ts'
import { NEW } from './support/keyed-post.ts'

const CMS = 'Cms4Rt8Yu2Io6Pa1Sd5Fg9Hj3Kl7Zx0CvB'
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8')

/** The example under `## <section>`: its curl command's method, path and `-d` body, as written. */
function example(section: string): { method: string; path: string; body: string } {
  const start = readme.indexOf(`## ${section}`)
  assert.ok(start >= 0, section)
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start))?.[1] ?? ''
  const method = /-X (PATCH|PUT|DELETE)/.exec(block)?.[1] ?? 'POST'
  const path = /http:\/\/127\.0\.0\.1:8081(\/\S+)/.exec(block)?.[1] ?? ''
  const body = /-d '([\s\S]*?)'/.exec(block)?.[1] ?? ''
  assert.ok(path && body, `no curl example under ${section}`)
  return { method, path, body }
}

async function send(url: string, key: string, r: { method: string; path: string; body: string }): Promise<number> {
  const type = r.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'
  const res = await fetch(`${url}${r.path}`, {
    method: r.method,
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    body: r.body,
  })
  await res.body?.cancel()
  return res.status
}

test("the README's create-or-update and partial-update examples, sent by a CMS after the desk's hold and embargo, release nothing", async (t) => {
  const env = { KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', KAFKA_TOPIC_PREFIX: uniquePrefix(), KAFKA_PARTITIONS: '1' }
  const ingest = await spawnIngest(t, { ...env, INGEST_API_KEYS: `desk:${NEW}:*,cms:${CMS}:write` })
  const fanout = await spawnFanout(t, env)
  const create = example('Create or update')
  const patch = example('Partial update')
  const article = JSON.parse(create.body) as { id: string; category: string }
  const story = `/v1/articles/${article.id}`
  // the desk prepares the story: held, and under embargo until tomorrow
  const embargo = new Date(Date.now() + 86_400_000).toISOString()
  const prepared = { ...article, headline: 'Draft', pubStatus: 'withheld', embargoedUntil: embargo }
  assert.equal(await send(ingest.url, NEW, { method: 'POST', path: '/v1/articles', body: JSON.stringify(prepared) }), 201)
  const shown = new Set<string>()
  const reader = connect(`${fanout.url.replace('http', 'ws')}/v1/stream`, {
    channels: [`category:${article.category}`],
    WebSocket,
    transport: 'websocket',
  })
  t.after(() => reader.close())
  reader.on('event', ({ event: e }) => (e.type === 'WITHDRAWN' ? shown.delete(e.article.id) : shown.add(e.article.id)))
  reader.on('reset', (r) => {
    for (const m of r.items) shown.add(m.event.article.id)
  })
  for (let i = 0; i < 100 && reader.position === null; i++) await sleep(50)
  assert.ok(reader.position)
  // the CMS saves the story (the create-or-update example), then fixes its headline (the partial update's)
  const saved = await send(ingest.url, CMS, create)
  const fixed = await send(ingest.url, CMS, patch)
  assert.deepEqual([saved, fixed], [200, 200])
  const read = await fetch(`${ingest.url}${story}`, { headers: { authorization: `Bearer ${NEW}` } })
  const state = ((await read.json()) as { article: { pubStatus: string; embargoedUntil: string | null } }).article
  await sleep(1500)
  // what the desk set stands, and no public reader was shown the story
  assert.deepEqual([state.pubStatus, state.embargoedUntil, shown.has(article.id)], ['withheld', embargo, false])
})
