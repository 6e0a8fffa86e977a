// red13 attack run (2026-12-05), slow readers: a newsroom reader is told of a hold, a new embargo
// or a kill written as `pubStatus: canceled` by the version itself (an `event`), not by a
// `withdrawn`, and such an event of a story that is not breaking went in the `routine` lane. A
// newsroom connection that fell behind (a dashboard on a slow link during a burst) had it shed or
// conflated away like any routine update: the dashboard kept showing the story as running, and
// its `gap` made it reload only the newest page, which a burst of newer stories had pushed the
// held story off. An event that takes a story out of the running (withheld, canceled, under
// embargo) is priority now, as every `withdrawn` is: never shed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import { answerPage } from '../src/http/snapshot.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import type { Message } from './support/harness.ts'

type Ev = Message & { event: { article: { id: string; version: number; pubStatus: string } }; embargoed?: boolean }
type En = Message & { entry: { id: string; version: number; pubStatus: string }; embargoed?: boolean }

const released: AudienceScope = { ...unrestricted, embargo: false }

/** A newsroom reader of `channels` whose socket stops taking writes after the snapshot. */
async function slowDesk(h: Harness, channels: string[], scope: AudienceScope = unrestricted) {
  const c = h.connect('newsroom', scope)
  h.hub.handle(c.conn, {
    type: 'subscribe',
    id: 's',
    channels: parseChannels(channels, 's'),
    filter: parseFilter(null, 's'),
    since: null,
    catchUp: 'all',
  })
  await h.settle()
  return c
}

/** A burst of 600 routine stories (more than FANOUT_MAX_PENDING / 2 of the test's 1,000). */
function burst(h: Harness): void {
  h.clock.advance(1)
  for (let i = 0; i < 600; i++) h.append(event('CREATED', { id: `r${i}`, version: 1 }, h.clock.now()))
}

for (const [how, scope, change, told] of [
  ['a hold', unrestricted, { pubStatus: 'withheld' as const }, (e: Ev) => e.event.article.pubStatus === 'withheld'],
  ['a hold, to an embargo: false token', released, { pubStatus: 'withheld' as const }, (e: Ev) => e.event.article.pubStatus === 'withheld'],
  ['a new embargo', unrestricted, { embargoedUntil: 'later' as const }, (e: Ev) => e.embargoed === true],
  ['a kill as pubStatus canceled', unrestricted, { pubStatus: 'canceled' as const }, (e: Ev) => e.event.article.pubStatus === 'canceled'],
] as const) {
  test(`a newsroom reader that fell behind is told of ${how} of a routine story, never has it shed`, async () => {
    const h = new Harness({ partitions: 1 })
    h.start()
    const desk = await slowDesk(h, ['all'], scope)
    h.append(event('CREATED', { id: 'x', version: 1 }, h.clock.now()))
    await h.settle()
    desk.t.backlog = 10 * 1024 * 1024
    const { embargoedUntil, ...rest } = { embargoedUntil: null, ...change }
    const until = embargoedUntil === 'later' ? h.clock.now() + 3_600_000 : null
    h.append(event('UPDATED', { id: 'x', version: 2, ...rest, embargoedUntil: until }, h.clock.now(), { reason: 'legal' }))
    burst(h)
    await h.settle()
    desk.t.backlog = 0
    h.hub.drained(desk.conn)
    await h.settle()
    const got = desk.t.messages.filter((m) => m.type === 'event') as Ev[]
    assert.ok(
      desk.t.messages.some((m) => m.type === 'gap'),
      'the reader fell behind (a gap), as the case needs',
    )
    // the gap's remedy, the newest page again (the dashboard's), does not hold the story
    const page = JSON.parse(
      answerPage(
        new URL('http://f/v1/snapshot?channels=all&limit=50'),
        { audience: 'newsroom' as const, scope, expiresAt: null, reject: null },
        h.routeDeps(50),
      ),
    ) as {
      items: { article: { id: string } }[]
    }
    assert.ok(!page.items.some((e) => e.article.id === 'x'), 'the newest page holds the story: the case needs a burst above it')
    const x = got.filter((e) => e.event.article.id === 'x').map((e) => e.event.article.version)
    assert.deepEqual(x, [1, 2], `the newsroom was not told of ${how}: it shows the story running`)
    assert.ok(told(got.find((e) => e.event.article.id === 'x' && e.event.article.version === 2) as Ev))
  })
}

test("a newsroom story reader that fell behind is told of an entry's hold, never has it shed", async () => {
  const h = new Harness({ partitions: 1 })
  const story = event('CREATED', { id: 'st', version: 1, live: true }, h.clock.now() - 1000)
  h.append(story)
  h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 1 }, h.clock.now() - 1000))
  h.start()
  await h.settle()
  const desk = await slowDesk(h, ['story:st'])
  desk.t.backlog = 10 * 1024 * 1024
  h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 2, pubStatus: 'withheld' }, h.clock.now()))
  for (let i = 0; i < 600; i++) h.append(entryEvent(story.article, { id: `n${i}`, seq: 2 + i, version: 1 }, h.clock.now()))
  await h.settle()
  desk.t.backlog = 0
  h.hub.drained(desk.conn)
  await h.settle()
  assert.ok(
    desk.t.messages.some((m) => m.type === 'gap'),
    'the reader fell behind (a gap), as the case needs',
  )
  const e1 = (desk.t.messages.filter((m) => m.type === 'entry') as En[]).filter((m) => m.entry.id === 'e1')
  assert.deepEqual(
    e1.map((m) => [m.entry.version, m.entry.pubStatus]),
    [[2, 'withheld']],
    "the newsroom was not told of the entry's hold: it shows the entry running",
  )
})
