// red28a attack run (2026-12-07): a newsroom client of a view of states without `embargoed` (a
// desk's "withheld, live" list) pages beside its stream, and the page is answered by a process
// whose clock runs ahead of the stream's (within the skew the README allows): story a's v2, under
// embargo on the stream's process, is already live there, so the page holds it. The stream's
// process then tells the client `withdrawn` a v2 `left` (embargoed here: out of the view), and at
// the embargo its release, a v2 `released`. The duplicate filter took the release for the page's
// v2 again, since only an embargo told at that version was lifted by a release (red21c): the client
// had dropped a on the `left` and never showed it again, a live story of its view, until a reload
// (found by red25b-views-shed-model.test.ts once its race steps reached such pages).
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { Dedupe } from '../src/dedupe.ts'
import { older } from '../src/index.ts'
import { articleEvent, FakeWebSocket, jsonFetch } from './fakes.ts'
import { start } from './harness.ts'

beforeEach(() => FakeWebSocket.reset())

describe('a release after a `left` told at its version (red28a)', () => {
  test('older(): story a, from a page ahead of the stream, told `left` then released, is shown again', async (t) => {
    const f = jsonFetch()
    const filter = { categories: ['home'], states: ['withheld' as const, 'live' as const] }
    const { client, log } = start(t, { channels: ['all'], filter, token: 'jwt.x', fetch: f.fetch })
    const ws = FakeWebSocket.last.open()
    ws.push({ type: 'subscribed', id: 's1', channels: ['all'], position: 'p1', snapshot: [articleEvent('a', 1)] })
    // the newest page, from a process whose clock has passed a v2's embargo
    f.answers.push({ status: 200, body: { items: [articleEvent('a', 2)], next: null } })
    const page = await older(client, null)
    assert.deepEqual(
      page.items.map((m) => `${m.event.article.id}@${m.event.article.version}`),
      ['a@2'],
    )
    // the stream's process: a v2 is under embargo here, out of the view; then its embargo passes
    ws.push({ type: 'withdrawn', id: 's1', channel: 'all', position: 'p2', articleId: 'a', version: 2, cause: 'left' })
    ws.push({ type: 'event', id: 's1', channel: 'all', position: 'p3', event: articleEvent('a', 2), released: true })
    assert.deepEqual(
      log.events.map((m) => `${m.event.article.id}@${m.event.article.version}${m.released ? ' released' : ''}`),
      ['a@1', 'a@2 released'],
      'the release of a v2, back in the view, was dropped as a duplicate of the page',
    )
  })

  test('Dedupe: a release lifts a `left` told at its very version, once; not one told at a newer version', () => {
    const d = new Dedupe(100)
    assert.equal(d.acceptEvent(articleEvent('a', 2), { embargoed: false, released: false, snapshot: true, page: true }), true)
    assert.equal(d.acceptWithdrawn('a', 2, 'left'), true)
    assert.equal(d.acceptEvent(articleEvent('a', 2), { embargoed: false, released: true }), true, 'the release brings it back')
    assert.equal(d.acceptEvent(articleEvent('a', 2), { embargoed: false, released: true }), false, 'once')
    const later = new Dedupe(100)
    assert.equal(later.acceptEvent(articleEvent('b', 2), { embargoed: false, released: false }), true)
    assert.equal(later.acceptWithdrawn('b', 3, 'left'), true)
    assert.equal(later.acceptEvent(articleEvent('b', 2), { embargoed: false, released: true }), false, 'older than what left')
    // a page's item at the version told `left` stays stale (red27a): only a release lifts it
    assert.equal(later.acceptEvent(articleEvent('b', 3), { embargoed: false, released: false, snapshot: true, page: true }), false)
  })
})
