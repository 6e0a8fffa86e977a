// The SDK's live view after a stand-in hold (src/late-hold.ts: a hold numbered as the live version
// it changes; src/unreadable.ts: a record nobody can decode) and the writer's next record: the
// stand-in's number is a guess, so that record decides again whatever its number, the same as
// the stand-in's, lower or higher. A newsroom and a public SDK client watching the story all along
// must then show what a fresh load shows. Before the fix the SDK's duplicate filter took only an
// `unreadable-hold:` id, and only at the same number, as a guess: the newsroom dropped the next
// record, and the public one numbered lower, and kept the story (or entry) held until a later
// version (red12 attack run's left-open limit, services/fanout/README.md "Known limits").
// The SDK runs against the in-process hub (support/sdk-bridge.ts).
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { Story } from './support/live-story.ts'
import { clientOnHub, Line, storyOnHub } from './support/sdk-bridge.ts'
import type { Audience } from '../src/visibility.ts'

type Kind = 'late' | 'unreadable'
/** The writer's next record's number, against the stand-in's (the live version + 1). */
const nexts = [
  ['the same as the stand-in', 1],
  ['lower (the live version)', 0],
  ['lower still', -1],
  ['higher', 2],
] as const

/** An SDK client on `h` (over `line`) and what it shows of the articles: id → `version pubStatus headline`. */
function watch(t: TestContext, h: Harness, audience: Audience, channels: string[], line = new Line()) {
  const client = clientOnHub(t, h, audience, channels, line)
  const shows = new Map<string, string>()
  let subscribed = 0
  client.on('subscribed', () => subscribed++)
  client.on('event', ({ event: e }) => shows.set(e.article.id, `${e.article.version} ${e.article.pubStatus} ${e.article.headline}`))
  client.on('withdrawn', ({ articleId }) => shows.delete(articleId))
  client.on('reset', ({ snapshot }) => {
    shows.clear()
    for (const e of snapshot) shows.set(e.article.id, `${e.article.version} ${e.article.pubStatus} ${e.article.headline}`)
  })
  return { client, shows, audience, subscribed: () => subscribed }
}

/** Until every client has been subscribed `times` times (real time passes: the SDK's backoff). */
async function ready(h: Harness, clients: { subscribed(): number }[], times = 1): Promise<void> {
  for (let i = 0; i < 200 && clients.some((c) => c.subscribed() < times); i++) {
    await h.settle()
    await new Promise((r) => setTimeout(r, 2))
  }
  assert.ok(
    clients.every((c) => c.subscribed() >= times),
    'a client was never subscribed',
  )
}

for (const kind of ['late', 'unreadable'] as Kind[]) {
  for (const [how, plus] of nexts) {
    test(`articles, ${kind} stand-in, the next record numbered ${how}: each live SDK view is what a reload shows`, async (t) => {
      const h = new Harness({ partitions: 1 })
      h.append(event('CREATED', { id: 'k', version: 3, urgency: 1, headline: 'first' }, h.clock.now() - 1000))
      h.start()
      await h.settle()
      const desk = watch(t, h, 'newsroom', ['breaking'])
      const site = watch(t, h, 'public', ['breaking'])
      // readers away from before the hold until after the stand-in, who resume then
      const line = new Line()
      const away = [watch(t, h, 'newsroom', ['breaking'], line), watch(t, h, 'public', ['breaking'], line)]
      await ready(h, [desk, site, ...away])
      assert.equal(site.shows.get('k'), '3 usable first')
      line.down()

      if (kind === 'late') h.append(event('UPDATED', { id: 'k', version: 3, urgency: 1, pubStatus: 'withheld' }, h.clock.now()))
      else h.appendUnreadable('k', { kind: 'hold' })
      await h.settle()
      assert.equal(site.shows.get('k'), undefined, 'the public still shows the held story')
      assert.equal(desk.shows.get('k'), '4 withheld first', 'the newsroom does not show the stand-in')
      line.up = true
      await ready(h, away, 2)
      // and readers who arrived meanwhile
      const joined = [watch(t, h, 'newsroom', ['breaking']), watch(t, h, 'public', ['breaking'])]
      await ready(h, joined)
      assert.equal(joined[0]?.shows.get('k'), '4 withheld first')

      h.append(event('UPDATED', { id: 'k', version: 3 + plus, urgency: 1, headline: 'next' }, h.clock.now()))
      await h.settle()
      const wrong: string[] = []
      for (const [who, live] of [
        ['watching', desk],
        ['watching', site],
        ['resumed', away[0]],
        ['resumed', away[1]],
        ['joined', joined[0]],
        ['joined', joined[1]],
      ] as const) {
        if (!live) continue
        const fresh = watch(t, h, live.audience, ['breaking'])
        await ready(h, [fresh])
        const [got, reload] = [JSON.stringify([...live.shows]), JSON.stringify([...fresh.shows])]
        if (got !== reload) wrong.push(`${live.audience} ${who}: live view ${got}, a reload ${reload}`)
      }
      assert.deepEqual(wrong, [])
      assert.equal(site.shows.get('k'), `${3 + plus} usable next`, "the public view does not show the writer's next record")
    })
  }
}

/** A `story:` SDK follower on `h` (over `line`) and what it shows: `id@version pubStatus body`. */
const follow = (t: TestContext, h: Harness, audience: Audience, line?: Line) =>
  storyOnHub(t, h, audience, (e) => `${e.id}@${e.version} ${e.pubStatus} ${e.body.join(' ')}`, line)

for (const kind of ['late', 'unreadable'] as Kind[]) {
  for (const [how, plus] of nexts) {
    if (plus === -1) continue // an entry's first version is 1
    test(`entries, ${kind} stand-in, the next record numbered ${how}: each live SDK view is what a reload shows`, async (t) => {
      const h = new Harness({ partitions: 1 })
      h.start()
      const story = new Story(h)
      story.post('e1')
      await h.settle()
      const desk = follow(t, h, 'newsroom')
      const site = follow(t, h, 'public')
      const line = new Line()
      const away = [follow(t, h, 'newsroom', line), follow(t, h, 'public', line)]
      await ready(h, [desk, site, ...away])
      assert.deepEqual(site.shows(), ['e1@1 usable e1 v1'])
      line.down()

      if (kind === 'late') h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 1, pubStatus: 'withheld' }, h.clock.now()))
      else h.appendUnreadable('Live-1', { kind: 'entryHold', entryId: 'e1' })
      await h.settle()
      assert.deepEqual(site.shows(), [], 'the public still shows the held entry')
      assert.deepEqual(desk.shows(), ['e1@2 withheld e1 v1'], 'the newsroom does not show the stand-in')
      line.up = true
      await ready(h, away, 2)
      const joined = [follow(t, h, 'newsroom'), follow(t, h, 'public')]
      await ready(h, joined)
      assert.deepEqual(joined[0]?.shows(), ['e1@2 withheld e1 v1'])

      h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 1 + plus, body: ['next'] }, h.clock.now()))
      await h.settle()
      const wrong: string[] = []
      for (const [who, live] of [
        ['watching', desk],
        ['watching', site],
        ['resumed', away[0]],
        ['resumed', away[1]],
        ['joined', joined[0]],
        ['joined', joined[1]],
      ] as const) {
        if (!live) continue
        const fresh = follow(t, h, live.audience)
        await ready(h, [fresh])
        const [got, reload] = [JSON.stringify(live.shows()), JSON.stringify(fresh.shows())]
        if (got !== reload) wrong.push(`${live.audience} ${who}: live view ${got}, a reload ${reload}`)
      }
      assert.deepEqual(wrong, [])
      assert.deepEqual(site.shows(), [`e1@${1 + plus} usable next`], "the public view does not show the writer's next record")
    })
  }
}
