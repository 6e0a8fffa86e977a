// Releases of articles and entries a restarted instance knows only from news.articles (their
// event's offset unknown: Release.loaded, ordered at memStart - 1). Found by the outside review of
// 9d7076a (rev31): the story path missed them like the article path did, and two such releases
// at the same millisecond shared one position, so a resume after the first lost the second.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Harness, Message } from './support/harness.ts'
import { Harness as H } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { client, entries, lastPosition, setup, subscribe, T0 } from './support/live-story.ts'
import { restarted } from './support/restart.ts'

const AT = T0 + 600_000
// 'b', 'd', 'x2', 'x4', 'y1' all sit in partition 0 of 2 (Harness.partitionOf)
const ids = (ms: Message[]) => ms.filter((m) => m.type === 'event').map((m) => (m.event as { eventId: string }).eventId)
const headline = (m: Message) => (m.event as { article: { headline: string } } | undefined)?.article.headline

/** A restarted instance (history 4: two events a partition) that knows b and d, both embargoed until AT, only from news.articles. */
async function twoLoadedEmbargoes(): Promise<Harness> {
  const h = new H({ partitions: 2, historySize: 1000 })
  h.start()
  for (const id of ['b', 'd']) h.append(event('CREATED', { id, version: 1, embargoedUntil: AT, headline: `${id} released` }, T0))
  for (const id of ['x2', 'x4', 'y1']) h.append(event('CREATED', { id, version: 1 }, T0))
  await h.settle()
  h.hub.stop()
  assert.equal(h.partitionOf('b'), 0)
  assert.equal(h.partitionOf('d'), 0)
  const r = restarted(h, [], 4)
  await r.settle()
  return r
}

async function reader(h: Harness, since: string | null) {
  const c = h.connect('public')
  subscribe(h, c.conn, ['category:news'], since === null ? {} : { since })
  await h.settle()
  return c
}

const released = (ms: Message[]) => ms.filter((m) => m.type === 'event' && /released/.test(headline(m) ?? '')).map((m) => headline(m))

// Two stories embargoed to the same millisecond (an embargo at 06:00:00.000 is common), both known
// only from news.articles, in one partition: their releases share the key (AT, 0, memStart - 1),
// so a position after one of them cannot say which. It claims only the millisecond before: a
// resume from it gets both again (the client drops the one it had by version), losing neither.
test('two releases known only from news.articles at the same ms: a resume after the first still gets the second (resume path)', async () => {
  const h = await twoLoadedEmbargoes()
  const first = await reader(h, null)
  const since = first.t.messages.find((m) => m.type === 'subscribed')?.position as string
  h.hub.conns.remove(first.conn)
  await h.tick(AT - h.clock.now() + 1_000)
  const second = await reader(h, since)
  const rel = second.t.messages.filter((m) => m.type === 'event')
  assert.deepEqual(released(rel).sort(), ['b released', 'd released'])
  assert.equal(rel[0]?.position, rel[1]?.position, 'both releases carry the same position')
  h.hub.conns.remove(second.conn)
  // it dropped after the first release: resumes from that one's position
  const third = await reader(h, rel[0]?.position as string)
  assert.deepEqual(released(third.t.messages).sort(), ['b released', 'd released'], 'the second comes; the first again')
  assert.deepEqual(ids(third.t.messages).sort(), ids(rel).sort(), 'the same versions: the client drops the repeat')
})

test('two releases known only from news.articles at the same ms: a resume after the first still gets the second (live path)', async () => {
  const h = await twoLoadedEmbargoes()
  const first = await reader(h, null)
  await h.tick(AT - h.clock.now() + 1_000)
  const rel = first.t.messages.filter((m) => m.type === 'event')
  assert.deepEqual(released(rel).sort(), ['b released', 'd released'])
  h.hub.conns.remove(first.conn)
  const again = await reader(h, rel[0]?.position as string)
  assert.deepEqual(released(again.t.messages).sort(), ['b released', 'd released'])
  assert.deepEqual(ids(again.t.messages).sort(), ids(rel).sort())
  // from a position past both (a later event), neither comes again
  const later = await reader(h, null)
  const past = later.t.messages.find((m) => m.type === 'subscribed')?.position as string
  h.hub.conns.remove(later.conn)
  assert.deepEqual(released((await reader(h, past)).t.messages), [])
})

// The release goes before the cursor reaches the event, which may then be replayed from Kafka
// after all: within one subscription versions.admit keeps it from going twice, but a client that
// drops after the release and resumes from its position gets that version again (the SDK drops it
// by eventId; the README says so for raw-protocol clients).
test('a release known only from news.articles may come again, at the same version, to a resume from its position', async () => {
  const h = new H({ partitions: 2, historySize: 1000 })
  h.start()
  h.append(event('CREATED', { id: 'x2', version: 1 }, T0))
  await h.settle()
  const first = await reader(h, null)
  const since = first.t.messages.find((m) => m.type === 'subscribed')?.position as string
  h.hub.conns.remove(first.conn)
  // while it is away: b under embargo, then events that push it out of the next instance's memory
  h.append(event('CREATED', { id: 'b', version: 1, embargoedUntil: AT, headline: 'b released' }, T0))
  for (const id of ['x4', 'y1', 'd']) h.append(event('CREATED', { id, version: 1 }, T0))
  await h.settle()
  h.hub.stop()
  const r = restarted(h, [], 4)
  await r.settle()
  await r.tick(AT - r.clock.now() + 1_000)
  const second = await reader(r, since)
  assert.deepEqual(released(second.t.messages), ['b released'], 'the release goes, once')
  const release = second.t.messages.find((m) => m.type === 'event' && headline(m) === 'b released') as Message
  r.hub.conns.remove(second.conn)
  const third = await reader(r, release.position as string)
  const after = second.t.messages
    .filter((m) => m.type === 'event')
    .slice(second.t.messages.filter((m) => m.type === 'event').indexOf(release))
  assert.deepEqual(ids(after)[0], 'ev-12-b-1')
  assert.deepEqual(ids(third.t.messages).sort(), ids(after).sort(), 'what followed the release, and b again at the version already sent')
})

// The key such a release is ordered by is the instance's own (memStart - 1): on another instance,
// or after a restart with more memory, the same releases sit elsewhere. A position after one
// claims only the millisecond before it (position.ts watermarkAfter), so a resume anywhere
// considers that millisecond's releases again (rev32 review).
test('a position after the first of two such releases at one ms, resumed on an instance that knows their offsets (a rolling deploy), gets the second', async () => {
  // the old instance, up all along: it knows b and d (both embargoed until AT) by offset
  const old = new H({ partitions: 2, historySize: 1000, start: T0 })
  old.start()
  for (const id of ['b', 'd']) old.append(event('CREATED', { id, version: 1, embargoedUntil: AT, headline: `${id} released` }, T0))
  for (const id of ['x2', 'x4', 'y1']) old.append(event('CREATED', { id, version: 1 }, T0))
  await old.settle()
  assert.equal(old.partitionOf('b'), 0)
  assert.equal(old.partitionOf('d'), 0)
  // the new instance of a rolling deploy (history 4): it knows b and d only from news.articles
  const fresh = restarted(old, [], 4)
  await fresh.settle()
  const first = await reader(fresh, null)
  await fresh.tick(AT - fresh.clock.now() + 1_000)
  const rel = first.t.messages.filter((m) => m.type === 'event')
  assert.deepEqual(released(rel).sort(), ['b released', 'd released'], 'the new instance releases both')
  const got = headline(rel[0] as Message)
  fresh.hub.conns.remove(first.conn)
  // it dropped after the first release; the load balancer sends it to the old instance
  await old.tick(AT - old.clock.now() + 1_000)
  const back = await reader(old, rel[0]?.position as string)
  assert.ok(!back.t.messages.some((m) => m.type === 'reset' || m.type === 'error'), `a plain resume: ${back.t.messages.map((m) => m.type)}`)
  const missing = ['b released', 'd released'].find((x) => x !== got)
  assert.ok(
    released(back.t.messages).includes(missing as string),
    `the reader had ${got} and resumed on the old instance from its position: ${missing} never comes (${JSON.stringify(back.t.messages.map((m) => m.type))})`,
  )
})

test('the same on an instance restarted with more memory (a larger FANOUT_HISTORY_SIZE)', async () => {
  const old = new H({ partitions: 2, historySize: 1000, start: T0 })
  old.start()
  for (const id of ['b', 'd']) old.append(event('CREATED', { id, version: 1, embargoedUntil: AT, headline: `${id} released` }, T0))
  for (const id of ['x2', 'x4', 'y1', 'x6', 'x8']) old.append(event('CREATED', { id, version: 1 }, T0))
  await old.settle()
  for (const id of ['x2', 'x4', 'y1', 'x6', 'x8']) assert.equal(old.partitionOf(id), 0, id)
  old.hub.stop()
  // partition 0: b d x2 x4 y1 x6 x8 (0..6). History 4: memory 5..6, loaded key offset 4
  const small = restarted(old, [], 4)
  await small.settle()
  const first = await reader(small, null)
  await small.tick(AT - small.clock.now() + 1_000)
  const rel = first.t.messages.filter((m) => m.type === 'event')
  assert.deepEqual(released(rel).sort(), ['b released', 'd released'])
  const got = headline(rel[0] as Message)
  small.hub.stop()
  // restarted again with history 8: memory 3..6, b and d still loaded, key offset 2 < 4
  const big = restarted(small, [], 8)
  await big.settle()
  const back = await reader(big, rel[0]?.position as string)
  assert.ok(!back.t.messages.some((m) => m.type === 'reset' || m.type === 'error'), `a plain resume: ${back.t.messages.map((m) => m.type)}`)
  const missing = ['b released', 'd released'].find((x) => x !== got)
  assert.ok(released(back.t.messages).includes(missing as string), `had ${got}; ${missing} never comes after the restart`)
})

// A live story with an entry scheduled under embargo (e2). A fan-out restarts (a deploy) with a small
// memory: it knows the story and e2 only from news.articles. A public reader of story:Live-1
// connects to it, reads up to offset 6 and leaves; more entries push its position out of memory;
// e2's embargo passes; the reader resumes. e2's event lies behind the position (never replayed),
// and its release, of unknown offset, is ordered just below memory (at or above the cursor), so
// replayReleases skips it as "not yet passed": the reader shows e1, e3..e8 and never e2.
test('story: a resume older than memory gets the release of an entry known only from news.articles', async () => {
  const { h, story } = await setup(1000)
  story.post('e1')
  story.post('e2', { embargoedUntil: T0 + 600_000, body: ['SCHEDULED'] })
  story.post('e3')
  story.post('e4')
  story.post('e5')
  await h.settle()
  h.hub.stop()
  // story partition: [Live-1 v1, e1..e5] = offsets 0..5; history 4 over 2 partitions: memory 4..5
  const b = restarted(h, [], 4)
  await b.settle()
  const first = await client(b)
  const since = lastPosition(first.t.messages)
  assert.ok(!entries(first.t.messages).some((e) => e.startsWith('e2')), 'e2 is under embargo: the public does not get it')
  b.hub.conns.remove(first.conn)
  // while it is away: new entries push its position out of this instance's memory
  for (const [i, id] of ['e6', 'e7', 'e8', 'e9', 'e10'].entries())
    b.append(entryEvent(story.article, { id, seq: 6 + i, version: 1 }, b.clock.now()))
  await b.settle()
  await b.tick(700_000) // e2's embargo passes
  const back = await client(b, {}, ['story:Live-1'], { since })
  const got = entries(back.t.messages)
  assert.ok(!back.t.messages.some((m) => m.type === 'reset'), `no reset: ${back.t.messages.map((m) => m.type)}`)
  assert.ok(got.includes('e6@1+'), `the resume replays what came after its position: ${got}`)
  assert.ok(
    got.some((e) => e.startsWith('e2@1')),
    `the resumed story reader never gets the released entry e2 (it has e1, e3.. but not e2): ${got}`,
  )
})
