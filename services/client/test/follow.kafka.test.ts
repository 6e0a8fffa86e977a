// The followers against the real thing: ingest → Kafka → fan-out, with the fan-out stopped and a
// new one started on the same port while a live story runs. followStory (WebSocket) ends holding
// exactly the entries readers may see, each new version announced once; followArticle (SSE) hears
// the update made while the fan-out was down, with its correction, and then the kill.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { article, publish, startTestFanout, withdraw } from '../../fanout/test/helpers.ts'
import { http, sleep, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { type ArticleGone, type ArticleUpdate, connect, followArticle, followStory } from '../src/index.ts'

async function until(pred: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

test('followStory and followArticle across a fan-out restart: every visible entry once, the correction, the kill', {
  timeout: 120_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  let fanout = await startTestFanout(t, prefix)
  const port = new URL(fanout.url).port
  const id = 'Follow-Story-1'
  await publish(ingest.url, article(id, { live: true, headline: 'Live: port fire' }))
  /** The entries as the newsroom wrote them: the newest version of each, null once deleted. */
  const written = new Map<string, { version: number; deleted: boolean }>()
  const put = async (entryId: string, body: Record<string, unknown>) => {
    const r = await http(`${ingest.url}/v1/articles/${id}/entries/${entryId}`, { method: 'PUT', json: body })
    assert.ok(r.status === 200 || r.status === 201, `PUT ${entryId}: ${r.status} ${r.text}`)
    written.set(entryId, { version: (r.body as { version: number }).version, deleted: false })
  }
  const remove = async (entryId: string) => {
    const r = await http(`${ingest.url}/v1/articles/${id}/entries/${entryId}`, { method: 'DELETE', json: { reason: 'wrong' } })
    assert.equal(r.status, 200, r.text)
    written.set(entryId, { version: (r.body as { version: number }).version, deleted: true })
  }
  for (let n = 1; n <= 25; n++) await put(`e${n}`, { body: [`Entry ${n}.`], pinned: n === 1 })

  const storyClient = connect(fanout.url, {
    channels: [`story:${id}`],
    entries: 5,
    WebSocket,
    transport: 'websocket',
    backoff: { minMs: 100, maxMs: 1000 },
  })
  t.after(() => storyClient.close())
  const announced: string[] = []
  const story = followStory(storyClient, id, { entry: (u) => announced.push(`${u.entry.id}@${u.entry.version}`) })
  const pageClient = connect(fanout.url, { channels: [`article:${id}`], transport: 'sse', backoff: { minMs: 100, maxMs: 1000 } })
  t.after(() => pageClient.close())
  const updates: ArticleUpdate[] = []
  const gone: ArticleGone[] = []
  followArticle(pageClient, id, { update: (u) => updates.push(u), gone: (g) => gone.push(g) })
  await until(() => story.entries.length === 6 && updates.length === 1, 'the snapshots')
  assert.deepEqual(
    story.entries.map((e) => e.id),
    ['e1', 'e21', 'e22', 'e23', 'e24', 'e25'],
  )

  let n = 25
  for (let round = 0; round < 10; round++) {
    if (round === 3) await fanout.close()
    if (round === 4) {
      // while the fan-out is down: the story corrected
      await publish(
        ingest.url,
        article(id, { live: true, headline: 'Live: port fire, 3 dead', correction: { note: 'The toll was wrong.' } }),
      )
    }
    if (round === 7) fanout = await startTestFanout(t, prefix, { FANOUT_PORT: port })
    for (let k = 0; k < 3; k++) await put(`e${++n}`, { body: [`Entry ${n}.`], keyEvent: n % 7 === 0 })
    await put(`e${2 + round * 2}`, { body: [`Entry ${2 + round * 2}, edited in round ${round}.`] })
    if (round % 3 === 1) await remove(`e${n - 1}`)
  }
  // older entries paged in to the end, then the stream caught up with everything written
  while (story.hasOlder) await story.older(7)
  const visible = () =>
    [...written]
      .filter(([, w]) => !w.deleted)
      .map(([entryId, w]) => `${entryId}@${w.version}`)
      .sort((a, b) => Number(a.slice(1, a.indexOf('@'))) - Number(b.slice(1, b.indexOf('@'))))
  const held = () => story.entries.map((e) => `${e.id}@${e.version}`)
  await until(
    () => held().join() === visible().join(),
    `the entries readers may see (held ${held().length}, visible ${visible().length})`,
    30_000,
  )
  assert.equal(new Set(announced).size, announced.length, 'no version announced twice')
  assert.ok(storyClient.stats.reconnects >= 1, 'the story reader reconnected')

  // the page heard the correction made while the fan-out was down, then the kill
  await until(() => updates.length === 2, 'the correction')
  assert.equal(updates[1]?.correction?.note, 'The toll was wrong.')
  assert.deepEqual(updates[1]?.changedFields.includes('headline'), true)
  await withdraw(ingest.url, id, 'legal')
  await until(() => gone.length === 1 && story.gone !== null, 'the kill')
  assert.equal(gone[0]?.cause, 'withdrawn')
  assert.deepEqual(story.entries, [], 'the kill took every entry with it')
})
