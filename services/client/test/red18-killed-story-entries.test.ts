// red18 attack run, 2026-12-06: a live story read with the client alone (enableEntries(), as the
// README's "On the client itself" says: `entry`, `entryWithdrawn`, `reset.entries`). The story is
// killed; the reader is then reset by a fan-out process behind that kill (a refused position on a
// process that has not read as far: red14's case), whose snapshot still holds the story and its
// entries, and which goes on streaming the entries it reads before the kill. The SDK kept the kill
// for the story (red14: `reset.items` leaves it out, its later versions are dropped) but not for
// its entries: `reset.entries` and the `entry` messages after it handed the killed story's entries
// to the app, one never published before the kill among them, and when that process read the kill
// its `withdrawn` was dropped as a repeat, so the app never heard to take them down. A kill takes
// the story's entries with it: nothing of a killed story is delivered again.
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'
import { enableEntries, type EntryMessage, type ResetMessage } from '../src/index.ts'
import { FakeWebSocket } from './fakes.ts'
import { start } from './harness.ts'
import { entryFrame, storyEntry, storySubscribed } from './story-fakes.ts'

beforeEach(() => FakeWebSocket.reset())

const storyEvent = (version: number, type = version === 1 ? 'CREATED' : 'UPDATED') => ({
  eventId: `s-v${version}`,
  type,
  article: { id: 'Bd-1', version, headline: 'Live', live: true, pubStatus: type === 'WITHDRAWN' ? 'canceled' : 'usable' },
})

for (const who of ['public', 'newsroom'] as const)
  test(`${who}: a reset from a process behind a story's kill brings none of its entries back, nor does its stream`, (t) => {
    enableEntries()
    const { client } = start(t, { channels: ['story:Bd-1'] })
    const entries: string[] = []
    const resets: ResetMessage[] = []
    client.on('entry', (m: EntryMessage) => entries.push(`${m.entry.id}@${m.entry.version}`))
    client.on('reset', (r) => resets.push(r))
    const ws = FakeWebSocket.last.open()
    ws.push(storySubscribed([storyEvent(1)], [storyEntry('e1', 1)]))
    assert.deepEqual(entries, ['e1@1'])
    // the kill: the public is told by a withdrawn, the newsroom by the killed version
    if (who === 'public')
      ws.push({ type: 'withdrawn', id: 's1', channel: 'story:Bd-1', position: 'p2', articleId: 'Bd-1', version: 2, cause: 'withdrawn' })
    else ws.push({ type: 'event', id: 's1', channel: 'story:Bd-1', position: 'p2', event: storyEvent(2, 'WITHDRAWN') })
    // a process behind the kill resets the reader: the story running, e1 and e2 (written just before the kill)
    ws.push({
      type: 'reset',
      id: 's1',
      channels: ['story:Bd-1'],
      position: 'p1b',
      more: null,
      snapshot: [storyEvent(1)],
      story: 'Bd-1',
      entries: [storyEntry('e2', 2), storyEntry('e1', 1)],
      entriesMore: null,
    })
    assert.deepEqual(
      (resets[0]?.entries ?? []).map((m) => m.entry.id),
      [],
      'the reset holds none of the killed story’s entries',
    )
    // it reads on: an entry written before the kill, an edit, then the kill itself (a repeat, dropped)
    ws.push(entryFrame('Bd-1', storyEntry('e3', 3), 'p1c'))
    ws.push(entryFrame('Bd-1', storyEntry('e1', 1, 2), 'p1d'))
    ws.push({ type: 'withdrawn', id: 's1', channel: 'story:Bd-1', position: 'p2b', articleId: 'Bd-1', version: 2, cause: 'withdrawn' })
    assert.deepEqual(entries, ['e1@1'], 'no entry of the killed story is delivered after its kill')
  })
