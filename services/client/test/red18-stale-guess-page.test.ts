// red18 attack run, 2026-12-06: a page answered while an entry's stand-in stood (its number a
// guess) and read after the writer's next record replaced it. A late embargo stood in for an entry
// as the next number and was released to the public (an entry, `guess: true`); a page the follower
// asked for then (the newest, after a gap) held that stand-in; the writer's next record held the
// entry back, numbered below the guess, and reached the reader first. The page's stand-in, above
// the writer's number, was taken as newer: the public page showed again the entry the desk had
// withheld. A page or snapshot item that is a guess no higher than one the writer's record already
// replaced is stale. For the newsroom the same page put a withheld stand-in back over the writer's
// usable record: the desk read the entry withheld, a reload live.
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'
import { followStory } from '../src/index.ts'
import { FakeWebSocket, flush, jsonFetch } from './fakes.ts'
import { start } from './harness.ts'
import { entryFrame, entryWithdrawnFrame, storyEntry, storySubscribed } from './story-fakes.ts'

beforeEach(() => FakeWebSocket.reset())

const storyEvent = { eventId: 's-v1', type: 'CREATED', article: { id: 'Bd-1', version: 1, headline: 'Live', live: true } }

for (const who of ['public', 'newsroom'] as const)
  test(`${who}: a page holding a stand-in, read after the writer's next record replaced it below its number, is stale`, async (t) => {
    const server = jsonFetch()
    const { client } = start(t, { channels: ['story:Bd-1'], fetch: server.fetch })
    const story = followStory(client, 'Bd-1')
    const ws = FakeWebSocket.last.open()
    ws.push(storySubscribed([storyEvent], [storyEntry('e2', 2), storyEntry('e1', 1)]))
    // e1's stand-in, numbered 2: the public is told it is off, then (its embargo passed) given it;
    // the newsroom sees it held
    const standIn = storyEntry('e1', 1, 2, who === 'public' ? {} : { pubStatus: 'withheld' })
    if (who === 'public') {
      ws.push({ ...entryWithdrawnFrame('Bd-1', 'e1', 2, 'p2', 'embargoed'), guess: true })
      ws.push(entryFrame('Bd-1', standIn, 'p3', { released: true, guess: true }))
    } else ws.push(entryFrame('Bd-1', standIn, 'p3', { guess: true }))
    assert.deepEqual(
      story.entries.map((e) => `${e.id}@${e.version} ${e.pubStatus}`),
      ['e1@2 ' + standIn.pubStatus, 'e2@1 usable'],
    )
    // a gap: the newest page is asked for, and answered while the stand-in stands
    let answer: () => void = () => undefined
    const slow = new Promise<void>((resolve) => {
      answer = resolve
    })
    server.answers.push({
      status: 200,
      body: { storyId: 'Bd-1', items: [storyEntry('e2', 2), { ...standIn, guess: true }], next: null },
      until: slow,
    })
    ws.push({ type: 'gap', id: 's1', position: 'p4', shed: {}, conflated: 1 })
    await flush()
    // the writer's next record, numbered 1: the public is told it is withheld, the newsroom sees it live
    if (who === 'public') ws.push(entryWithdrawnFrame('Bd-1', 'e1', 1, 'p5', 'withheld'))
    else ws.push(entryFrame('Bd-1', storyEntry('e1', 1, 1, { body: ['the writer’s own'] }), 'p5'))
    const reload = who === 'public' ? ['e2@1 usable'] : ['e1@1 usable', 'e2@1 usable']
    assert.deepEqual(
      story.entries.map((e) => `${e.id}@${e.version} ${e.pubStatus}`),
      reload,
    )
    answer()
    await flush()
    await flush()
    assert.equal(server.requests.length, 1)
    assert.deepEqual(
      story.entries.map((e) => `${e.id}@${e.version} ${e.pubStatus}`),
      reload,
      'the page’s stand-in, older than the writer’s record, is not shown again',
    )
  })
