// Public /v1/snapshot and /v1/counts answers carry an ETag so shared caches keep them and
// revalidate every time (304 when unchanged). Two things made it change on every request although
// nothing had (red6 attack run, 2026-12-04): a page's `next` cursor was sealed with a random IV
// (page-cursor.ts now derives it from the cursor), and counts carry their window (`from`, `to`, to
// the millisecond; their ETag is now weak, over the counts alone).
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { handleSnapshotRoute } from '../src/http/snapshot.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'

async function serve(h: Harness, audience: 'public' | 'newsroom' = 'public') {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fanout')
    handleSnapshotRoute(req, res, url, { audience, expiresAt: null, reject: null }, h.routeDeps(50))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() }
}

/** Asks `url`, then `between` (another reader's request), then `url` again with the ETag it got. */
async function revalidate(
  url: string,
  between: () => Promise<unknown> = async () => undefined,
): Promise<{ first: string | null; second: string | null; status: number }> {
  const a = await fetch(url)
  await a.text()
  const first = a.headers.get('etag')
  await between()
  const b = await fetch(url, { headers: { 'if-none-match': first ?? '' } })
  await b.text()
  return { first, second: b.headers.get('etag'), status: b.status }
}

test('an unchanged public first page and unchanged counts revalidate to 304', async (t) => {
  const h = new Harness({ partitions: 1 })
  h.start()
  for (let i = 0; i < 5; i++) h.append(event('CREATED', { id: `a${i}`, version: 1, urgency: 1 }, h.clock.now() - i * 1000), 0)
  await h.settle()
  const s = await serve(h)
  t.after(() => {
    s.close()
    h.hub.stop()
  })

  const single = await revalidate(`${s.url}/v1/snapshot?channels=breaking&limit=10`)
  assert.equal(single.status, 304, 'a page that holds the whole view revalidates (this holds)')

  const paged = await revalidate(`${s.url}/v1/snapshot?channels=breaking&limit=2`, async () => {
    // another reader's first page, of another length
    await (await fetch(`${s.url}/v1/snapshot?channels=breaking&limit=3`)).text()
  })
  assert.equal(
    paged.status,
    304,
    `the same first page, nothing changed in between, came back as a new representation: ${paged.first} then ${paged.second}`,
  )

  // a millisecond later by the server's clock, nothing else happening
  const counts = await revalidate(`${s.url}/v1/counts?channels=breaking`, async () => h.clock.advance(1))
  assert.equal(
    counts.status,
    304,
    `the same counts, nothing changed in between, came back as a new representation: ${counts.first} then ${counts.second}`,
  )
})

// Mutation sweep, fourth batch (hs5): answering 304 to any If-None-Match survived every fan-out
// unit file: only unchanged answers were revalidated. A shared cache revalidating a page that
// listed a story killed since would have kept serving it.
test('a public page that changed (a story killed since) revalidates to 200 without it, never 304', async (t) => {
  const h = new Harness({ partitions: 1 })
  h.start()
  h.append(event('CREATED', { id: 'kept', version: 1, urgency: 1 }, h.clock.now() - 1000), 0)
  h.append(event('CREATED', { id: 'killed', version: 1, urgency: 1 }, h.clock.now()), 0)
  await h.settle()
  const s = await serve(h)
  t.after(() => {
    s.close()
    h.hub.stop()
  })
  const url = `${s.url}/v1/snapshot?channels=breaking`
  const a = await fetch(url)
  assert.match(await a.text(), /"killed"/)
  h.append(event('WITHDRAWN', { id: 'killed', version: 2, urgency: 1, pubStatus: 'canceled' }, h.clock.now()), 0)
  await h.settle()
  const b = await fetch(url, { headers: { 'if-none-match': a.headers.get('etag') ?? '' } })
  const body = await b.text()
  assert.equal(b.status, 200, 'the cache is handed the new page')
  assert.doesNotMatch(body, /"killed"/)
})

// Mutation sweep, fourth batch (hs6): newsroom answers sent as the public's (storable by shared
// caches) survived every fan-out unit file; only Kafka tests read their headers.
test('a newsroom page, embargoed stories and all, is never storable by a shared cache', async (t) => {
  const h = new Harness({ partitions: 1 })
  h.start()
  h.append(event('CREATED', { id: 'embargoed', version: 1, embargoedUntil: h.clock.now() + 3_600_000 }, h.clock.now()), 0)
  await h.settle()
  const s = await serve(h, 'newsroom')
  t.after(() => {
    s.close()
    h.hub.stop()
  })
  const r = await fetch(`${s.url}/v1/snapshot?channels=all`)
  assert.match(await r.text(), /"embargoed"/)
  assert.equal(r.headers.get('cache-control'), 'private, no-store')
  assert.equal(r.headers.get('etag'), null)
})
