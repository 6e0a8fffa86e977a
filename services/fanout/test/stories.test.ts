// story:<id> and article:<id> in-process (support/harness.ts): snapshots of a live story and its
// entries, live entries with their editorial controls, the story's own changes taking its entries
// with them, embargo releases by the server's clock, resumes from memory and from the log.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Article, StoryEntry } from '@newswire/shared'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import type { Admission } from '../src/http/access.ts'
import { answerEntries } from '../src/http/entries.ts'
import type { RequestError } from '../src/http/snapshot.ts'
import type { Conn } from '../src/model.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { entryEvent, event, Harness } from './support/harness.ts'
import type { Message } from './support/harness.ts'

const T0 = 1_800_000_000_000
type EntryMsg = Message & { entry: StoryEntry; change: string; position: string; embargoed?: boolean; released?: boolean }
const entryMsgs = (ms: Message[]) => ms.filter((m) => m.type === 'entry') as EntryMsg[]
/** `id@version` of each `entry` message, `+` when created, `r` released, `e` embargoed. */
const entries = (ms: Message[]) =>
  entryMsgs(ms).map(
    (m) => `${m.entry.id}@${m.entry.version}${m.change === 'created' ? '+' : ''}${m.released ? 'r' : ''}${m.embargoed ? 'e' : ''}`,
  )
const gone = (ms: Message[]) => ms.filter((m) => m.type === 'entryWithdrawn').map((m) => `${m.entryId}:${m.cause}`)
const withdrawn = (ms: Message[]) => ms.filter((m) => m.type === 'withdrawn').map((m) => `${m.articleId}:${m.cause}`)
const snapshotEntries = (m: Message | undefined) =>
  ((m?.entries ?? []) as (StoryEntry & { embargoed?: boolean })[]).map((e) => `${e.id}@${e.version}${e.embargoed ? 'e' : ''}`)
const lastPosition = (ms: Message[]) => [...ms].reverse().find((m) => typeof m.position === 'string')?.position as string

const newsroom = { audience: 'newsroom' as const, scope: unrestricted }
const released = { audience: 'newsroom' as const, scope: { categories: null, languages: null, embargo: false } }

function subscribe(
  h: Harness,
  conn: Conn,
  channels: string[],
  o: { since?: string; entries?: number; catchUp?: 'all' | 'latest'; filter?: Record<string, unknown> } = {},
) {
  h.hub.handle(conn, {
    type: 'subscribe',
    id: 's',
    channels: parseChannels(channels, 's'),
    filter: parseFilter(o.filter ?? null, 's'),
    since: o.since ?? null,
    catchUp: o.catchUp ?? 'all',
    entries: o.entries ?? null,
  })
}

/** A live story with its events appended as ingest writes them. */
class Story {
  readonly h: Harness
  article: Article
  readonly #entries = new Map<string, StoryEntry>()
  #seq = 0

  constructor(h: Harness, id = 'Live-1', extra: Partial<Article> = {}) {
    this.h = h
    const e = event('CREATED', { id, version: 1, live: true, ...extra }, h.clock.now())
    this.article = e.article
    h.append(e)
  }

  update(change: Partial<Article>, type: 'UPDATED' | 'WITHDRAWN' = 'UPDATED', reason: string | null = null): void {
    const e = event(type, { ...this.article, ...change, version: this.article.version + 1 }, this.h.clock.now(), { reason })
    this.article = e.article
    this.h.append(e)
  }

  post(id: string, extra: Partial<StoryEntry> = {}): void {
    const e = entryEvent(this.article, { id, seq: ++this.#seq, version: 1, ...extra }, this.h.clock.now())
    this.#entries.set(id, e.entry)
    this.h.append(e)
  }

  edit(id: string, change: Partial<StoryEntry>, o: { note?: string; delete?: string } = {}): void {
    const prev = this.#entries.get(id) as StoryEntry
    const at = this.h.clock.now()
    const correction = o.note ? { note: o.note, at } : null
    const next = {
      ...prev,
      ...change,
      version: prev.version + 1,
      corrections: correction ? [...prev.corrections, correction] : prev.corrections,
    }
    if (o.delete !== undefined) next.pubStatus = 'canceled'
    const e = entryEvent(this.article, next, at, {
      type: o.delete !== undefined ? 'ENTRY_DELETED' : 'ENTRY_UPDATED',
      reason: o.delete ?? null,
      correction,
      changedFields: Object.keys(change),
    })
    this.#entries.set(id, e.entry)
    this.h.append(e)
  }
}

async function setup(history = 1000) {
  const h = new Harness({ historySize: history })
  h.start()
  const story = new Story(h)
  await h.settle()
  return { h, story }
}

async function client(
  h: Harness,
  who: { audience?: 'public' | 'newsroom'; scope?: AudienceScope } = {},
  channels = ['story:Live-1'],
  o: Parameters<typeof subscribe>[3] = {},
) {
  const c = h.connect(who.audience ?? 'public', who.scope ?? unrestricted)
  subscribe(h, c.conn, channels, o)
  await h.settle()
  return c
}

/** A story with entry e1 and a public reader of it who went away: where it will resume from. */
async function readerAway(history: number) {
  const { h, story } = await setup(history)
  story.post('e1')
  await h.settle()
  const first = await client(h)
  const since = lastPosition(first.t.messages)
  h.hub.conns.remove(first.conn)
  return { h, story, since }
}

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
    JSON.parse(answerEntries(new URL(`http://fanout/v1/stories/${id}/entries?${query}`), who, h.store)) as {
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

describe('live-story regressions', () => {
  /** The body of a signed position with one field changed, signature kept. */
  const forge = (position: string, change: Record<string, unknown>) => {
    const [prefix, body, mac] = position.split('.')
    const p = JSON.parse(Buffer.from(body as string, 'base64url').toString()) as Record<string, unknown>
    return `${prefix}.${Buffer.from(JSON.stringify({ ...p, ...change })).toString('base64url')}.${mac}`
  }

  test("a forged or far-future watermark never releases an entry's embargo, from memory or the log", async () => {
    for (const history of [1000, 2]) {
      const { h, story } = await setup(history)
      story.post('e1', { embargoedUntil: T0 + 3_600_000, body: ['EMBARGOED-TEXT'] })
      story.post('e2')
      await h.settle()
      const first = await client(h)
      const since = lastPosition(first.t.messages)
      h.hub.conns.remove(first.conn)
      story.post('e3')
      await h.settle()
      for (const position of [forge(since, { t: 2 ** 53 - 1 }), h.positions.encode({ o: [0, 0], t: T0 + 7_200_000 })]) {
        const c = await client(h, {}, ['story:Live-1'], { since: position, catchUp: 'latest' })
        assert.doesNotMatch(JSON.stringify(c.t.messages), /EMBARGOED-TEXT/, `history ${history}`)
      }
      const nr = await client(h, released, ['story:Live-1'], { since })
      assert.doesNotMatch(JSON.stringify(nr.t.messages), /EMBARGOED-TEXT/, 'a token held to embargoes neither')
      await h.tick(3_600_000)
      assert.deepEqual(entries(nr.t.messages).at(-1), 'e1@1+r', 'released at its time, by the server clock')
    }
  })

  test('a deletion reaches a reader who saw the entry before it was withheld', async () => {
    const { h, story } = await setup()
    story.post('e1')
    await h.settle()
    const pub = await client(h)
    story.edit('e1', { pubStatus: 'withheld' })
    story.edit('e1', {}, { delete: 'defamation' })
    await h.settle()
    assert.deepEqual(gone(pub.t.messages), ['e1:withheld', 'e1:deleted'])
  })

  test('an entry version written and replaced while the story was hidden never reaches the public on a resume, from memory or the log', async () => {
    for (const history of [1000, 4]) {
      for (const hide of [{ pubStatus: 'withheld' as const }, { embargoedUntil: T0 + 60_000 }]) {
        const { h, story, since } = await readerAway(history)
        // the desk drafts under embargo (or a hold), corrects the draft, then publishes
        story.update(hide)
        story.post('e2', { body: ['draft: unconfirmed figures'] })
        story.edit('e2', { body: ['confirmed figures'] })
        story.update({ pubStatus: 'usable', embargoedUntil: null })
        await h.settle()
        const again = await client(h, {}, ['story:Live-1'], { since })
        const what = `history ${history}, ${JSON.stringify(hide)}: ${JSON.stringify(again.t.messages.map((m) => m.type))}`
        const shown = [...entries(again.t.messages), ...again.t.messages.flatMap((m) => snapshotEntries(m))]
        assert.ok(!shown.some((e) => e.startsWith('e2@1')), `the draft reached the public: ${shown} (${what})`)
        assert.ok(
          shown.some((e) => e.startsWith('e2@2')),
          `the published version did not: ${shown} (${what})`,
        )
      }
    }
  })

  test('a resume older than memory, the story hidden then shown: a reset brings the entries, never a bare event', async () => {
    const h = new Harness({ historySize: 2 })
    h.start()
    await h.settle()
    const first = await client(h)
    const since = lastPosition(first.t.messages)
    h.hub.conns.remove(first.conn)
    const story = new Story(h, 'Live-1', { pubStatus: 'withheld' })
    for (const id of ['e1', 'e2', 'e3']) story.post(id)
    story.update({ embargoedUntil: T0 + 1000, pubStatus: 'usable' })
    await h.settle()
    const again = await client(h, {}, ['story:Live-1'], { since })
    assert.equal(again.t.messages[0]?.replay, 'kafka')
    await h.tick(1000)
    const reset = again.t.messages.find((m) => m.type === 'reset')
    assert.ok(reset, JSON.stringify(again.t.messages.map((m) => m.type)))
    assert.deepEqual(snapshotEntries(reset), ['e3@1', 'e2@1', 'e1@1'])
    assert.equal(again.t.messages.filter((m) => m.type === 'event').length, 0)
  })

  test("pages follow the reader's filter: a story out of its view is a 404", async () => {
    const { h, story } = await setup()
    story.post('e1')
    await h.settle()
    const q = (filter: string) => new URL(`http://fanout/v1/stories/Live-1/entries?${filter}`)
    const pub = { audience: 'public' as const, scope: unrestricted }
    assert.equal(JSON.parse(answerEntries(q('languages=en'), pub, h.store)).items.length, 1)
    assert.throws(
      () => answerEntries(q('languages=bn'), pub, h.store),
      (e: RequestError) => e.status === 404,
    )
    assert.throws(
      () => answerEntries(q('categories=sport'), pub, h.store),
      (e: RequestError) => e.status === 404,
    )
    assert.throws(
      () => answerEntries(q('states=withheld'), pub, h.store),
      (e: RequestError) => e.status === 400,
    )
  })

  test('a kill of the story reaches its readers after it left their view, and their entries with it', async () => {
    const { h, story } = await setup()
    story.post('e1')
    await h.settle()
    const bn = await client(h, {}, ['story:Live-1'], { filter: { languages: ['en'] } })
    assert.deepEqual(snapshotEntries(bn.t.messages[0]), ['e1@1'])
    story.update({ language: 'bn' })
    story.update({ pubStatus: 'canceled' }, 'WITHDRAWN', 'legal')
    await h.settle()
    assert.deepEqual(withdrawn(bn.t.messages), ['Live-1:left', 'Live-1:withdrawn'])
  })
})
