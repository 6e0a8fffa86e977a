// Live stories: named regressions, each a case the confidentiality and story models found or
// guard (forged watermarks, entries hidden and replaced while their story was out of view, kills
// after a story left a reader's view), run in-process (support/harness.ts, support/live-story.ts).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { unrestricted } from '../src/audience.ts'
import { answerEntries } from '../src/http/entries.ts'
import type { RequestError } from '../src/http/snapshot.ts'
import { Harness } from './support/harness.ts'
import { forgePosition as forge } from './support/events.ts'
import {
  client,
  entries,
  gone,
  lastPosition,
  readerAway,
  released,
  setup,
  snapshotEntries,
  Story,
  T0,
  withdrawn,
} from './support/live-story.ts'

describe('live-story regressions', () => {
  test("a forged or far-future watermark never releases an entry's embargo, from memory or the log", async () => {
    for (const history of [1000, 2]) {
      const { h, story } = await setup(history)
      story.post('e1', { embargoedUntil: T0 + 3_600_000, body: ['EMBARGOED-TEXT'] })
      story.post('e2')
      await h.settle()
      const first = await client(h)
      const firstNr = await client(h, released)
      const since = lastPosition(first.t.messages)
      // a position is for the clearance it was made for (red15): its own reader's
      const sinceNr = lastPosition(firstNr.t.messages)
      h.hub.conns.remove(first.conn)
      h.hub.conns.remove(firstNr.conn)
      story.post('e3')
      await h.settle()
      for (const position of [forge(since, { t: 2 ** 53 - 1 }), h.positions.encode({ o: [0, 0], t: T0 + 7_200_000 })]) {
        const c = await client(h, {}, ['story:Live-1'], { since: position, catchUp: 'latest' })
        assert.doesNotMatch(JSON.stringify(c.t.messages), /EMBARGOED-TEXT/, `history ${history}`)
      }
      const nr = await client(h, released, ['story:Live-1'], { since: sinceNr })
      assert.ok(!nr.t.messages.some((m) => m.type === 'reset'), 'resumed')
      assert.doesNotMatch(JSON.stringify(nr.t.messages), /EMBARGOED-TEXT/, 'a token held to embargoes neither')
      await h.tick(3_600_000)
      assert.deepEqual(entries(nr.t.messages).at(-1), 'e1@1+r', 'released at its time, by the server clock')
    }
  })

  test('a deletion reaches a reader who saw the entry before it was withheld', async () => {
    const { h, story } = await setup()
    story.post('e1')
    await h.settle()
    const pub = await client(h)
    story.edit('e1', { pubStatus: 'withheld' })
    story.edit('e1', {}, { delete: 'defamation' })
    await h.settle()
    assert.deepEqual(gone(pub.t.messages), ['e1:withheld', 'e1:deleted'])
  })

  test('an entry version written and replaced while the story was hidden never reaches the public on a resume, from memory or the log', async () => {
    for (const history of [1000, 4]) {
      for (const hide of [{ pubStatus: 'withheld' as const }, { embargoedUntil: T0 + 60_000 }]) {
        const { h, story, since } = await readerAway(history)
        // the desk drafts under embargo (or a hold), corrects the draft, then publishes
        story.update(hide)
        story.post('e2', { body: ['draft: unconfirmed figures'] })
        story.edit('e2', { body: ['confirmed figures'] })
        story.update({ pubStatus: 'usable', embargoedUntil: null })
        await h.settle()
        const again = await client(h, {}, ['story:Live-1'], { since })
        const what = `history ${history}, ${JSON.stringify(hide)}: ${JSON.stringify(again.t.messages.map((m) => m.type))}`
        const shown = [...entries(again.t.messages), ...again.t.messages.flatMap((m) => snapshotEntries(m))]
        assert.ok(!shown.some((e) => e.startsWith('e2@1')), `the draft reached the public: ${shown} (${what})`)
        assert.ok(
          shown.some((e) => e.startsWith('e2@2')),
          `the published version did not: ${shown} (${what})`,
        )
      }
    }
  })

  test('a resume older than memory, the story hidden then shown: a reset brings the entries, never a bare event', async () => {
    const h = new Harness({ historySize: 2 })
    h.start()
    await h.settle()
    const first = await client(h)
    const since = lastPosition(first.t.messages)
    h.hub.conns.remove(first.conn)
    const story = new Story(h, 'Live-1', { pubStatus: 'withheld' })
    for (const id of ['e1', 'e2', 'e3']) story.post(id)
    story.update({ embargoedUntil: T0 + 1000, pubStatus: 'usable' })
    await h.settle()
    const again = await client(h, {}, ['story:Live-1'], { since })
    assert.equal(again.t.messages[0]?.replay, 'kafka')
    await h.tick(1000)
    const reset = again.t.messages.find((m) => m.type === 'reset')
    assert.ok(reset, JSON.stringify(again.t.messages.map((m) => m.type)))
    assert.deepEqual(snapshotEntries(reset), ['e3@1', 'e2@1', 'e1@1'])
    assert.equal(again.t.messages.filter((m) => m.type === 'event').length, 0)
  })

  test("pages follow the reader's filter: a story out of its view is a 404", async () => {
    const { h, story } = await setup()
    story.post('e1')
    await h.settle()
    const q = (filter: string) => new URL(`http://fanout/v1/stories/Live-1/entries?${filter}`)
    const pub = { audience: 'public' as const, scope: unrestricted }
    assert.equal(JSON.parse(answerEntries(q('languages=en'), pub, h.entriesDeps)).items.length, 1)
    assert.throws(
      () => answerEntries(q('languages=bn'), pub, h.entriesDeps),
      (e: RequestError) => e.status === 404,
    )
    assert.throws(
      () => answerEntries(q('categories=sport'), pub, h.entriesDeps),
      (e: RequestError) => e.status === 404,
    )
    assert.throws(
      () => answerEntries(q('states=withheld'), pub, h.entriesDeps),
      (e: RequestError) => e.status === 400,
    )
  })

  test('a kill of the story reaches its readers after it left their view, and their entries with it', async () => {
    const { h, story } = await setup()
    story.post('e1')
    await h.settle()
    const bn = await client(h, {}, ['story:Live-1'], { filter: { languages: ['en'] } })
    assert.deepEqual(snapshotEntries(bn.t.messages[0]), ['e1@1'])
    story.update({ language: 'bn' })
    story.update({ pubStatus: 'canceled' }, 'WITHDRAWN', 'legal')
    await h.settle()
    assert.deepEqual(withdrawn(bn.t.messages), ['Live-1:left', 'Live-1:withdrawn'])
  })
})

test('a kill right after a new entry, in one pass: the reader gets the entry before the kill, never after it', async () => {
  // outside review: the kill (priority lane) overtook the entry (routine lane, its own key) in the
  // same write; the page cleared the story on the kill, then showed the late entry of a killed story
  const { h, story } = await setup()
  story.post('e1')
  await h.settle()
  const pub = await client(h)
  const before = pub.t.messages.length
  story.post('e2', { headline: 'Unverified claim, later killed' })
  story.edit('e1', { body: ['corrected, then killed'] })
  story.update({ pubStatus: 'canceled' }, 'WITHDRAWN', 'legal')
  await h.settle()
  const live = pub.t.messages.slice(before).map((m) => (m.type === 'entry' ? `entry:${(m.entry as { id: string }).id}` : m.type))
  assert.equal(live.at(-1), 'withdrawn', `the kill is the last word: ${live.join(', ')}`)
  assert.ok(live.includes('withdrawn'), live.join(', '))
})
