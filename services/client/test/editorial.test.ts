import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type Article, editorialState, embargoEnd, type NewsEventMessage, stateReason, type WithdrawnMessage } from '../src/index.ts'
import { articleEvent } from './fakes.ts'

const t0 = Date.parse('2026-05-04T10:00:00Z')

function message(article: Partial<Article>, extra: Partial<NewsEventMessage> = {}, reason: string | null = null): NewsEventMessage {
  const e = articleEvent('a', 1)
  return {
    type: 'event',
    channel: null,
    position: 'p',
    event: { ...e, reason, article: { ...e.article, ...article } },
    embargoed: false,
    released: false,
    snapshot: false,
    ...extra,
  }
}

describe('editorial state', () => {
  test('each state is itself: live, embargoed, withheld (may still run), withdrawn (killed)', () => {
    const until = new Date(t0 + 60_000).toISOString()
    assert.equal(editorialState(message({ pubStatus: 'usable' }), t0), 'live')
    assert.equal(editorialState(message({ embargoedUntil: until }, { embargoed: true }), t0), 'embargoed')
    assert.equal(editorialState(message({ pubStatus: 'withheld' }), t0), 'withheld')
    assert.equal(editorialState(message({ pubStatus: 'canceled' }), t0), 'withdrawn')
    const kill = message({})
    kill.event.type = 'WITHDRAWN'
    assert.equal(editorialState(kill, t0), 'withdrawn')
    const withdrawn: WithdrawnMessage = { type: 'withdrawn', position: 'p', articleId: 'a', reason: 'legal' }
    assert.equal(editorialState(withdrawn, t0), 'withdrawn')
  })

  test('a withdrawn message that holds a story (embargoed again, withheld) is that hold, not a kill', () => {
    const held = (cause: WithdrawnMessage['cause'], reason: string | null = null): WithdrawnMessage => ({
      type: 'withdrawn',
      position: 'p',
      articleId: 'a',
      reason,
      cause,
    })
    assert.equal(editorialState(held('embargoed'), t0), 'embargoed')
    assert.equal(editorialState(held('withheld'), t0), 'withheld')
    assert.equal(stateReason(held('withheld')), 'withheld')
    assert.equal(stateReason(held('withheld', 'legal review')), 'legal review')
    for (const cause of ['withdrawn', 'canceled', 'left', null, undefined] as const) {
      assert.equal(editorialState(held(cause), t0), 'withdrawn', `${String(cause)}: not running`)
      assert.equal(stateReason(held(cause)), 'withdrawn')
    }
  })

  test('a held state wins over an embargo; a kill wins over everything', () => {
    const until = new Date(t0 + 60_000).toISOString()
    assert.equal(editorialState(message({ pubStatus: 'withheld', embargoedUntil: until }, { embargoed: true }), t0), 'withheld')
    assert.equal(editorialState(message({ pubStatus: 'canceled', embargoedUntil: until }, { embargoed: true }), t0), 'withdrawn')
  })

  test("the embargo ends with the server's release, whatever the caller's clock; an unreadable time stays held", () => {
    const until = new Date(t0 + 60_000).toISOString()
    const held = message({ embargoedUntil: until }, { embargoed: true })
    assert.equal(embargoEnd(held), t0 + 60_000)
    assert.equal(editorialState(held, t0 + 59_999), 'embargoed')
    // an editor's clock ahead, or a server holding the release back (a kill may be unread): not running yet
    assert.equal(editorialState(held, t0 + 60_000), 'embargoed')
    assert.equal(editorialState(held, t0 + 3_600_000), 'embargoed')
    assert.equal(editorialState(message({ embargoedUntil: until }, { released: true }), t0), 'live', 'the server says it is out')
    assert.equal(editorialState(message({ embargoedUntil: 'soon' }, { embargoed: true }), t0 + 1e12), 'embargoed')
    assert.equal(editorialState(message({ embargoedUntil: null }, { embargoed: true }), t0), 'embargoed')
    // Public clients never get the flag: what they receive is live
    assert.equal(editorialState(message({ embargoedUntil: until }), t0), 'live')
  })

  test('reasons: the server reason, else the status; none for live and embargoed', () => {
    assert.equal(stateReason(message({ pubStatus: 'withheld' }, {}, 'legal review')), 'legal review')
    assert.equal(stateReason(message({ pubStatus: 'withheld' })), 'withheld')
    assert.equal(stateReason(message({ pubStatus: 'canceled' })), 'canceled')
    assert.equal(stateReason(message({ pubStatus: 'usable' }, {}, 'typo fixed')), null)
    assert.equal(stateReason({ type: 'withdrawn', position: 'p', articleId: 'a', reason: null }), 'withdrawn')
    assert.equal(stateReason({ type: 'withdrawn', position: 'p', articleId: 'a', reason: 'legal' }), 'legal')
  })
})
