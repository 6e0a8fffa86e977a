// Older pages leave out a story released after the first page was taken (snapshot.ts
// changedAfter): the stream brings it. A story released at the very instant the first page was
// taken (its embargo equal to the cursor's watermark) was released before that page: the stream
// never sends it again, so the older page must hold it, or the reader never sees it. Found by the
// mutation campaign of 2026-12-05 (mutant N2: `at > asOf.t` made `at >= asOf.t` survived).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { unrestricted } from '../src/audience.ts'
import type { Admission } from '../src/http/access.ts'
import { answerPage } from '../src/http/snapshot.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'

const publicAccess: Admission = { audience: 'public', expiresAt: null, reject: null }
const newsroom: Admission = { audience: 'newsroom', scope: unrestricted, expiresAt: null, reject: null }

test('a story released at the instant the first page was taken is on the older page that reaches it (no gap)', async () => {
  const h = new Harness({ partitions: 1 })
  const now = h.clock.now()
  const embargo = now + 1000
  // the embargoed story is older in editorial order than two public ones: the second page's
  h.append(event('CREATED', { id: 'held', version: 1, updatedAt: now - 30_000, embargoedUntil: embargo }, now))
  h.append(event('CREATED', { id: 'new-1', version: 1, updatedAt: now - 2000 }, now))
  h.append(event('CREATED', { id: 'new-2', version: 1, updatedAt: now - 1000 }, now))
  h.start()
  await h.settle()
  await h.tick(1000)
  assert.equal(h.hub.head().t, embargo, 'the first page is taken at the embargo instant')
  const page = (q: string) =>
    JSON.parse(answerPage(new URL(`http://f/v1/snapshot?${q}`), publicAccess, h.routeDeps(50))) as {
      items: { article: { id: string } }[]
      next: string | null
    }
  const first = page('limit=2')
  assert.deepEqual(
    first.items.map((i) => i.article.id),
    ['new-2', 'new-1'],
  )
  assert.ok(first.next !== null)
  const older = page(`limit=2&before=${first.next}`)
  assert.deepEqual(
    older.items.map((i) => i.article.id),
    ['held'],
    'released before the first page: no stream message will bring it',
  )
  h.hub.stop()
})

// Mutant N4 (changedAfter without `s.released`) survived the same way: an embargo still to come,
// unchanged since the first page, is no change; the newsroom's older page must hold it.
test("a story still under embargo, unchanged since the newsroom's first page, is on its older page", async () => {
  const h = new Harness({ partitions: 1 })
  const now = h.clock.now()
  h.append(event('CREATED', { id: 'held', version: 1, updatedAt: now - 30_000, embargoedUntil: now + 3_600_000 }, now))
  h.append(event('CREATED', { id: 'new-1', version: 1, updatedAt: now - 2000 }, now))
  h.append(event('CREATED', { id: 'new-2', version: 1, updatedAt: now - 1000 }, now))
  h.start()
  await h.settle()
  const page = (q: string) =>
    JSON.parse(answerPage(new URL(`http://f/v1/snapshot?${q}`), newsroom, h.routeDeps(50))) as {
      items: { article: { id: string } }[]
      next: string | null
    }
  const first = page('limit=2')
  assert.deepEqual(
    first.items.map((i) => i.article.id),
    ['new-2', 'new-1'],
  )
  const older = page(`limit=2&before=${first.next}`)
  assert.deepEqual(
    older.items.map((i) => i.article.id),
    ['held'],
  )
  h.hub.stop()
})
