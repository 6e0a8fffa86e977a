// A story's older entries under the id the SDK writes in the path (red23d attack run). Ingest reads
// a path's id as it decodes (Express), the SDK percent-encodes it (`bd:fire-1` as `bd%3Afire-1`),
// and the fan-out matched the raw path: a live story whose id holds a ':' had no older entries for
// any SDK reader (404). The path names the id it decodes to, as at ingest; an encoded '/' or a dot
// segment names no story. Real ingest, Kafka and fan-out.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { storyEntriesUrl } from '../../client/src/entry-protocol.ts'
import { http, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { article, publish, startTestFanout } from './helpers.ts'

test('the entries of a story whose id holds ":" or "." are paged under the SDK’s encoded path, and only that story’s', {
  timeout: 60_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  for (const story of ['bd:fire-1', 'bd.fire-2']) {
    await publish(ingest.url, article(story, { live: true }))
    const r = await http(`${ingest.url}/v1/articles/${encodeURIComponent(story)}/entries/e1`, {
      method: 'PUT',
      json: { body: [`${story} first`] },
    })
    assert.equal(r.status, 201, r.text)
  }
  const ids = async (url: string) => {
    const res = await fetch(url)
    return {
      status: res.status,
      entries: res.status === 200 ? ((await res.json()) as { items: { id: string; body: string[] }[] }).items : [],
    }
  }
  for (let i = 0; i < 200 && (await ids(`${fanout.url}/v1/stories/bd.fire-2/entries`)).entries.length === 0; i++)
    await new Promise((r) => setTimeout(r, 50))
  for (const story of ['bd:fire-1', 'bd.fire-2']) {
    const raw = await ids(`${fanout.url}/v1/stories/${story}/entries`)
    assert.deepEqual(
      raw.entries.map((e) => e.body),
      [[`${story} first`]],
    )
    const sdk = await ids(storyEntriesUrl(`${fanout.url}/v1/sse`, story, undefined, null))
    assert.deepEqual(sdk, raw, `the SDK's path for ${story}`)
  }
  assert.deepEqual(await ids(`${fanout.url}/v1/stories/bd%2Efire-2/entries`), await ids(`${fanout.url}/v1/stories/bd.fire-2/entries`))
  for (const path of ['bd%2Ffire-1', '%2E%2E', 'bd%3Afire-1%00', '%E0%A6', 'bd%253Afire-1'])
    assert.equal((await ids(`${fanout.url}/v1/stories/${path}/entries`)).status, 404, path)
})
