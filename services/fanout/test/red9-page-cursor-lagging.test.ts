// red9 attack run: GET /v1/snapshot?before=<cursor> answered by a fan-out process that is behind
// the one that sealed the cursor. With FANOUT_WORKERS=2 (or several instances behind a balancer)
// every HTTP request of a page lands on any worker. The first page is taken on the worker that is
// ahead: it has read a story's kill, so the story is on no page and the reader's stream (whose
// position is past the kill) never names it. "Load older" lands on the worker that has not read
// the kill yet: its page holds the killed story, and nothing ever tells the reader to remove it
// (the cursor says the page is as of a stream position past the kill, and the stream at that
// position has nothing more to say about it).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { answerPage, RequestError } from '../src/http/snapshot.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { lastPosition, shown, subscribe, withdrawn } from './support/live-story.ts'

const START = 1_800_000_000_000
const SEC = 1000
const publicAdmission = { audience: 'public' as const, expiresAt: null, reject: null }

type Page = { items: { type: string; article: { id: string; version: number } }[]; next: string | null }
const get = (h: Harness, query: string): Page =>
  JSON.parse(answerPage(new URL(`http://f/v1/snapshot?${query}`), publicAdmission, h.routeDeps(50))) as Page

test('an older page from a worker that is behind the one that sealed the cursor holds no story the cursor has seen killed', async () => {
  const old = event('CREATED', { id: 'old-story', version: 1, updatedAt: START - 3 * 3600 * SEC }, START - 3 * 3600 * SEC)
  const doomed = event('CREATED', { id: 'doomed', version: 1, updatedAt: START - 2 * 3600 * SEC }, START - 2 * 3600 * SEC)
  const fresh = event('CREATED', { id: 'fresh', version: 1, updatedAt: START - 3600 * SEC }, START - 3600 * SEC)
  // the desk kills `doomed` (ingest stamps updatedAt on a kill)
  const kill = event('WITHDRAWN', { id: 'doomed', version: 2, updatedAt: START, pubStatus: 'canceled' }, START, { reason: 'legal' })

  const a = new Harness({ partitions: 1, start: START })
  const b = new Harness({ partitions: 1, start: START })
  for (const h of [a, b]) {
    for (const e of [old, doomed, fresh]) h.append(e)
    h.start()
  }
  await Promise.all([a.settle(), b.settle()])
  a.append(kill)
  b.inKafka(kill, 0) // B's consumer has not read it yet
  await a.settle()

  // the reader opens the page on worker A: stream and first page
  const reader = a.connect('public')
  subscribe(a, reader.conn, ['category:news'])
  await a.settle()
  const first = get(a, 'limit=1')
  assert.deepEqual(
    first.items.map((i) => i.article.id),
    ['fresh'],
  )
  assert.ok(first.next !== null)

  // "Load older" goes to worker B (a 503 to retry is fine: no content)
  let second: Page = { items: [], next: null }
  try {
    second = get(b, `limit=5&before=${encodeURIComponent(first.next as string)}`)
  } catch (err) {
    if (!(err instanceof RequestError) || err.status !== 503) throw err
  }
  const paged = second.items.map((i) => i.article.id)
  // the newest page, with the position of the reader's stream (the SDK sends it as `at`): B is
  // behind that stream too, and says so rather than answer with the story the stream took back
  const at = encodeURIComponent(lastPosition(reader.t.messages))
  assert.throws(
    () => get(b, `limit=5&at=${at}`),
    (err: unknown) => err instanceof RequestError && err.status === 503,
  )
  assert.deepEqual(
    get(a, `limit=5&at=${at}`).items.map((i) => i.article.id),
    ['fresh', 'old-story'],
  )
  assert.throws(
    () => get(b, 'limit=5&at=forged'),
    (err: unknown) => err instanceof RequestError && err.status === 400,
  )

  // B catches up; the reader resumes there too (a reconnect) from its last position
  b.readOn(0)
  await b.settle()
  const back = b.connect('public')
  subscribe(b, back.conn, ['category:news'], { since: lastPosition(reader.t.messages) })
  await b.settle()
  const told = [...withdrawn(reader.t.messages), ...withdrawn(back.t.messages)]
  a.hub.stop()
  b.hub.stop()

  assert.ok(
    !paged.includes('doomed') || told.some((w) => w.startsWith('doomed:')),
    `the public reader was paged the killed story (${JSON.stringify(second.items)}) and never told: stream ${JSON.stringify([...shown(reader.t.messages), ...told])}`,
  )
})
