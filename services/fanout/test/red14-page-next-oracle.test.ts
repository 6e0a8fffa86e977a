// A full page's `next` said whether any article, seen or not, lies beyond its last item in the
// index lists it walked (red14 attack run, 2026-12-06). With `article:<id>` channels a view is a
// list of ids the reader names, so `channels=article:<a public story>,article:<a guessed id>&limit=1`
// answered a cursor exactly when the guessed story exists, withheld, under embargo or killed, and
// is older than the public one: a public reader learned that an unpublished story of that id
// exists, and, with public stories of other times as the anchor, when it was last written. A page
// now gives a cursor only when a visible article follows (looked for within the page's scan
// bound), on GET /v1/snapshot and in `subscribed.more` alike.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Admission } from '../src/http/access.ts'
import { answerPage } from '../src/http/snapshot.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import type { Message } from './support/harness.ts'

const publicAccess: Admission = { audience: 'public', expiresAt: null, reject: null }
const HIDDEN = 'merger-acme-globex'

/** A public story and, older than it, `hidden` (absent: no such story). */
async function desk(hidden: Record<string, unknown> | null) {
  const h = new Harness({ partitions: 2, limits: { snapshotSize: 1 } })
  const now = h.clock.now()
  h.append(event('CREATED', { version: 1, id: 'pub-1', updatedAt: now - 1000 }, now))
  if (hidden) h.append(event('CREATED', { version: 1, id: HIDDEN, updatedAt: now - 5000, ...hidden }, now))
  h.start()
  await h.settle()
  const page = (q: string) =>
    JSON.parse(answerPage(new URL(`http://f/v1/snapshot?${q}`), publicAccess, h.routeDeps(50))) as {
      items: { article: { id: string } }[]
      next: string | null
    }
  return { h, page }
}

const hiddenKinds: [string, Record<string, unknown> | null][] = [
  ['no such story', null],
  ['withheld', { pubStatus: 'withheld' }],
  ['under embargo', { embargoedUntil: 1_800_000_000_000 + 3_600_000 }],
  ['killed, never public', { pubStatus: 'canceled' }],
]

test('GET /v1/snapshot: a full page of article: channels answers alike whether a named hidden story exists or not', async () => {
  const answers: string[] = []
  for (const [what, hidden] of hiddenKinds) {
    const { page } = await desk(hidden)
    const first = page(`channels=article:pub-1,article:${HIDDEN}&limit=1`)
    assert.deepEqual(
      first.items.map((i) => i.article.id),
      ['pub-1'],
      what,
    )
    // all but the event's id, which each run of the harness numbers anew
    answers.push(JSON.stringify([first.items.map((i) => i.article), first.next]))
    assert.equal(first.next, null, `${what}: a cursor says something lies beyond the public story`)
  }
  assert.equal(new Set(answers).size, 1, 'the public tells the answers apart')
})

test('subscribe: `more` of a public snapshot of article: channels says nothing of a named hidden story', async () => {
  for (const [what, hidden] of hiddenKinds) {
    const { h } = await desk(hidden)
    const { conn, t } = h.connect('public')
    const channels = parseChannels(['article:pub-1', `article:${HIDDEN}`], 's')
    h.hub.handle(conn, { type: 'subscribe', id: 's', channels, filter: parseFilter(undefined, 's'), since: null, catchUp: 'all' })
    await h.settle()
    const m = t.messages[0] as Message
    assert.equal(m.type, 'subscribed')
    assert.equal(m.more, null, what)
  }
})

test('a full page followed by a visible article still gives the cursor, and the next page holds it', async () => {
  const { h, page } = await desk({ pubStatus: 'withheld' })
  const now = h.clock.now()
  h.append(event('CREATED', { version: 1, id: 'pub-0', updatedAt: now - 9000 }, now))
  await h.settle()
  const first = page(`channels=article:pub-1,article:${HIDDEN},article:pub-0&limit=1`)
  assert.deepEqual(
    first.items.map((i) => i.article.id),
    ['pub-1'],
  )
  assert.ok(first.next !== null)
  const second = page(`channels=article:pub-1,article:${HIDDEN},article:pub-0&limit=1&before=${first.next}`)
  assert.deepEqual([second.items.map((i) => i.article.id), second.next], [['pub-0'], null])
})
