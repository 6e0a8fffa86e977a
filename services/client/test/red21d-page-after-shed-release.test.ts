// red21d attack run (2026-12-06): a newsroom client whose stream shed a release. A release (the
// same version, no longer embargoed, not breaking) goes in the routine lane, which a connection
// behind sheds (`gap`); the README says to ask for the newest page again. The page held the story
// released, at the version the client had under embargo, and the duplicate filter dropped it (the
// same event id, the same version, no `released` flag on a page item): the newsroom kept the story
// as embargoed ("Embargoed until 14:30 · 12 min ago" on the dashboard) while the public read it,
// and a live story's entry alike. A page item not flagged embargoed, of the version held under
// embargo, is the server's release of it.
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { EntryDedupe } from '../src/entry-dedupe.ts'
import { older } from '../src/index.ts'
import { Dedupe } from '../src/dedupe.ts'
import { articleEvent, FakeWebSocket, jsonFetch } from './fakes.ts'
import { start } from './harness.ts'

beforeEach(() => FakeWebSocket.reset())

describe('a release the stream shed comes from the next page (red21d)', () => {
  test('older() after a gap: the story held under embargo comes back released, once', async (t) => {
    const f = jsonFetch()
    const { client, log } = start(t, { channels: ['all'], token: 'jwt.x', fetch: f.fetch })
    const ws = FakeWebSocket.last.open()
    ws.push({
      type: 'subscribed',
      id: 's1',
      channels: ['all'],
      position: 'p1',
      snapshot: [{ ...articleEvent('a', 1), embargoed: true }],
      more: null,
    })
    assert.deepEqual(
      log.events.map((m) => [m.event.article.id, m.embargoed]),
      [['a', true]],
    )
    // the release was shed
    ws.push({ type: 'gap', id: 's1', position: 'p3', shed: { routine: 1 }, conflated: 0 })
    f.answers.push({ status: 200, body: { items: [articleEvent('a', 1)], next: null } })
    const page = await older(client, null)
    assert.deepEqual(
      page.items.map((m) => [m.event.article.id, m.embargoed]),
      [['a', false]],
      'the page that holds the story released was dropped as a duplicate',
    )
    // and once only: the same page again, or the stream's own late release, brings nothing new
    f.answers.push({ status: 200, body: { items: [articleEvent('a', 1)], next: null } })
    assert.deepEqual((await older(client, null)).items, [])
    ws.push({ type: 'event', channel: 'all', position: 'p4', event: articleEvent('a', 1), released: true })
    assert.equal(log.events.length, 1)
  })

  test('the duplicate filters: a page item not flagged embargoed, of the version held under embargo, is its release; flagged, or of a version not held so, it is not', () => {
    const d = new Dedupe(100)
    const page = { embargoed: false, released: false, snapshot: true }
    assert.equal(d.acceptEvent(articleEvent('a', 1), { embargoed: true, released: false }), true)
    assert.equal(d.acceptEvent(articleEvent('a', 1), { ...page, embargoed: true }), false, 'still embargoed on the page')
    assert.equal(d.acceptEvent(articleEvent('a', 1), page), true, 'released on the page')
    assert.equal(d.acceptEvent(articleEvent('a', 1), page), false)
    assert.equal(d.acceptEvent(articleEvent('a', 1), { embargoed: false, released: true }), false, 'the late release on the stream')
    assert.equal(d.acceptEvent(articleEvent('b', 1), { embargoed: false, released: false }), true)
    assert.equal(d.acceptEvent(articleEvent('b', 1), page), false, 'never under embargo: a duplicate')

    const e = new EntryDedupe(100)
    assert.equal(e.acceptEntry('s', 'e1', 1, { embargoed: true, released: false }), true)
    assert.equal(e.acceptEntry('s', 'e1', 1, { ...page, embargoed: true }), false)
    assert.equal(e.acceptEntry('s', 'e1', 1, page), true, "an entry's release on the page")
    assert.equal(e.acceptEntry('s', 'e1', 1, page), false)
    assert.equal(e.acceptEntry('s', 'e1', 1, { embargoed: false, released: true }), false)
  })
})
