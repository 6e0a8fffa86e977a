// story:<id> and article:<id> in-process (support/harness.ts): snapshots of a live story and its
// entries, live entries with their editorial controls, the story's own changes taking its entries
// with them, embargo releases by the server's clock, resumes from memory and from the log, and
// the story's entries paged over HTTP. Regressions found by the models: story-regressions.test.ts.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Article, StoryEntry } from '@newswire/shared'
import { unrestricted } from '../src/audience.ts'
import type { Admission } from '../src/http/access.ts'
import { answerEntries } from '../src/http/entries.ts'
import type { RequestError } from '../src/http/snapshot.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import type { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import {
  client,
  entries,
  entryMsgs,
  gone,
  lastPosition,
  newsroom,
  readerAway,
  released,
  setup,
  snapshotEntries,
  subscribe,
  T0,
  withdrawn,
} from './support/live-story.ts'
import type { EntryMsg } from './support/live-story.ts'

describe('story:<id>', () => {
  test('the snapshot holds the story, its pinned entries and its latest N, newest first, and where older ones page from', async () => {
    const { h, story } = await setup()
    story.post('e1', { pinned: true })
    for (let n = 2; n <= 6; n++) story.post(`e${n}`)
    story.post('e7', { pubStatus: 'withheld' })
    await h.settle()
    const { t } = await client(h, {}, ['story:Live-1'], { entries: 3 })
    const sub = t.messages[0] as Message
    assert.equal(sub.type, 'subscribed')
    assert.deepEqual(
      (sub.snapshot as { article: Article }[]).map((e) => e.article.id),
      ['Live-1'],
    )
    assert.deepEqual(snapshotEntries(sub), ['e6@1', 'e5@1', 'e4@1', 'e1@1'])
    assert.equal(sub.entriesMore, 4)
    const nr = await client(h, newsroom, ['story:Live-1'], { entries: 3 })
    assert.deepEqual(snapshotEntries(nr.t.messages[0]), ['e7@1', 'e6@1', 'e5@1', 'e1@1'])
    const all = await client(h, {}, ['story:Live-1'], { entries: 100 })
    assert.deepEqual(snapshotEntries(all.t.messages[0]), ['e6@1', 'e5@1', 'e4@1', 'e3@1', 'e2@1', 'e1@1'])
    assert.equal(all.t.messages[0]?.entriesMore, null)
  })

  test('live: new entries, edits with their correction, deletions; a withheld entry reaches the newsroom only', async () => {
    const { h, story } = await setup()
    const pub = await client(h)
    const nr = await client(h, newsroom)
    story.post('e1')
    story.post('e2', { pubStatus: 'withheld' })
    story.edit('e1', { body: ['fixed'] }, { note: 'the toll was wrong' })
    story.edit('e2', { pubStatus: 'usable' })
    story.edit('e1', { pubStatus: 'withheld' })
    story.edit('e2', {}, { delete: 'legal' })
    await h.settle()
    assert.deepEqual(entries(pub.t.messages), ['e1@1+', 'e1@2', 'e2@2+'])
    assert.deepEqual(gone(pub.t.messages), ['e1:withheld', 'e2:deleted'])
    assert.deepEqual(entries(nr.t.messages), ['e1@1+', 'e2@1+', 'e1@2', 'e2@2', 'e1@3'])
    assert.deepEqual(gone(nr.t.messages), ['e2:deleted'])
    const corrected = entryMsgs(pub.t.messages)[1] as EntryMsg
    assert.deepEqual(corrected.correction, { note: 'the toll was wrong', at: new Date(T0).toISOString() })
    assert.deepEqual(corrected.changedFields, ['body'])
    assert.equal(corrected.storyId, 'Live-1')
    assert.equal(corrected.channel, 'story:Live-1')
    const deleted = pub.t.messages.find((m) => m.type === 'entryWithdrawn' && m.entryId === 'e2') as Message
    assert.equal(deleted.reason, 'legal')
    assert.doesNotMatch(JSON.stringify(entryMsgs(pub.t.messages)), /"article"/, 'entries never carry the story')
  })

  test("an entry put under embargo again: readers held to embargoes are told so in the cause's words, never the record's", async () => {
    const { h, story } = await setup()
    const pub = await client(h)
    const rel = await client(h, released)
    const nr = await client(h, newsroom)
    story.post('e1')
    // a writer that is not ingest (ingest writes no reason on an update): its words belong to the held version
    story.edit('e1', { embargoedUntil: T0 + 60_000 }, { reason: 'held until the minister speaks at 14:00' })
    await h.settle()
    for (const r of [pub, rel]) {
      assert.deepEqual(gone(r.t.messages), ['e1:embargoed'])
      const held = r.t.messages.find((m) => m.type === 'entryWithdrawn') as Message
      assert.equal(held.reason, 'under embargo again')
      assert.doesNotMatch(JSON.stringify(r.t.messages), /minister/)
    }
    assert.deepEqual(entries(nr.t.messages), ['e1@1+', 'e1@2e'])
  })

  test("an entry's own embargo: flagged for the newsroom, released to everyone by the server's clock", async () => {
    const { h, story } = await setup()
    const pub = await client(h)
    const rel = await client(h, released)
    const nr = await client(h, newsroom)
    story.post('e1', { embargoedUntil: T0 + 5000 })
    await h.settle()
    assert.deepEqual(entries(pub.t.messages), [])
    assert.deepEqual(entries(rel.t.messages), [])
    assert.deepEqual(entries(nr.t.messages), ['e1@1+e'])
    await h.tick(4999)
    assert.deepEqual(entries(pub.t.messages), [])
    await h.tick(1)
    assert.deepEqual(entries(pub.t.messages), ['e1@1+r'])
    assert.deepEqual(entries(rel.t.messages), ['e1@1+r'])
    assert.deepEqual(entries(nr.t.messages), ['e1@1+e', 'e1@1r'])
    // a late reader gets it in its snapshot, unflagged
    const late = await client(h, newsroom)
    assert.deepEqual(snapshotEntries(late.t.messages[0]), ['e1@1'])
  })

  test("the story's kill takes every entry with it, for everyone who followed it", async () => {
    const { h, story } = await setup()
    story.post('e1')
    await h.settle()
    const pub = await client(h)
    const nr = await client(h, newsroom)
    story.update({ pubStatus: 'canceled' }, 'WITHDRAWN', 'legal')
    story.post('e2')
    await h.settle()
    assert.deepEqual(withdrawn(pub.t.messages), ['Live-1:withdrawn'])
    assert.deepEqual(withdrawn(nr.t.messages), ['Live-1:withdrawn'])
    assert.deepEqual(entries([...pub.t.messages, ...nr.t.messages]), [])
    const late = await client(h, newsroom)
    assert.deepEqual(snapshotEntries(late.t.messages[0]), [], 'the newsroom keeps the story as killed, without entries')
  })

  test('a story withheld drops its entries; back in view, a reset brings them all, those posted meanwhile too', async () => {
    const { h, story } = await setup()
    story.post('e1')
    await h.settle()
    const pub = await client(h)
    story.update({ pubStatus: 'withheld' }, 'UPDATED', 'lawyers')
    story.post('e2')
    story.edit('e1', { body: ['while withheld'] })
    await h.settle()
    assert.deepEqual(withdrawn(pub.t.messages), ['Live-1:withheld'])
    assert.deepEqual(entries(pub.t.messages), [])
    story.update({ pubStatus: 'usable' })
    await h.settle()
    const reset = pub.t.messages.find((m) => m.type === 'reset') as Message
    assert.ok(reset, 'a reset')
    assert.deepEqual(snapshotEntries(reset), ['e2@1', 'e1@2'])
    assert.equal((reset.snapshot as { article: Article }[])[0]?.article.version, 3)
    story.post('e3')
    await h.settle()
    assert.deepEqual(entries(pub.t.messages), ['e3@1+'])
  })

  test('resume from memory and from the log: exactly the entries missed, judged now', async () => {
    for (const history of [1000, 3]) {
      const { h, story, since } = await readerAway(history)
      story.post('e2')
      story.post('e3', { pubStatus: 'withheld' })
      story.edit('e1', { body: ['edited'] })
      story.post('e4')
      story.edit('e4', {}, { delete: 'wrong' })
      story.post('e5')
      await h.settle()
      const again = await client(h, {}, ['story:Live-1'], { since })
      const sub = again.t.messages[0] as Message
      assert.equal(sub.replay, history === 3 ? 'kafka' : 'memory')
      assert.equal(sub.entries, undefined, 'a resume keeps what the client had')
      assert.deepEqual(entries(again.t.messages), ['e2@1+', 'e1@2', 'e5@1+'], `history ${history}`)
      // e4 came and went while the client was away: told, as anyone who may have seen it
      assert.deepEqual(gone(again.t.messages), ['e4:deleted'], `history ${history}`)
      story.post('e6')
      await h.settle()
      assert.deepEqual(entries(again.t.messages).at(-1), 'e6@1+')
      // catchUp latest: the newest version of each, once
      const latest = await client(h, {}, ['story:Live-1'], { since, catchUp: 'latest' })
      assert.deepEqual(entries(latest.t.messages), ['e2@1+', 'e1@2', 'e5@1+', 'e6@1+'])
    }
  })

  test('a resume after the story came into view is a reset with its entries', async () => {
    const { h, story } = await setup()
    story.update({ pubStatus: 'withheld' })
    story.post('e1')
    await h.settle()
    const first = await client(h)
    assert.deepEqual(first.t.messages[0]?.snapshot, [])
    const since = lastPosition(first.t.messages)
    h.hub.conns.remove(first.conn)
    story.update({ pubStatus: 'usable' })
    await h.settle()
    const again = await client(h, {}, ['story:Live-1'], { since })
    assert.equal(again.t.messages[0]?.type, 'reset')
    assert.deepEqual(snapshotEntries(again.t.messages[0]), ['e1@1'])
  })

  test('a story: channel stands alone; entries is for it only', async () => {
    const { h } = await setup()
    const c = h.connect('public', unrestricted)
    h.hub.handle(c.conn, {
      type: 'subscribe',
      id: 'x',
      channels: parseChannels(['story:Live-1'], 'x'),
      filter: parseFilter(null, 'x'),
      since: null,
      catchUp: 'all',
      entries: 5,
    })
    await h.settle()
    assert.equal(c.t.messages[0]?.type, 'subscribed')
    subscribe(h, c.conn, ['story:Live-1', 'breaking'])
    await h.settle()
    assert.deepEqual(c.t.messages.at(-1)?.code, 'bad_channel')
  })
})

describe('article:<id>', () => {
  test('the article’s versions and corrections, never its entries; the id keeps its case', async () => {
    const { h, story } = await setup()
    const pub = await client(h, {}, ['article:Live-1'])
    const other = await client(h, {}, ['article:live-1'])
    story.post('e1')
    const at = h.clock.now()
    const e = event('UPDATED', { ...story.article, version: 2, body: ['fixed'] }, at, {
      changedFields: ['body', 'corrections'],
      correction: { note: 'a name was misspelt', at },
    })
    h.append(e)
    await h.settle()
    const evs = pub.t.messages.filter((m) => m.type === 'event') as (Message & { event: { correction: unknown } })[]
    assert.equal(evs.length, 1)
    assert.deepEqual(evs[0]?.event.correction, { note: 'a name was misspelt', at: new Date(at).toISOString() })
    assert.equal(entries(pub.t.messages).length, 0)
    assert.equal(other.t.messages.filter((m) => m.type === 'event').length, 0)
  })
})

describe('GET /v1/stories/<id>/entries', () => {
  const page = (h: Harness, who: Pick<Admission, 'audience' | 'scope'>, query: string, id = 'Live-1') =>
    JSON.parse(answerEntries(new URL(`http://fanout/v1/stories/${id}/entries?${query}`), who, h.entriesDeps)) as {
      storyId: string
      items: (StoryEntry & { embargoed?: boolean })[]
      next: number | null
    }
  const ids = (p: { items: StoryEntry[] }) => p.items.map((e) => `${e.id}@${e.version}`)

  test('pages below the snapshot, unpinned only, to the end; with the live stream, every entry once', async () => {
    const { h, story } = await setup()
    story.post('e1', { pinned: true })
    for (let n = 2; n <= 9; n++) story.post(`e${n}`, n === 4 ? { pubStatus: 'withheld' } : {})
    await h.settle()
    const { t } = await client(h, {}, ['story:Live-1'], { entries: 2 })
    const snap = t.messages[0] as Message
    assert.deepEqual(snapshotEntries(snap), ['e9@1', 'e8@1', 'e1@1'])
    // while the reader reads: a new entry (live), an edit of an older one (live), a deletion
    story.post('e10')
    story.edit('e5', { body: ['edited'] })
    story.edit('e6', {}, { delete: 'duplicate' })
    await h.settle()
    const pub = { audience: 'public' as const, scope: unrestricted }
    const got: string[] = [...snapshotEntries(snap)]
    let before = snap.entriesMore as number | null
    while (before !== null) {
      const p = page(h, pub, `before=${before}&limit=2`)
      assert.equal(p.storyId, 'Live-1')
      assert.ok(p.items.every((e) => e.seq < (before as number) && !e.pinned))
      got.push(...ids(p))
      before = p.next
    }
    assert.deepEqual(got, ['e9@1', 'e8@1', 'e1@1', 'e7@1', 'e5@2', 'e3@1', 'e2@1'])
    // edits and deletions of entries below the snapshot come live too: a reader may have paged them
    assert.deepEqual(entries(t.messages), ['e10@1+', 'e5@2'])
    assert.deepEqual(gone(t.messages), ['e6:deleted'])
    // the newsroom pages the withheld one too
    const nr = page(h, newsroom, 'before=5&limit=10')
    assert.deepEqual(ids(nr), ['e4@1', 'e3@1', 'e2@1'])
  })

  test('a story the requester may not see is a 404; bad parameters are 400s', async () => {
    const { h, story } = await setup()
    story.post('e1', { embargoedUntil: T0 + 60_000 })
    await h.settle()
    const pub = { audience: 'public' as const, scope: unrestricted }
    assert.deepEqual(ids(page(h, pub, '')), [])
    assert.deepEqual(
      page(h, newsroom, '').items.map((e) => e.embargoed),
      [true],
    )
    assert.deepEqual(ids(page(h, released, '')), [])
    story.update({ pubStatus: 'withheld' })
    await h.settle()
    assert.throws(
      () => page(h, pub, ''),
      (e: RequestError) => e.status === 404,
    )
    assert.throws(
      () => page(h, pub, '', 'nope'),
      (e: RequestError) => e.status === 404,
    )
    assert.throws(
      () => page(h, { audience: 'newsroom', scope: { categories: ['sport'], languages: null, embargo: true } }, ''),
      (e: RequestError) => e.status === 404,
    )
    assert.equal(ids(page(h, released, '')).length, 0)
    for (const bad of ['before=0', 'before=x', 'limit=101', 'limit=0', 'since=1'])
      assert.throws(
        () => page(h, newsroom, bad),
        (e: RequestError) => e.status === 400,
        bad,
      )
  })
})
