// A kill is final: nothing after it in the log is a version of its story (ledger.ts apply). An
// instance starting up loads the kill from news.articles; only the versions before it (numbered
// as it or lower) give way to history. Found by the mutation campaign (stop 40): the mutant that
// drops `!givesWayToHistory` from Ledger.apply's after-kill check survived every fan-out test, and
// is the right behaviour: a record numbered above a kill whose own record is older than history (a
// writer that is not ingest, after the kill) was taken as the story's next version by a starting
// instance, and the killed story came back with content nobody published, to the public too.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent, EntryEvent, NewswireEvent } from '@newswire/shared'
import { Harness } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { client, newsroom, snapshotArticles, snapshotEntries } from './support/live-story.ts'

const T = 1_800_000_000_000

/** An instance that read `log` live, and one started over it with history from `from` and news.articles holding `loaded`. */
async function both(log: NewswireEvent[], from: number, loaded: ArticleEvent[], loadedEntries: EntryEvent[] = []) {
  const live = new Harness({ partitions: 1, start: T })
  live.start()
  for (const e of log) live.append(e)
  const restarted = new Harness({ partitions: 1, start: T, from: [from] })
  restarted.log[0]?.push(...log)
  for (const s of loaded) restarted.store.load(0, s, null)
  for (const s of loadedEntries) restarted.store.loadEntry(0, s, null)
  for (const [offset, e] of log.entries()) if (offset >= from) restarted.store.append(0, offset, e)
  restarted.start()
  await Promise.all([live.settle(), restarted.settle()])
  return [live, restarted]
}

const shown = async (h: Harness, who: Parameters<typeof client>[1]) =>
  snapshotArticles((await client(h, who, [])).t.messages).map((a) => `${a.headline} @${a.version} (${a.pubStatus})`)

test("a restart over a tool's record numbered above a kill whose own record is older than history keeps the story killed, as the live instance does", async () => {
  const v1 = event('CREATED', { id: 'c', version: 1 }, T - 5000)
  const kill = event('WITHDRAWN', { id: 'c', version: 2, pubStatus: 'canceled' }, T - 4000, { reason: 'legal' })
  const after = event('UPDATED', { id: 'c', version: 3, headline: 'NEVER PUBLISHED' }, T - 3000)
  for (const h of await both([v1, kill, after], 2, [kill])) {
    const at = h.store.from[0] ? 'restarted' : 'live'
    assert.deepEqual(await shown(h, { audience: 'public' }), [], `the public is shown nothing of c (${at})`)
    assert.deepEqual(await shown(h, newsroom), ['c v2 @2 (canceled)'], `the newsroom is shown the kill (${at})`)
    assert.equal(h.store.taken(0, 2), false, `a replay from the log skips the record after the kill (${at})`)
  }
})

test("a restart over a tool's record of an entry numbered above its deletion, whose own record is older than history, keeps the entry deleted, as the live instance does", async () => {
  const story = event('CREATED', { id: 'Live-1', version: 1, live: true }, T - 9000)
  const e1 = entryEvent(story.article, { id: 'e1', seq: 1, version: 1 }, T - 5000)
  const deletion = entryEvent(story.article, { id: 'e1', seq: 1, version: 2, pubStatus: 'canceled' }, T - 4000, { type: 'ENTRY_DELETED' })
  const after = entryEvent(story.article, { id: 'e1', seq: 1, version: 3, body: ['NEVER PUBLISHED'] }, T - 3000)
  for (const h of await both([story, e1, deletion, after], 3, [story], [deletion])) {
    const at = h.store.from[0] ? 'restarted' : 'live'
    for (const who of [{ audience: 'public' as const }, newsroom]) {
      const subscribed = (await client(h, who)).t.messages.find((m) => m.type === 'subscribed')
      assert.deepEqual(snapshotEntries(subscribed), [], `nobody is shown e1 (${at})`)
    }
    assert.equal(h.store.taken(0, 3), false, `a replay from the log skips the record after the deletion (${at})`)
  }
})

// Mutation sweep, fourth batch (ls2): a state loaded from news.articles giving way to any record
// numbered as it or lower once live too (not only while catching up) survived every fan-out unit
// file. A tool's stale record of a story killed before history started, read live after the
// start, brought the story back, its text to the public too.
test("a tool's stale record, read live after a restart, of a story whose kill is older than history revives nothing", async () => {
  const v1 = event('CREATED', { id: 'c', version: 1 }, T - 5000)
  const kill = event('WITHDRAWN', { id: 'c', version: 2, pubStatus: 'canceled' }, T - 4000, { reason: 'legal' })
  const h = new Harness({ partitions: 1, start: T, from: [2] })
  h.log[0]?.push(v1, kill)
  h.store.load(0, kill, null)
  h.start()
  await h.settle()
  h.append(event('UPDATED', { id: 'c', version: 2, headline: 'NEVER PUBLISHED' }, T - 1000), 0)
  await h.settle()
  assert.deepEqual(await shown(h, { audience: 'public' }), [], 'the public is shown nothing of c')
  assert.deepEqual(await shown(h, newsroom), ['c v2 @2 (canceled)'], 'the newsroom sees the kill')
  h.hub.stop()
})
