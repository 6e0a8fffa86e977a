import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Dedupe } from '../src/dedupe.ts'
import { articleEvent } from './fakes.ts'

const plain = { embargoed: false, released: false }

describe('Dedupe', () => {
  test('drops a repeated eventId', () => {
    const d = new Dedupe(100)
    assert.equal(d.acceptEvent(articleEvent('a', 1), plain), true)
    assert.equal(d.acceptEvent(articleEvent('a', 1), plain), false)
  })

  test('drops a version at or below the last seen version of the article; newest wins', () => {
    const d = new Dedupe(100)
    assert.equal(d.acceptEvent(articleEvent('a', 3), plain), true)
    assert.equal(d.acceptEvent({ ...articleEvent('a', 3), eventId: 'other-id' }, plain), false)
    assert.equal(d.acceptEvent(articleEvent('a', 2), plain), false)
    assert.equal(d.acceptEvent(articleEvent('a', 4), plain), true)
    assert.equal(d.acceptEvent(articleEvent('b', 1), plain), true)
  })

  test('a kill after a hold is news; nothing after a kill is; a repeated withdrawal is a duplicate (outside review)', () => {
    const d = new Dedupe(100)
    assert.equal(d.acceptEvent(articleEvent('a', 1), plain), true)
    assert.equal(d.acceptWithdrawn('a', 2, 'withheld'), true)
    assert.equal(d.acceptWithdrawn('a', 2, 'withheld'), false, 'the same hold again')
    assert.equal(d.acceptWithdrawn('a', 3, 'withdrawn'), true, 'the kill after the hold')
    assert.equal(d.acceptWithdrawn('a', 3, 'withdrawn'), false)
    assert.equal(d.acceptWithdrawn('a', 4, 'left'), false, 'nothing follows a kill')
    // older servers say neither cause nor version: a repeat is a duplicate, as before
    assert.equal(d.acceptWithdrawn('b'), true)
    assert.equal(d.acceptWithdrawn('b'), false)
  })

  test('a kill is taken whatever its version, once; nothing after it (an instance standing in for an undecodable kill numbers it after the edit it could not read: rev34)', () => {
    const d = new Dedupe(100)
    // the newsroom had v2 (an edit) from an instance that could decode it; another could not,
    // and stands in for the kill as v2 as well
    assert.equal(d.acceptEvent(articleEvent('a', 1), plain), true)
    assert.equal(d.acceptEvent(articleEvent('a', 2), plain), true)
    assert.equal(d.acceptEvent({ ...articleEvent('a', 2, 'WITHDRAWN'), eventId: 'unreadable-kill' }, plain), true)
    // the real kill (v3) from an upgraded instance repeats it; nothing follows a kill
    assert.equal(d.acceptEvent(articleEvent('a', 3, 'WITHDRAWN'), plain), false)
    assert.equal(d.acceptEvent(articleEvent('a', 4), plain), false)
    assert.equal(d.acceptWithdrawn('a', 4, 'left'), false)
    // a kill older than what the client holds is still the kill
    assert.equal(d.acceptEvent(articleEvent('b', 5), plain), true)
    assert.equal(d.acceptEvent(articleEvent('b', 3, 'WITHDRAWN'), plain), true)
    assert.equal(d.acceptEvent(articleEvent('b', 6), plain), false)
  })

  test('a public reader takes the readable version a stand-in hold was numbered as (an instance that could not decode it held the story)', () => {
    const d = new Dedupe(100)
    assert.equal(d.acceptEvent(articleEvent('a', 1), plain), true)
    // instance A could not read version 2 and held the story; instance B reads it: an edit
    assert.equal(d.acceptWithdrawn('a', 2, 'withheld'), true)
    assert.equal(d.acceptEvent(articleEvent('a', 2), plain), true, 'the story comes back')
    assert.equal(d.acceptEvent(articleEvent('a', 2), plain), false)
  })

  test('a newsroom reader takes the readable record a stand-in hold guessed at, of the same version, once', () => {
    const d = new Dedupe(100)
    assert.equal(d.acceptEvent(articleEvent('a', 1), plain), true)
    // instance A could not read version 2 and stood in for it as a hold; instance B reads it: an edit
    const held = { ...articleEvent('a', 2), eventId: 'unreadable-hold:events:0:7' }
    assert.equal(d.acceptEvent(held, plain), true)
    assert.equal(d.acceptEvent({ ...held }, plain), false, 'the same stand-in again')
    assert.equal(d.acceptEvent({ ...held, eventId: 'unreadable-hold:articles:0:3' }, plain), false, 'another stand-in of it')
    assert.equal(d.acceptEvent(articleEvent('a', 2), plain), true, 'the readable record replaces the guess')
    assert.equal(d.acceptEvent({ ...articleEvent('a', 2), eventId: 'other-id' }, plain), false, 'and then it is the version')
    assert.equal(d.acceptEvent(articleEvent('a', 1), plain), false, 'an older version is still old')
  })

  test("after a stand-in hold, the stream's next record decides whatever its number; a page's older one, a repeat or another stand-in does not", () => {
    const page = { ...plain, snapshot: true }
    const stream = { ...plain, snapshot: false }
    const held = (v: number) => ({ ...articleEvent('a', v), eventId: `unreadable-hold:late:h${v}` })
    // newsroom: v3, a late hold's stand-in at v4, then the writer's next record, numbered 3
    const desk = new Dedupe(100)
    assert.equal(desk.acceptEvent(articleEvent('a', 3), stream), true)
    assert.equal(desk.acceptEvent(held(4), stream), true)
    assert.equal(desk.acceptEvent(articleEvent('a', 3), page), false, 'the held version again, from a page answered before the hold')
    assert.equal(desk.acceptEvent({ ...articleEvent('a', 2), eventId: 'older' }, page), false, 'an older version from a page')
    assert.equal(desk.acceptEvent({ ...articleEvent('a', 3), eventId: 'next' }, stream), true, "the writer's next record")
    assert.equal(desk.acceptEvent({ ...articleEvent('a', 3), eventId: 'next' }, stream), false, 'the same record again')
    assert.equal(desk.acceptEvent(held(4), page), false, 'the stand-in again (another instance, a page)')
    assert.equal(desk.acceptEvent({ ...articleEvent('a', 4), eventId: 'after' }, stream), true, 'the version after it')
    // public: told `withdrawn` (a guess) at v4, then the next record numbered 2 on the stream
    const site = new Dedupe(100)
    assert.equal(site.acceptEvent(articleEvent('b', 3), stream), true)
    assert.equal(site.acceptWithdrawn('b', 4, 'withheld', true), true)
    assert.equal(site.acceptEvent({ ...articleEvent('b', 2), eventId: 'stale' }, page), false, 'a page answered before the hold')
    assert.equal(site.acceptEvent({ ...articleEvent('b', 2), eventId: 'next' }, stream), true, "the writer's next record")
    assert.equal(site.acceptEvent({ ...articleEvent('b', 3), eventId: 'then' }, stream), true, 'and the one after it, below the guess')
    // a hold that is not a stand-in keeps the strict rule
    const plainHold = new Dedupe(100)
    assert.equal(plainHold.acceptEvent(articleEvent('c', 3), stream), true)
    assert.equal(plainHold.acceptWithdrawn('c', 4, 'withheld'), true)
    assert.equal(plainHold.acceptEvent({ ...articleEvent('c', 2), eventId: 'late-replay' }, stream), false)
  })

  test('a version older than a withdrawal (a page answered before the kill, read after it) is stale', () => {
    const d = new Dedupe(100)
    assert.equal(d.acceptWithdrawn('old-1', 2, 'withdrawn'), true)
    assert.equal(d.acceptEvent(articleEvent('old-1', 1), plain), false)
    // held again at version 3, released at that version: the release is new
    assert.equal(d.acceptEvent(articleEvent('e', 2), plain), true)
    assert.equal(d.acceptWithdrawn('e', 3, 'embargoed'), true)
    assert.equal(d.acceptEvent(articleEvent('e', 2), plain), false)
    assert.equal(d.acceptEvent(articleEvent('e', 3), { embargoed: false, released: true }), true)
  })

  test('a version between the one shown and a hold (a page answered before the hold, read after it) is stale', () => {
    // the reader shows v2; v3 was an edit it never got, v4 withheld the story: a page answered
    // before the hold brings v3, which the hold covers (mutation sweep, 2026-12-05: nothing failed
    // when only the version shown was compared)
    const d = new Dedupe(100)
    assert.equal(d.acceptEvent(articleEvent('h', 2), plain), true)
    assert.equal(d.acceptWithdrawn('h', 4, 'withheld'), true)
    assert.equal(d.acceptEvent(articleEvent('h', 3), plain), false, 'the held story came back from a stale page')
    assert.equal(d.acceptEvent(articleEvent('h', 5), plain), true, 'released again as a new version')
  })

  test('a withdrawal decided on a version older than one a page gave (a process ahead of the stream) lets the stream bring that version again', () => {
    // the reader shows v1; a page from a process ahead gives v3, which lifted the hold v2; the
    // stream then brings the hold and v3 itself (red18 attack run: v3 passed for a duplicate, and
    // the reader ended without the story)
    const d = new Dedupe(100)
    assert.equal(d.acceptEvent(articleEvent('k', 1), plain), true)
    assert.equal(d.acceptEvent(articleEvent('k', 3), { ...plain, snapshot: true }), true)
    assert.equal(d.acceptWithdrawn('k', 2, 'withheld'), true, 'the stream takes it down, in its order')
    assert.equal(d.acceptEvent(articleEvent('k', 2), plain), false, 'the held version')
    assert.equal(d.acceptEvent(articleEvent('k', 3), plain), true, 'the lift, from the stream')
    assert.equal(d.acceptEvent(articleEvent('k', 3), plain), false, 'once')
    // a repeated hold forgets nothing
    assert.equal(d.acceptWithdrawn('k', 4, 'withheld'), true)
    assert.equal(d.acceptWithdrawn('k', 2, 'withheld'), false)
  })

  test("a stand-in's guess below the version delivered takes the story down and lets that version come again (stop 56)", () => {
    // a stand-in at 2, the writer's record 3 replacing it; then the guess again (a process behind,
    // or a server replaying what came before the position), and 3 after it: the guess takes the
    // story down, and 3 must not then pass for a duplicate (the story stayed down though 3 is
    // public: article-feed-model.test.ts)
    const d = new Dedupe(100)
    assert.equal(d.acceptEvent(articleEvent('g', 1), plain), true)
    assert.equal(d.acceptWithdrawn('g', 2, 'withheld', true), true)
    assert.equal(d.acceptEvent(articleEvent('g', 3), plain), true, "the writer's record replaces the guess")
    assert.equal(d.acceptWithdrawn('g', 2, 'withheld', true), true, 'the guess again takes it down (fails closed)')
    assert.equal(d.acceptEvent(articleEvent('g', 3), plain), true, 'and the record that replaced it comes back')
    assert.equal(d.acceptEvent(articleEvent('g', 3), plain), false, 'once')
  })

  test('a release of a version seen while embargoed passes once', () => {
    const d = new Dedupe(100)
    assert.equal(d.acceptEvent(articleEvent('a', 2), { embargoed: true, released: false }), true)
    assert.equal(d.acceptEvent(articleEvent('a', 2), { embargoed: false, released: true }), true)
    assert.equal(d.acceptEvent(articleEvent('a', 2), { embargoed: false, released: true }), false)
    // a release of a version never seen as embargoed (the public case) is simply new
    assert.equal(d.acceptEvent(articleEvent('b', 1), { embargoed: false, released: true }), true)
  })

  test('a release of a version taken back under its embargo at that version passes once (red21c)', () => {
    // a page from a process whose clock ran ahead showed v2; the stream's process, behind it, tells
    // that v2 is under embargo, then releases it: the release is not a duplicate of the page's v2
    const d = new Dedupe(100)
    assert.equal(d.acceptEvent(articleEvent('p', 1), plain), true)
    assert.equal(d.acceptEvent(articleEvent('p', 2), { ...plain, snapshot: true }), true)
    assert.equal(d.acceptWithdrawn('p', 2, 'embargoed'), true)
    assert.equal(d.acceptEvent(articleEvent('p', 2), { embargoed: false, released: true }), true, 'the release shows it again')
    assert.equal(d.acceptEvent(articleEvent('p', 2), { embargoed: false, released: true }), false, 'once')
    // taken back for another cause, or at a newer version, a release of v2 stays out
    const held = new Dedupe(100)
    assert.equal(held.acceptEvent(articleEvent('q', 2), plain), true)
    assert.equal(held.acceptWithdrawn('q', 2, 'withheld'), true)
    assert.equal(held.acceptEvent(articleEvent('q', 2), { embargoed: false, released: true }), false)
    assert.equal(held.acceptWithdrawn('q', 3, 'embargoed'), true)
    assert.equal(held.acceptEvent(articleEvent('q', 2), { embargoed: false, released: true }), false)
  })

  test('withdrawn is delivered once until a newer version arrives', () => {
    const d = new Dedupe(100)
    d.acceptEvent(articleEvent('a', 1), plain)
    assert.equal(d.acceptWithdrawn('a'), true)
    assert.equal(d.acceptWithdrawn('a'), false)
    assert.equal(d.acceptEvent(articleEvent('a', 1), plain), false, 'the withdrawn version does not come back')
    assert.equal(d.acceptEvent(articleEvent('a', 2), plain), true)
    assert.equal(d.acceptWithdrawn('a'), true)
  })

  test('is bounded: the oldest entries are forgotten', () => {
    const d = new Dedupe(3)
    for (const id of ['a', 'b', 'c', 'd']) d.acceptEvent(articleEvent(id, 1), plain)
    assert.deepEqual(d.size, { eventIds: 3, articles: 3 })
    assert.equal(d.acceptEvent(articleEvent('a', 1), plain), true, 'a was evicted')
    assert.equal(d.acceptEvent(articleEvent('d', 1), plain), false)
  })

  test('clear forgets everything', () => {
    const d = new Dedupe(10)
    d.acceptEvent(articleEvent('a', 1), plain)
    d.clear()
    assert.equal(d.acceptEvent(articleEvent('a', 1), plain), true)
  })
})
