// red27a attack run (2026-12-07): a newsroom client of the `embargoed` state (a dashboard's
// "Embargoed" column), paging its older items. The page is answered while story b is still under
// embargo; the embargo passes and the stream tells the client `withdrawn` b v1 `left` (the server
// tells a subscription whose cursor may hold b) before the page's answer is read. The duplicate
// filter dropped a page item only at a version older than a withdrawal's, and the client had never
// held b: it took b from the page and showed it as embargoed, live as it was, until a reload (found
// by red25b-views-shed-model.test.ts once it saw newsroom readers of their own states). A page item
// at the very version a withdrawal was told at was answered before it: dropped, as an older one is.
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { Dedupe } from '../src/dedupe.ts'
import { older } from '../src/index.ts'
import { articleEvent, FakeWebSocket, jsonFetch } from './fakes.ts'
import { start } from './harness.ts'

beforeEach(() => FakeWebSocket.reset())

describe('a page answered before a withdrawal of its version, read after it (red27a)', () => {
  test('older(): story b, told `left` at v1 while the page was on its way, is not shown from it', async (t) => {
    const f = jsonFetch()
    const { client, log } = start(t, { channels: ['all'], filter: { states: ['embargoed'] }, token: 'jwt.x', fetch: f.fetch })
    const ws = FakeWebSocket.last.open()
    ws.push({
      type: 'subscribed',
      id: 's1',
      channels: ['all'],
      position: 'p1',
      snapshot: [{ ...articleEvent('a', 1), embargoed: true }],
      more: 'c1',
    })
    // answered while b was under embargo
    f.answers.push({ status: 200, body: { items: [{ ...articleEvent('b', 1), embargoed: true }], next: null } })
    const asked = older(client, 'c1')
    // the embargo passes: b leaves the view, told before the page's answer is read
    ws.push({
      type: 'withdrawn',
      id: 's1',
      channel: 'all',
      position: 'p2',
      articleId: 'b',
      version: 1,
      cause: 'left',
      reason: 'no longer in this view',
    })
    const page = await asked
    assert.deepEqual(
      page.items.map((m) => m.event.article.id),
      [],
      'the page brought back b, live now, into the embargoed view',
    )
    assert.deepEqual(
      log.events.map((m) => m.event.article.id),
      ['a'],
    )
  })

  test("Dedupe: a page item at a withdrawal's version is stale; a release that lifts an embargo told at it is not", () => {
    const d = new Dedupe(100)
    assert.equal(d.acceptWithdrawn('b', 1, 'left'), true)
    assert.equal(d.acceptEvent({ ...articleEvent('b', 1) }, { embargoed: true, released: false, snapshot: true, page: true }), false)
    assert.equal(
      d.acceptEvent(articleEvent('b', 2), { embargoed: false, released: false, snapshot: true, page: true }),
      true,
      'a newer version is news',
    )
    // red21c: an embargo told at v1, lifted by its release at v1: the stream's, or a public page's item
    assert.equal(d.acceptWithdrawn('c', 1, 'embargoed'), true)
    assert.equal(d.acceptEvent(articleEvent('c', 1), { embargoed: false, released: true }), true)
    assert.equal(d.acceptWithdrawn('e', 1, 'embargoed'), true)
    assert.equal(d.acceptEvent(articleEvent('e', 1), { embargoed: false, released: false, snapshot: true, page: true }), true)
  })
})
