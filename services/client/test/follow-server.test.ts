// The followers over real transports (fake-server.ts on port 0, real timers), WebSocket and SSE:
// a story page's article and a live story survive dropped connections with nothing missed and
// nothing twice, and older entries page in over HTTP without duplicates.
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { WebSocket } from 'ws'
import { type ArticleUpdate, type ConnectOptions, connect, followArticle, followStory, type StoryEntryUpdate } from '../src/index.ts'
import { FakeNewsServer, waitFor } from './fake-server.ts'
import { storyEntry } from './story-fakes.ts'

const storyEvent = (id: string, version: number, extra: Record<string, unknown> = {}) => ({
  eventId: `${id}-v${version}`,
  type: version === 1 ? ('CREATED' as const) : ('UPDATED' as const),
  article: { id, version, headline: `${id} v${version}`, language: 'bn', live: true },
  ...extra,
})

function connectTo(t: TestContext, server: FakeNewsServer, options: Partial<ConnectOptions> & { channels: string[] }) {
  const client = connect(server.url, { WebSocket, backoff: { minMs: 10, maxMs: 50 }, ...options })
  t.after(() => client.close())
  return client
}

for (const transport of ['websocket', 'sse'] as const) {
  describe(`followers over ${transport}`, () => {
    test('followArticle: updates and the correction across a drop, then the kill', async (t) => {
      const server = await FakeNewsServer.start(t)
      server.publish('article:Bd-1', storyEvent('Bd-1', 1))
      const client = connectTo(t, server, { channels: ['article:Bd-1'], transport })
      const updates: ArticleUpdate[] = []
      const gone: string[] = []
      followArticle(client, 'Bd-1', { update: (u) => updates.push(u), gone: (g) => gone.push(String(g.cause)) })
      await waitFor(() => updates.length === 1, 'the snapshot version')
      server.dropAll()
      const correction = { note: 'সংশোধনী: নিহতের সংখ্যা ভুল ছিল।', at: '2026-01-01T10:00:00.000Z' }
      server.publish('article:Bd-1', storyEvent('Bd-1', 2, { changedFields: ['headline', 'body'], correction }))
      await waitFor(() => updates.length === 2, 'the update made while disconnected')
      server.publishFrame('article:Bd-1', { type: 'withdrawn', articleId: 'Bd-1', reason: 'legal', cause: 'withdrawn' })
      await waitFor(() => gone.length === 1, 'the kill')
      assert.deepEqual(
        updates.map((u) => [u.version, u.snapshot, u.changedFields, u.correction?.note ?? null]),
        [
          [1, true, [], null],
          [2, false, ['headline', 'body'], correction.note],
        ],
      )
      assert.deepEqual(gone, ['withdrawn'])
      assert.equal(server.subscribes.length, 2)
      assert.equal(server.subscribes[1]?.since, 'pos:1')
    })

    test('followStory: entries while disconnected come once, in seq order; older pages merge without duplicates', async (t) => {
      const server = await FakeNewsServer.start(t)
      server.publish('story:Bd-1', storyEvent('Bd-1', 1))
      for (let seq = 1; seq <= 12; seq++) server.publishEntry('Bd-1', storyEntry(`e${seq}`, seq, 1, { pinned: seq === 2 }))
      server.withdrawEntry('Bd-1', 'e5', 2)
      const client = connectTo(t, server, { channels: ['story:Bd-1'], entries: 4, transport })
      const updates: StoryEntryUpdate[] = []
      const story = followStory(client, 'Bd-1', { entry: (u) => updates.push(u) })
      await waitFor(() => story.entries.length === 5, 'the pinned entry and the latest four')
      assert.deepEqual(
        story.entries.map((e) => e.seq),
        [2, 9, 10, 11, 12],
      )
      assert.equal(server.subscribes[0]?.entries, 4)

      server.overlap = 3 // a sloppy server: the last frames again on resume
      server.dropAll()
      server.publishEntry('Bd-1', storyEntry('e13', 13))
      server.publishEntry('Bd-1', storyEntry('e11', 11, 2))
      server.withdrawEntry('Bd-1', 'e10', 2)
      await waitFor(() => story.entries.some((e) => e.id === 'e13') && !story.entries.some((e) => e.id === 'e10'), 'what was missed')
      server.publishEntry('Bd-1', storyEntry('e14', 14))
      await waitFor(() => story.entries.some((e) => e.id === 'e14'), 'live after the resume')

      while (story.hasOlder) await story.older(3)
      // every visible entry once, at its newest version, in seq order: what the server has
      const visible = server.visibleEntries('Bd-1').map((e) => `${e.id}@${e.version}`)
      assert.deepEqual(
        story.entries.map((e) => `${e.id}@${e.version}`),
        visible,
      )
      const live = updates.filter((u) => u.source === 'live').map((u) => `${u.entry.id}@${u.entry.version}`)
      assert.deepEqual(live, ['e13@1', 'e11@2', 'e14@1'])
      assert.equal(new Set(updates.map((u) => `${u.entry.id}@${u.entry.version}`)).size, updates.length, 'nothing twice')
      assert.ok(server.entryRequests.length >= 2)
      assert.equal(server.entryRequests[0]?.url.searchParams.get('before'), '9')
    })
  })
}
