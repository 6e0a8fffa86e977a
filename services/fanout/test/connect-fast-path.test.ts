// Connection set-up without the live loop's pass (issue 18, connect time): a fresh subscription's
// `subscribed` is written at once when nothing else waits for its connection, and subscribes share
// one signed head position until the offsets move or a release is made. Each still says what the
// pass would have said: a release made since a position was signed gives a new one (its
// watermark at or after the release), or a resume from the old one would not replay it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { peekPosition } from '../src/position.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { entries, snapshotEntries, Story, subscribe as subscribeTo, T0 } from './support/live-story.ts'

const subscribe = (h: Harness, c: ReturnType<Harness['connect']>) =>
  h.hub.handle(c.conn, {
    type: 'subscribe',
    id: 's',
    channels: parseChannels(['category:home'], 's'),
    filter: parseFilter({}, 's'),
    since: null,
    catchUp: 'all',
  })

const positionOf = (c: ReturnType<Harness['connect']>): string => {
  const m = c.t.messages.find((x) => x.type === 'subscribed')
  assert.ok(m, `subscribed: ${JSON.stringify(c.t.messages)}`)
  return m.position as string
}

/** The head position a fresh subscribe on a new connection is answered with. */
const freshHead = async (h: Harness): Promise<string> => {
  const c = h.connect()
  subscribe(h, c)
  await h.settle()
  return positionOf(c)
}

test('a fresh subscription on an idle connection is answered at once, in its group, with no pass', async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  await h.settle()
  const a = h.connect()
  subscribe(h, a)
  assert.deepEqual(
    a.t.messages.map((m) => m.type),
    ['subscribed'],
    'written before the hub runs again',
  )
  assert.equal(h.hub.busy, false, 'no pass for it')
  assert.ok(a.conn.grouped, 'written up and alone on its connection: in its group')
  // what comes next reaches it as before
  h.append(event('CREATED', { id: 'a1', version: 1, category: 'home' }, h.clock.now()))
  await h.settle()
  assert.deepEqual(
    a.t.messages.map((m) => m.type),
    ['subscribed', 'event'],
  )
  h.hub.stop()
})

test('subscribes share a head position until the offsets move or a release is made', async () => {
  const h = new Harness({ partitions: 1 })
  h.start()
  await h.settle()
  const first = await freshHead(h)
  await h.tick(1000)
  assert.equal(await freshHead(h), first, 'the clock alone moved: nothing to sign again')

  const embargo = h.clock.now() + 500
  h.append(event('CREATED', { id: 'held', version: 1, category: 'home', embargoedUntil: embargo }, h.clock.now()))
  await h.settle()
  const afterRecord = await freshHead(h)
  assert.notEqual(afterRecord, first, 'the offsets moved')
  await h.tick(100)
  assert.equal(await freshHead(h), afterRecord, 'no release since')

  await h.tick(500)
  const afterRelease = await freshHead(h)
  assert.notEqual(afterRelease, afterRecord, 'a release was made since')
  assert.ok(peekPosition(afterRelease).t >= embargo, 'the watermark covers the release the snapshot holds')
  h.hub.stop()
})

test("an entry's release gives a new head position too: a resume from the old one would send the entry again", async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  const story = new Story(h)
  const embargo = T0 + 500
  story.post('e1', { embargoedUntil: embargo })
  await h.settle()
  const open = async () => {
    const c = h.connect()
    subscribeTo(h, c.conn, [`story:${story.article.id}`])
    await h.settle()
    return c
  }
  const first = positionOf(await open())
  await h.tick(1000)
  const reader = await open()
  assert.deepEqual(snapshotEntries(reader.t.messages.find((m) => m.type === 'subscribed')), ['e1@1'], 'released: in the snapshot')
  const since = positionOf(reader)
  assert.notEqual(since, first, 'a release was made since')
  assert.ok(peekPosition(since).t >= embargo, 'the watermark covers the release the snapshot holds')
  h.hub.conns.remove(reader.conn)
  const back = h.connect()
  subscribeTo(h, back.conn, [`story:${story.article.id}`], { since })
  await h.settle()
  h.hub.stop()
  assert.deepEqual(entries(back.t.messages), [], 'nothing sent again')
})

test('a record read on any partition gives a new head position: a resume from the old one would send it again', async () => {
  const h = new Harness({ partitions: 2 })
  h.start()
  await h.settle()
  const first = await freshHead(h)
  h.append(event('CREATED', { id: 'second', version: 1, category: 'home' }, h.clock.now()), 1)
  await h.settle()
  const since = await freshHead(h)
  assert.deepEqual(peekPosition(since).o, [0, 1], `the offsets read (first ${JSON.stringify(peekPosition(first).o)})`)
})
