// red14 attack run, 2026-12-06: a reader's reconnect lands on a fan-out process that refuses its
// position (a key rotation rolling out: the position was signed with the new key, this process
// knows only the old one; likewise a partition count it has not seen yet) and has not read as far
// as that position. The refusal's `reset` was made at once at this process's own head: a snapshot
// older than the reader's stream, holding what that stream had already taken back. An embargoed
// draft killed before its embargo (nobody was ever shown it), released meanwhile by the lagging
// process at its time, reached the public reader in that reset, until the process read the kill.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { answerPage } from '../src/http/snapshot.ts'
import { PositionCodec } from '../src/position.ts'
import { Harness, POSITION_KEY } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, shown, subscribe, withdrawn } from './support/live-story.ts'

const START = 1_800_000_000_000
const SEC = 1000
const NEW_KEY = 'the-new-position-key-32-characters!'
const PUBLIC = { audience: 'public' as const, expiresAt: null, reject: null }

const drafts = (m: { type: string; snapshot?: unknown }) =>
  m.type === 'reset' ? ((m.snapshot ?? []) as { article: { id: string } }[]).map((e) => e.article.id) : []

for (const stop of ['WITHDRAWN', 'withheld'] as const)
  test(`a refused position ahead of a lagging process: no reset holding a ${stop === 'WITHDRAWN' ? 'killed' : 'withheld'} embargoed draft`, async () => {
    const embargo = START + 10 * SEC
    const draft = event('CREATED', { id: 'budget', version: 1, embargoedUntil: embargo, category: 'news' }, START)
    const held =
      stop === 'WITHDRAWN'
        ? event(
            'WITHDRAWN',
            { id: 'budget', version: 2, embargoedUntil: embargo, category: 'news', pubStatus: 'canceled' },
            START + 5 * SEC,
          )
        : event('UPDATED', { id: 'budget', version: 2, embargoedUntil: embargo, category: 'news', pubStatus: 'withheld' }, START + 5 * SEC)
    // A runs the new key; B (not redeployed yet) only the old one, and lags
    const a = new Harness({ partitions: 1, start: START, positionKeys: [NEW_KEY, POSITION_KEY] })
    const b = new Harness({ partitions: 1, start: START })
    for (const h of [a, b]) {
      h.append(draft)
      h.start()
    }
    await Promise.all([a.tick(5 * SEC), b.tick(5 * SEC)])
    a.append(held)
    b.inKafka(held, 0)
    await a.settle()
    const reader = a.connect('public')
    subscribe(a, reader.conn, ['category:news'])
    await a.settle()
    assert.deepEqual(shown(reader.t.messages), [])
    const since = lastPosition(reader.t.messages)
    a.hub.conns.remove(reader.conn)
    // the embargo passes; B, behind, releases the draft it knows
    await Promise.all([a.tick(6 * SEC), b.tick(6 * SEC)])

    const back = b.connect('public')
    subscribe(b, back.conn, ['category:news'], { since })
    await b.settle()
    // before B reads the kill: the draft went out in the reset (told of the kill only once B reads it)
    const early = back.t.messages.flatMap(drafts).concat(shown(back.t.messages))
    // B reads on within the wait
    b.readOn(0)
    await b.tick(SEC)
    a.hub.stop()
    b.hub.stop()
    assert.deepEqual(early, [], `the reader was sent the draft nobody was shown: ${JSON.stringify(back.t.messages).slice(0, 700)}`)
    assert.deepEqual(back.t.messages.flatMap(drafts).concat(shown(back.t.messages)), [])
    assert.deepEqual(withdrawn(back.t.messages), [], 'nor told of a story it never had')
    assert.equal(back.t.messages.filter((m) => m.type === 'reset').length, 1, 'the position is refused: a fresh snapshot')
  })

test('a page whose `at` was signed with a key this process does not know yet: not_ready while behind it, then answered', async () => {
  const story = event('CREATED', { id: 'budget', version: 1, category: 'news' }, START)
  const kill = event('WITHDRAWN', { id: 'budget', version: 2, category: 'news', pubStatus: 'canceled' }, START + SEC)
  const a = new Harness({ partitions: 1, start: START, positionKeys: [NEW_KEY, POSITION_KEY] })
  const b = new Harness({ partitions: 1, start: START })
  for (const h of [a, b]) {
    h.append(story)
    h.start()
  }
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['category:news'])
  await a.settle()
  a.append(kill)
  b.inKafka(kill, 0)
  await a.settle()
  const at = lastPosition(reader.t.messages)
  const page = () =>
    answerPage(new URL(`http://f/v1/snapshot?channels=category:news&at=${encodeURIComponent(at)}`), PUBLIC, b.routeDeps(50))
  // behind the reader's stream: its page would hold the killed story
  assert.throws(page, (err: Error & { code?: string }) => err.code === 'not_ready')
  b.readOn(0)
  await b.settle()
  assert.deepEqual((JSON.parse(page()) as { items: unknown[] }).items, [], 'answered once read as far, during the rotation too')
  // made up past a signature: refused as before
  assert.throws(
    () => answerPage(new URL('http://f/v1/snapshot?channels=category:news&at=2.zz'), PUBLIC, b.routeDeps(50)),
    (err: Error & { code?: string }) => err.code === 'invalid_position',
  )
  a.hub.stop()
  b.hub.stop()
})

// The wait above asks Kafka for the log's end when a refused position claims offsets past this
// process's: made-up positions (unverified offsets far past the log) would make every subscribe a
// Kafka request. Asking goes through the resume gate: a flood beyond its queue is sent away (1013).
test('made-up positions past the log: Kafka is asked through the resume gate, a flood beyond its queue is sent away', async () => {
  const h = new Harness({ partitions: 1, start: START, limits: { resumeRate: 1, resumeQueue: 2 } })
  h.append(event('CREATED', { id: 'budget', version: 1, category: 'news' }, START))
  h.start()
  const forged = new PositionCodec([NEW_KEY]).encode({ o: [1_000_000], t: START })
  const readers = Array.from({ length: 6 }, () => {
    const r = h.connect('public')
    subscribe(h, r.conn, ['category:news'], { since: forged })
    return r
  })
  await h.settle()
  const sentAway = readers.filter((r) => r.t.closed?.code === 1013)
  assert.equal(sentAway.length, 3, 'one admitted, two queued, the rest sent away to come back')
  await h.tick(3 * SEC)
  const refused = readers.filter((r) => r.t.messages.some((m) => m.type === 'reset'))
  assert.equal(refused.length, 3, 'each admitted one refused (offsets the log never had), with a fresh snapshot')
  h.hub.stop()
})
