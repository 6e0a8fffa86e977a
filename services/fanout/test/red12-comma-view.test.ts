// red12 attack run (2026-12-05): one view, two meanings. A filter list item holding a comma
// (`languages: ["bn,en"]`, `categories: ["world,home"]`, as a page passing a `data-language`
// attribute along whole would) is one item over the WebSocket, a tag no story has, so the stream
// carries nothing of it; the page and counts routes take their view from the query string, whose
// comma lists the SDK writes by joining the items, and read it as two, `bn` and `en`. A reader
// whose stream is on the WebSocket then pages in (older(), the SDK's default view: the stream's own)
// stories its stream will never carry, and when one is killed nobody tells it: it keeps showing a
// killed story. Fixed: the WebSocket reads a filter's languages and categories as the query form
// and the token claims do, one tag or slug each, and refuses anything else (`bad_message`, naming
// the field), so a view means one thing on every route; the SDK refuses such options before it
// connects (client test red12-comma-view.test.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import { answerPage } from '../src/http/snapshot.ts'
import { parseClientMessage, ProtocolError } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import type { Message } from './support/harness.ts'
import { lastPosition, withdrawn } from './support/live-story.ts'

const publicAdmission = { audience: 'public' as const, expiresAt: null, reject: null }

/** The page URL as the SDK builds it from the stream's view (client protocol.ts setView). */
function pageUrl(
  view: { channels: readonly string[]; filter: { readonly languages?: readonly string[]; readonly categories?: readonly string[] } },
  at: string | undefined,
): URL {
  const q = new URLSearchParams()
  q.set('channels', view.channels.join(','))
  if (view.filter.languages) q.set('languages', view.filter.languages.join(','))
  if (view.filter.categories) q.set('categories', view.filter.categories.join(','))
  if (at) q.set('at', at)
  return new URL(`http://fanout/v1/snapshot?${q}`)
}

for (const [what, filter, story] of [
  ['languages', { languages: ['bn,en'] }, { language: 'bn' }],
  ['categories', { categories: ['world,home'] }, { category: 'home' }],
] as const) {
  test(`a filter's ${what} item with a comma: every story a page gives the reader is one whose kill its stream tells`, async () => {
    const h = new Harness({ partitions: 1 })
    h.append(event('CREATED', { id: 'paged', version: 1, category: 'world', ...story }, h.clock.now() - 1000))
    h.start()
    await h.settle()

    // the stream, as the SDK sends it over the WebSocket (and websocket.ts reads it)
    const view = { channels: ['breaking', `category:${'category' in story ? story.category : 'world'}`, 'lang:bn'], filter }
    const reader = h.connect('public')
    let refused: ProtocolError | null = null
    try {
      h.hub.handle(reader.conn, parseClientMessage(JSON.stringify({ type: 'subscribe', id: 's1', ...view })))
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      refused = err
      h.hub.sendError(reader.conn, err)
    }
    await h.settle()
    const messages: Message[] = reader.t.messages
    const subscribed = messages.some((m) => m.type === 'subscribed')

    // older() with the stream's own view, from the stream's position
    const paged = subscribed
      ? (
          JSON.parse(answerPage(pageUrl(view, lastPosition(messages)), publicAdmission, h.routeDeps(50))) as { items: ArticleEvent[] }
        ).items.map((e) => e.article.id)
      : []

    h.append(event('WITHDRAWN', { id: 'paged', version: 2, category: 'world', ...story, pubStatus: 'canceled' }, h.clock.now()))
    await h.settle()
    h.hub.stop()

    const told = withdrawn(reader.t.messages).map((w) => w.split(':')[0])
    const untold = paged.filter((id) => !told.includes(id))
    assert.deepEqual(untold, [], `the page gave the reader ${JSON.stringify(paged)}; its stream never told it of the kill`)
    // and the view is refused with a reason, not taken to mean nothing
    assert.equal(refused?.code, 'bad_message', 'the WebSocket took the comma-joined item as a tag no story has')
    assert.match(refused?.message ?? '', new RegExp(`filter\\.${what}`))
    assert.equal(subscribed, false)
  })
}
