// The race allowance (a hide or kill read within a minute before an unreleased embargo counts as
// possibly released elsewhere, by an instance whose clock runs ahead) covered a story's own
// embargo for the story, and an entry's own for the entry, but not a story's embargo for the
// entries it carries: an entry deleted 10 s before its story's embargo, maybe shown to the public
// elsewhere, was never withdrawn from a public reader resuming here (rev33 review, 2026-12-04).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { gone, subscribe, withdrawn } from './support/live-story.ts'

const T = 1_800_000_000_000
const E = T + 60_000

async function run(kill: 'story' | 'entry'): Promise<string[]> {
  const h = new Harness({ partitions: 1, start: T })
  h.start()
  const s1 = event('CREATED', { id: 'S', version: 1, live: true, embargoedUntil: E }, T)
  h.append(s1, 0)
  h.append(entryEvent(s1.article, { id: 'e', seq: 1, version: 1, body: ['names the victim, a minor'] }, T + 10_000), 0)
  await h.tick(50_000)
  // read here 10 s before the story's embargo: another instance, its clock ahead, may have released first
  if (kill === 'entry') {
    h.append(
      entryEvent(s1.article, { id: 'e', seq: 1, version: 2, pubStatus: 'canceled' }, h.clock.now(), {
        type: 'ENTRY_DELETED',
        reason: 'names a minor',
      }),
      0,
    )
  } else h.append(event('WITHDRAWN', { id: 'S', version: 2, live: true, embargoedUntil: E }, h.clock.now(), { reason: 'legal' }), 0)
  await h.tick(30_000)
  // a public reader of story:S that instance showed the story and its entry at E, before it read the deletion
  const c = h.connect('public')
  subscribe(h, c.conn, ['story:S'], { since: h.positions.encode({ o: [2], t: E }) })
  await h.settle()
  h.hub.stop()
  return kill === 'entry' ? gone(c.t.messages) : withdrawn(c.t.messages)
}

test('a story killed 10 s before its embargo: a resumed public reader hears of it (the race allowance; holds)', async () => {
  assert.deepEqual(await run('story'), ['S:withdrawn'])
})

test('an entry deleted 10 s before its story’s embargo reaches a resumed public reader who may have seen it', async () => {
  const got = await run('entry')
  assert.deepEqual(got, ['e:deleted'], `the resumed public reader keeps the deleted entry: ${JSON.stringify(got)}`)
})

/** An entry deleted `before` ms ahead of its story's embargo; what a public reader resuming from the embargo is told. */
async function deletedAhead(before: number): Promise<string[]> {
  const h = new Harness({ partitions: 1, start: T })
  h.start()
  const embargo = T + 1 + before
  const s1 = event('CREATED', { id: 'S', version: 1, live: true, embargoedUntil: embargo }, T)
  h.append(s1, 0)
  h.append(entryEvent(s1.article, { id: 'e', seq: 1, version: 1 }, T), 0)
  await h.tick(1)
  h.append(
    entryEvent(s1.article, { id: 'e', seq: 1, version: 2, pubStatus: 'canceled' }, h.clock.now(), { type: 'ENTRY_DELETED', reason: 'x' }),
    0,
  )
  await h.tick(before + 30_000)
  const c = h.connect('public')
  subscribe(h, c.conn, ['story:S'], { since: h.positions.encode({ o: [2], t: embargo }) })
  await h.settle()
  h.hub.stop()
  return gone(c.t.messages)
}

test('the race allowance for an entry is under a minute before its story’s embargo, as for the story: 59 999 ms counts, 60 000 does not', async () => {
  assert.deepEqual(await deletedAhead(59_999), ['e:deleted'])
  assert.deepEqual(await deletedAhead(60_000), [])
})
