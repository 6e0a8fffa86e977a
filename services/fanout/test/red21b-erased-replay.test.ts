// red21b attack run, 2026-12-06: a legal erasure (ingest's POST /v1/articles/{id}/erase: a
// WITHDRAWN without the content, headline '') takes back the text of every version. A newsroom
// dashboard (catchUp `all`, the SDK's default) that was away while a story was written, corrected
// and erased resumed from its position and was replayed every version it missed, the erased text
// in full, then the kill: from memory, and from the log for as long as news.article-events keeps
// the events (7 days). Ingest shows an erased story without its text to every reader (red12b);
// the fan-out's replays now send none of an erased story's versions, only its kill. An ordinary
// withdrawal keeps its versions for the newsroom, as before.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { lastPosition, subscribe } from './support/live-story.ts'

const ERASED = 'the name a court ordered removed'
const desk: AudienceScope = { categories: ['news'], languages: null, embargo: true }

async function resumeAfter(
  kill: 'erased' | 'withdrawn',
  historySize: number,
  scope: AudienceScope,
  seenBefore: boolean,
  channels: string[] = ['all'],
) {
  const h = new Harness({ partitions: 1, historySize })
  h.start()
  await h.settle()
  const T = h.clock.now()
  h.append(event('CREATED', { id: 'other', version: 1 }, T))
  if (seenBefore) h.append(event('CREATED', { id: 'x', version: 1, headline: `v1: ${ERASED}` }, T))
  await h.settle()
  const away = h.connect('newsroom', scope)
  subscribe(h, away.conn, channels)
  await h.settle()
  const since = lastPosition(away.t.messages)
  h.hub.conns.remove(away.conn)
  const v = seenBefore ? 2 : 1
  h.append(event(seenBefore ? 'UPDATED' : 'CREATED', { id: 'x', version: v, headline: `v${v}: ${ERASED}`, body: [ERASED] }, T + 1))
  const story = event('UPDATED', { id: 'x', version: v + 1, headline: `v${v + 1}: ${ERASED}`, body: [ERASED], live: true }, T + 2)
  h.append(story)
  h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 1, body: [`entry: ${ERASED}`] }, T + 2))
  const content = kill === 'erased' ? { headline: '', body: [], summary: null, authors: [] } : { headline: `v${v + 1}: ${ERASED}` }
  h.append(event('WITHDRAWN', { id: 'x', version: v + 2, pubStatus: 'canceled', ...content }, T + 3, { reason: 'court order' }))
  h.append(event('UPDATED', { id: 'other', version: 2 }, T + 4))
  await h.settle()
  const r = h.connect('newsroom', scope)
  subscribe(h, r.conn, channels, { since, catchUp: 'all' })
  await h.settle()
  h.hub.stop()
  return r.t.messages
}

for (const historySize of [1000, 1]) {
  const from = historySize === 1 ? 'the log' : 'memory'
  for (const [who, scope] of [
    ['the newsroom', unrestricted],
    ['a desk token', desk],
  ] as const) {
    for (const seenBefore of [true, false]) {
      test(`${who} resuming from ${from} after a story ${seenBefore ? 'it saw was' : 'was written and'} erased is sent its kill, none of its text`, async () => {
        const ms = await resumeAfter('erased', historySize, scope, seenBefore)
        assert.deepEqual(
          ms.filter((m) => m.type === 'withdrawn').map((m) => `${m.articleId}@${m.version}`),
          [`x@${seenBefore ? 4 : 3}`],
        )
        assert.ok(!JSON.stringify(ms).includes(ERASED), `the erased text was replayed: ${JSON.stringify(ms)}`)
        // the rest of the replay is as before
        assert.ok(ms.some((m) => m.type === 'event' && (m.event as { article: { id: string } }).article.id === 'other'))
      })
    }
  }
  for (const channel of ['article:x', 'story:x']) {
    test(`the newsroom on ${channel} resuming from ${from} after the story it saw was erased is sent its kill, none of its text`, async () => {
      const ms = await resumeAfter('erased', historySize, unrestricted, true, [channel])
      // the kill, or (a story: resume) a reset to the story as it is now
      const told = ms.filter((m) => (m.type === 'withdrawn' && m.articleId === 'x' && m.version === 4) || m.type === 'reset')
      assert.ok(told.length > 0, `nothing took the story back: ${JSON.stringify(ms)}`)
      assert.ok(!JSON.stringify(ms).includes(ERASED), `the erased text was replayed: ${JSON.stringify(ms)}`)
    })
  }
  test(`the newsroom resuming from ${from} after an ordinary withdrawal still gets the versions it missed`, async () => {
    const ms = await resumeAfter('withdrawn', historySize, unrestricted, true)
    const versions = ms
      .filter((m) => m.type === 'event' && (m.event as { article: { id: string } }).article.id === 'x')
      .map((m) => (m.event as { article: { version: number } }).article.version)
    assert.deepEqual(versions, [2, 3])
  })
}

// red21d's report: a desk already showing the story kept its headline, struck through, until a
// reload, the live `withdrawn` saying nothing of an erasure; it now says so (erased: true), to the
// desk and to a public reader alike (who drops the story anyway)
test('a live erasure is told as one, to the newsroom and the public who saw the story; an ordinary kill is not', async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  const T = h.clock.now()
  h.append(event('CREATED', { id: 'x', version: 1, headline: `v1: ${ERASED}` }, T))
  h.append(event('CREATED', { id: 'y', version: 1 }, T))
  await h.settle()
  const desk = h.connect('newsroom', unrestricted)
  const reader = h.connect('public')
  subscribe(h, desk.conn, ['all'])
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()
  h.append(event('WITHDRAWN', { id: 'x', version: 2, pubStatus: 'canceled', headline: '', body: [], summary: null, authors: [] }, T + 1))
  h.append(event('WITHDRAWN', { id: 'y', version: 2, pubStatus: 'canceled' }, T + 1))
  await h.settle()
  h.hub.stop()
  for (const c of [desk, reader]) {
    const told = c.t.messages.filter((m) => m.type === 'withdrawn').map((m) => `${m.articleId}${m.erased === true ? ' erased' : ''}`)
    assert.deepEqual(told.sort(), ['x erased', 'y'], JSON.stringify(c.t.messages))
  }
})
