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
import { event, Harness } from './support/harness.ts'

async function serve(h: Harness) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fanout')
    handleSnapshotRoute(req, res, url, { audience: 'public', expiresAt: null, reject: null }, h.routeDeps(50))
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
