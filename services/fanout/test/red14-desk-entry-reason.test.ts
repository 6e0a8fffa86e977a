// red14 attack run (2026-12-06, audience limits): a newsroom token limited to one desk reads a
// live story on `story:<id>` while the story is in its desk, then leaves. The story moves to
// another desk; an entry is written there and deleted with the newsroom's words; the story is
// updated again, still on the other desk. The reader resumes from where it left. A reader
// connected all along was told the story left (`left`) and nothing of the entry; the resume judged
// the deletion while the story was out of view (fc851e0: an entry hidden by its own state is
// retracted then), and the entry's exposure is per clearance, not per desk: the desk token was sent
// the entry's id and the deletion's reason, an entry only ever written on a desk it may not see.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AudienceScope } from '../src/audience.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { client, gone, lastPosition } from './support/live-story.ts'

const T0 = 1_800_000_000_000
const politics: AudienceScope = { categories: ['politics'], languages: null, embargo: true }
const english: AudienceScope = { categories: null, languages: ['en'], embargo: true }

const cases = [
  { name: 'desks', scope: politics, away: { category: 'sport' } },
  { name: 'languages', scope: english, away: { language: 'fr' } },
] as const

for (const c of cases) {
  for (const [catchUp, fromLog] of [
    ['all', false],
    ['latest', false],
    ['all', true],
    ['latest', true],
  ] as const) {
    test(`a ${c.name}-limited token resuming story:<id> is told nothing of an entry written and deleted while the story was out of its limits (catchUp ${catchUp}${fromLog ? ', from the log' : ''})`, async () => {
      // a memory of one record sends the resume to the log (a Kafka replay)
      const h = new Harness({ partitions: 1, start: T0, historySize: fromLog ? 1 : 1000 })
      h.start()
      const v1 = event('CREATED', { id: 'Live-d', version: 1, live: true, category: 'politics' }, h.clock.now())
      h.append(v1)
      h.append(entryEvent(v1.article, { id: 'e1', seq: 1, version: 1 }, h.clock.now()))
      await h.settle()
      const live = await client(h, { audience: 'newsroom', scope: c.scope }, ['story:Live-d'], { entries: 10 })
      const away = await client(h, { audience: 'newsroom', scope: c.scope }, ['story:Live-d'], { entries: 10 })
      assert.ok(JSON.stringify(away.t.messages).includes('e1 v1'), 'the reader saw the story and its entry')
      const since = lastPosition(away.t.messages)
      h.hub.conns.remove(away.conn)

      h.clock.advance(1000)
      const v2 = event('UPDATED', { id: 'Live-d', version: 2, live: true, category: 'politics', ...c.away }, h.clock.now())
      h.append(v2)
      h.append(entryEvent(v2.article, { id: 'e2', seq: 2, version: 1, body: ['Off-desk entry'] }, h.clock.now()))
      h.clock.advance(1000)
      h.append(
        entryEvent(v2.article, { id: 'e2', seq: 2, version: 2, pubStatus: 'canceled' }, h.clock.now(), {
          type: 'ENTRY_DELETED',
          reason: 'names the protected witness',
        }),
      )
      h.clock.advance(1000)
      h.append(
        event('UPDATED', { id: 'Live-d', version: 3, live: true, category: 'politics', headline: 'Later', ...c.away }, h.clock.now()),
      )
      await h.settle()
      assert.deepEqual(gone(live.t.messages), [], 'connected all along: nothing of e2')

      const back = await client(h, { audience: 'newsroom', scope: c.scope }, ['story:Live-d'], { since, entries: 10, catchUp })
      await h.tick(5000)
      h.hub.stop()
      const text = JSON.stringify(back.t.messages)
      assert.ok(
        back.t.messages.some((m) => m.type === 'withdrawn' && m.articleId === 'Live-d'),
        `the reader is told the story left: ${JSON.stringify(back.t.messages.map((m) => m.type))}`,
      )
      assert.deepEqual(gone(back.t.messages), [], `an entry never in its limits: ${text}`)
      assert.ok(!text.includes('protected witness'), 'the deletion reason of an entry outside its limits')
      assert.ok(!text.includes('Off-desk'), 'the text of an entry outside its limits')
    })
  }
}

// The same run's second find: an entry's version written while its story was on another desk (or
// in another language), the story back in the token's limits since. A reader connected all along
// was told the story left and, when it came back, given the entry's version then (a reset); a
// reader resuming with every version was sent the version written outside its limits, as an
// intermediate version visible to its clearance through the story as it stood (scope not asked).
for (const c of cases) {
  test(`a ${c.name}-limited token resuming story:<id> is not sent an entry version written while the story was out of its limits`, async () => {
    const h = new Harness({ partitions: 1, start: T0 })
    h.start()
    const v1 = event('CREATED', { id: 'Live-d', version: 1, live: true, category: 'politics' }, h.clock.now())
    h.append(v1)
    h.append(entryEvent(v1.article, { id: 'e1', seq: 1, version: 1 }, h.clock.now()))
    await h.settle()
    const live = await client(h, { audience: 'newsroom', scope: c.scope }, ['story:Live-d'], { entries: 10 })
    const away = await client(h, { audience: 'newsroom', scope: c.scope }, ['story:Live-d'], { entries: 10 })
    assert.ok(JSON.stringify(away.t.messages).includes('e1 v1'), 'the reader saw the story and its entry')
    const since = lastPosition(away.t.messages)
    h.hub.conns.remove(away.conn)

    h.clock.advance(1000)
    const v2 = event('UPDATED', { id: 'Live-d', version: 2, live: true, category: 'politics', ...c.away }, h.clock.now())
    h.append(v2)
    h.append(entryEvent(v2.article, { id: 'e1', seq: 1, version: 2, body: ['Written off its limits'] }, h.clock.now()))
    h.clock.advance(1000)
    const v3 = event('UPDATED', { id: 'Live-d', version: 3, live: true, category: 'politics', headline: 'Back' }, h.clock.now())
    h.append(v3)
    h.append(entryEvent(v3.article, { id: 'e1', seq: 1, version: 3, body: ['Written back in its limits'] }, h.clock.now()))
    await h.settle()
    assert.ok(!JSON.stringify(live.t.messages).includes('Written off its limits'), 'connected all along: not that version')

    const back = await client(h, { audience: 'newsroom', scope: c.scope }, ['story:Live-d'], { since, entries: 10, catchUp: 'all' })
    await h.tick(5000)
    h.hub.stop()
    const text = JSON.stringify(back.t.messages)
    assert.ok(text.includes('Written back in its limits'), `the entry as it stands: ${text}`)
    assert.ok(!text.includes('Written off its limits'), `an entry version written outside its limits: ${text}`)
  })
}

// And with the story back in the token's limits by the time the reader resumes: the deletion was
// judged with the story in view, the entry's exposure per clearance said it may have been shown.
for (const c of cases) {
  for (const [catchUp, fromLog] of [
    ['all', false],
    ['latest', false],
    ['all', true],
    ['latest', true],
  ] as const) {
    test(`a ${c.name}-limited token resuming story:<id> back in its limits is told nothing of an entry written and deleted while it was out (catchUp ${catchUp}${fromLog ? ', from the log' : ''})`, async () => {
      // a memory of one record sends the resume to the log (a Kafka replay)
      const h = new Harness({ partitions: 1, start: T0, historySize: fromLog ? 1 : 1000 })
      h.start()
      const v1 = event('CREATED', { id: 'Live-d', version: 1, live: true, category: 'politics' }, h.clock.now())
      h.append(v1)
      h.append(entryEvent(v1.article, { id: 'e1', seq: 1, version: 1 }, h.clock.now()))
      await h.settle()
      const live = await client(h, { audience: 'newsroom', scope: c.scope }, ['story:Live-d'], { entries: 10 })
      const away = await client(h, { audience: 'newsroom', scope: c.scope }, ['story:Live-d'], { entries: 10 })
      const since = lastPosition(away.t.messages)
      h.hub.conns.remove(away.conn)

      h.clock.advance(1000)
      const v2 = event('UPDATED', { id: 'Live-d', version: 2, live: true, category: 'politics', ...c.away }, h.clock.now())
      h.append(v2)
      h.append(entryEvent(v2.article, { id: 'e2', seq: 2, version: 1, body: ['Off-desk entry'] }, h.clock.now()))
      h.append(
        entryEvent(v2.article, { id: 'e2', seq: 2, version: 2, pubStatus: 'canceled' }, h.clock.now(), {
          type: 'ENTRY_DELETED',
          reason: 'names the protected witness',
        }),
      )
      h.clock.advance(1000)
      h.append(event('UPDATED', { id: 'Live-d', version: 3, live: true, category: 'politics', headline: 'Back' }, h.clock.now()))
      await h.settle()
      assert.ok(!JSON.stringify(live.t.messages).includes('protected witness'), 'connected all along: nothing of e2')

      const back = await client(h, { audience: 'newsroom', scope: c.scope }, ['story:Live-d'], { since, entries: 10, catchUp })
      await h.tick(5000)
      h.hub.stop()
      const text = JSON.stringify(back.t.messages)
      assert.deepEqual(gone(back.t.messages), [], `an entry never in its limits: ${text}`)
      assert.ok(!text.includes('protected witness') && !text.includes('Off-desk'), `an entry outside its limits: ${text}`)
    })
  }
}
