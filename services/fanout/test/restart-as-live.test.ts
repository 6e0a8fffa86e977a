// An instance starting up (its state from news.articles, then history) decides as an instance
// that read the same log live: what the public and the newsroom are shown of a story. Written for
// the mutation campaign over Store.#replacing (stop 40): each case names the mutation it catches.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { client, newsroom, snapshotArticles } from './support/live-story.ts'

const T = 1_800_000_000_000

async function view(h: Harness) {
  const seen = async (who: Parameters<typeof client>[1]) =>
    snapshotArticles((await client(h, who, [])).t.messages).map(
      (a) => `${a.headline} @${a.version}${a.pubStatus === 'usable' ? '' : ` (${a.pubStatus})`}`,
    )
  return { public: await seen({ audience: 'public' }), newsroom: await seen(newsroom) }
}

/** An instance that read `log` live. */
async function readLive(log: ArticleEvent[]) {
  const h = new Harness({ partitions: 1, start: T })
  h.start()
  for (const e of log) h.append(e)
  await h.settle()
  return h
}

/** What an instance that read `log` live shows. */
const live = async (log: ArticleEvent[]) => view(await readLive(log))

/** What an instance started over `log` shows: news.articles holds `loaded`, its history starts at `from`. */
async function restarted(log: ArticleEvent[], loaded: ArticleEvent, from: number) {
  const h = new Harness({ partitions: 1, start: T, from: [from] })
  h.log[0]?.push(...log)
  h.store.load(0, loaded, null)
  for (const [offset, e] of log.entries()) if (offset >= from) h.store.append(0, offset, e)
  h.start()
  await h.settle()
  return view(h)
}

test("a tool's hold numbered as ingest's next version, read before that version: a restart keeps the story withheld, as the live instance did (mutation: `<=` as `<` in #replacing)", async () => {
  // the tool's record took the number first, so ingest's own version 2 is the old news live
  const v1 = event('CREATED', { id: 'c', version: 1 }, T - 5000)
  const tool = event('UPDATED', { id: 'c', version: 2, pubStatus: 'withheld', headline: 'held by a tool' }, T - 4000, { reason: 'legal' })
  const v2 = event('UPDATED', { id: 'c', version: 2, headline: 'ingest v2' }, T - 3000)
  const log = [v1, tool, v2]
  const expected = { public: [], newsroom: ['held by a tool @2 (withheld)'] }
  assert.deepEqual(await live(log), expected)
  // news.articles holds ingest's latest version (a tool's record is not in it)
  assert.deepEqual(await restarted(log, v2, 0), expected)
})

test("an instance starting up over old news of a withheld story, then a tool's kill numbered as the old news, then the latest version's own record: a public reader resuming is not told of the kill (mutation: a kill not ending the replacement in #replacing)", async () => {
  // v1 is older than history; news.articles holds ingest's v2 (withheld), its record after the kill
  const v1 = event('CREATED', { id: 'c', version: 1, pubStatus: 'withheld' }, T - 6000)
  const never = event('UPDATED', { id: 'c', version: 1, headline: 'NEVER PUBLISHED' }, T - 5000)
  const kill = event('WITHDRAWN', { id: 'c', version: 1, pubStatus: 'canceled' }, T - 4000, { reason: 'legal' })
  const v2 = event('UPDATED', { id: 'c', version: 2, pubStatus: 'withheld' }, T - 3000)
  const log = [v1, never, kill, v2]
  const view = { category: 'news', language: 'en', urgency: 5, breaking: false }
  for (const h of [new Harness({ partitions: 1, start: T }), new Harness({ partitions: 1, start: T, from: [1] })]) {
    const restart = h.store.from[0] === 1
    if (restart) {
      h.log[0]?.push(v1, never, kill, v2)
      // ingest carried the view v1 was in, withheld (embargo none: no time left)
      h.store.load(0, v2, { views: [{ ...view, usableLeftMs: null, withheldLeftMs: 0 }], complete: true })
      for (const offset of [1, 2, 3]) h.store.append(0, offset, log[offset] as (typeof log)[number])
    }
    h.start()
    if (!restart) for (const e of log) h.append(e)
    await h.settle()
    const back = await client(h, { audience: 'public' }, [], { since: h.positions.encode({ o: [1], t: T - 5500 }) })
    const named = back.t.messages.filter((m) => JSON.stringify(m).includes('"c"')).map((m) => m.type)
    assert.deepEqual(named, [], `the public never saw c (${restart ? 'restarted' : 'live'})`)
  }
})

test("an instance starting up over old news of a withheld story, then a tool's newer hold, then the latest version's own record: a public reader is not told of its kill (mutation: a newer record not undoing the replacement in #replacing)", async () => {
  // news.articles holds ingest's v2 (withheld); a tool wrote old news numbered 1, then a hold numbered 3, before v2's record
  const v1 = event('CREATED', { id: 'c', version: 1, pubStatus: 'withheld' }, T - 6000)
  const never = event('UPDATED', { id: 'c', version: 1, headline: 'NEVER PUBLISHED' }, T - 5000)
  const v3 = event('UPDATED', { id: 'c', version: 3, pubStatus: 'withheld' }, T - 4000)
  const v2 = event('UPDATED', { id: 'c', version: 2, pubStatus: 'withheld' }, T - 3000)
  const view = { category: 'news', language: 'en', urgency: 5, breaking: false, usableLeftMs: null, withheldLeftMs: 0 }
  const h = new Harness({ partitions: 1, start: T, from: [1] })
  h.log[0]?.push(v1, never, v3, v2)
  h.store.load(0, v2, { views: [view], complete: true })
  for (const offset of [1, 2, 3]) h.store.append(0, offset, h.log[0]?.[offset] as ArticleEvent)
  h.start()
  await h.settle()
  const reader = await client(h, { audience: 'public' }, [])
  h.append(event('WITHDRAWN', { id: 'c', version: 4, pubStatus: 'canceled' }, T, { reason: 'legal' }))
  await h.settle()
  const back = await client(h, { audience: 'public' }, [], { since: h.positions.encode({ o: [1], t: T - 5500 }) })
  for (const r of [reader, back])
    assert.deepEqual(
      r.t.messages.filter((m) => JSON.stringify(m).includes('"c"')).map((m) => m.type),
      [],
    )
})

test("an instance starting up over a tool's newer version, then old news, then that version's release, then a newer version on another desk: a public reader who saw the release hears of the kill (mutation: #replacing opening over a state history brought)", async () => {
  const E = T - 100_000
  const v1 = event('CREATED', { id: 'c', version: 1, pubStatus: 'withheld' }, T - 300_000)
  const v2 = event('UPDATED', { id: 'c', version: 2, pubStatus: 'withheld' }, T - 250_000)
  // a tool's v3 (not in news.articles), embargoed, and its old news
  const v3 = event('UPDATED', { id: 'c', version: 3, embargoedUntil: E }, T - 200_000)
  const never = event('UPDATED', { id: 'c', version: 1, headline: 'NEVER PUBLISHED' }, T - 150_000)
  // another story moves the partition's clock past v3's embargo (and ingest's lead): released
  const x = event('CREATED', { id: 'x', version: 1 }, T - 30_000)
  const v4 = event('UPDATED', { id: 'c', version: 4, category: 'sport' }, T - 20_000)
  const h = new Harness({ partitions: 1, start: T, from: [1] })
  h.log[0]?.push(v1, v2, v3, never, x, v4)
  // news.articles: ingest's latest, v2, with what v1 showed (withheld: the newsroom's only)
  const view = { category: 'news', language: 'en', urgency: 5, breaking: false, usableLeftMs: null, withheldLeftMs: 0 }
  h.store.load(0, v2, { views: [view], complete: true })
  for (const offset of [1, 2, 3, 4, 5]) h.store.append(0, offset, h.log[0]?.[offset] as ArticleEvent)
  h.start()
  await h.settle()
  // a reader of news who saw v3 released, and v4 leave its desk, on another instance
  const back = await client(h, { audience: 'public' }, ['category:news'], { since: h.positions.encode({ o: [6], t: T - 15_000 }) })
  h.append(event('WITHDRAWN', { id: 'c', version: 5, category: 'sport', pubStatus: 'canceled' }, T, { reason: 'legal' }))
  await h.settle()
  assert.deepEqual(
    back.t.messages.filter((m) => m.type === 'withdrawn').map((m) => m.articleId),
    ['c'],
  )
})

test("old news of a withheld story read by an instance starting up adds nothing to where the story was seen: a public reader is not told of its kill (mutation: the loaded state's exposure not copied in #replacing)", async () => {
  // v1, v2 withheld are older than history; history holds a tool's usable record numbered 1
  const v1 = event('CREATED', { id: 'c', version: 1, pubStatus: 'withheld' }, T - 5000)
  const v2 = event('UPDATED', { id: 'c', version: 2, pubStatus: 'withheld' }, T - 4000)
  const never = event('UPDATED', { id: 'c', version: 1, headline: 'NEVER PUBLISHED' }, T - 3000)
  const h = new Harness({ partitions: 1, start: T, from: [2] })
  h.log[0]?.push(v1, v2, never)
  h.store.load(0, v2, null)
  h.store.append(0, 2, never)
  h.start()
  await h.settle()
  const reader = await client(h, { audience: 'public' }, [])
  h.append(event('WITHDRAWN', { id: 'c', version: 3, pubStatus: 'canceled' }, T, { reason: 'legal' }))
  await h.settle()
  const named = reader.t.messages.filter((m) => JSON.stringify(m).includes('"c"')).map((m) => m.type)
  assert.deepEqual(named, [], 'the public never saw c: nothing names it')
})

test('a restart over old news of a story under an embargo, then a hold numbered as it, judged again as a hold standing in once the embargo passed: a public reader resuming from the log is told (mutation: Store.#undo leaving the hold marked not taken)', async () => {
  const E = T - 200_000
  const v1 = event('CREATED', { id: 'c', version: 1 }, T - 500_000)
  const v2 = event('UPDATED', { id: 'c', version: 2 }, T - 400_000)
  // a tool's old news, embargoed until E, then its hold numbered as it: old news too while it was latest
  const never = event('UPDATED', { id: 'c', version: 1, headline: 'NEVER PUBLISHED', embargoedUntil: E }, T - 300_000)
  const hold = event('UPDATED', { id: 'c', version: 1, pubStatus: 'withheld' }, T - 250_000, { reason: 'legal' })
  const h = new Harness({ partitions: 1, start: T, from: [2], historySize: 2 })
  h.log[0]?.push(v1, v2, never, hold)
  h.store.load(0, v2, { views: [], complete: false })
  h.store.append(0, 2, never)
  h.store.append(0, 3, hold)
  h.start()
  await h.settle()
  // other stories move both out of memory: a resume from before them reads the log
  for (const id of ['x', 'y', 'z']) h.append(event('CREATED', { id, version: 1 }, T))
  await h.settle()
  const back = await client(h, { audience: 'public' }, [], { since: h.positions.encode({ o: [2], t: T - 350_000 }) })
  const told = back.t.messages.filter((m) => JSON.stringify(m).includes('"c"')).map((m) => m.type)
  assert.deepEqual(told, ['withdrawn'], 'the public reader who had v2 is told it is held')
})

test('a restart over old news that moved a story to another desk lists the story on its own desk again once put back (mutation: Store.#undo leaving the desk index at the old news)', async () => {
  const v1 = event('CREATED', { id: 'c', version: 1 }, T - 5000)
  const v2 = event('UPDATED', { id: 'c', version: 2 }, T - 4000)
  const never = event('UPDATED', { id: 'c', version: 1, category: 'sport', headline: 'NEVER PUBLISHED' }, T - 3000)
  const log = [v1, v2, never]
  const desk = async (h: Harness) =>
    snapshotArticles((await client(h, { audience: 'public' }, ['category:news'])).t.messages).map((a) => `${a.headline} @${a.version}`)
  assert.deepEqual(await desk(await readLive(log)), ['c v2 @2'])
  const h = new Harness({ partitions: 1, start: T, from: [2] })
  h.log[0]?.push(...log)
  h.store.load(0, v2, null)
  h.store.append(0, 2, never)
  h.start()
  await h.settle()
  assert.deepEqual(await desk(h), ['c v2 @2'])
})

test("a restart over old news of a story, then an undecodable record of it: a public reader resuming from before the old news is never sent it (mutation: Store.appendUnreadable taking any undecodable record for the loaded state's own)", async () => {
  const v1 = event('CREATED', { id: 'c', version: 1 }, T - 5000)
  const v2 = event('UPDATED', { id: 'c', version: 2 }, T - 4000)
  const never = event('UPDATED', { id: 'c', version: 1, headline: 'NEVER PUBLISHED' }, T - 3000)
  const h = new Harness({ partitions: 1, start: T, from: [2] })
  h.log[0]?.push(v1, v2)
  // news.articles: v2, ingest's latest (readable); history: the old news, then a record nobody can decode
  h.store.load(0, v2, null)
  h.append(never)
  h.appendUnreadable('c', { kind: 'hold' }, T - 2000)
  h.start()
  await h.settle()
  const back = await client(h, { audience: 'public' }, [], { since: h.positions.encode({ o: [2], t: T - 3500 }) })
  const newsroomView = snapshotArticles((await client(h, newsroom, [])).t.messages).map((a) => a.headline)
  assert.ok(!JSON.stringify(back.t.messages).includes('NEVER PUBLISHED'), 'the old news goes to no reader')
  assert.deepEqual(newsroomView, ['c v2'], 'the hold standing in keeps what v2 showed')
})
