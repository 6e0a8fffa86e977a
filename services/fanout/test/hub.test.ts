// The hub in-process (support/harness.ts): no Kafka, a fake clock, milliseconds per test.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { event, Harness } from './support/harness.ts'
import type { Message } from './support/harness.ts'

const events = (ms: Message[]) =>
  ms.filter((m) => m.type === 'event') as (Message & {
    event: { article: { id: string; version: number } }
    position: string
    embargoed?: boolean
    released?: boolean
  })[]
const ids = (ms: Message[]) =>
  events(ms).map((m) => `${m.event.article.id}@${m.event.article.version}${m.released ? 'r' : ''}${m.embargoed ? 'e' : ''}`)

describe('hub (in-process)', () => {
  test('live delivery to matching subscriptions only', async () => {
    const h = new Harness()
    h.start()
    const { conn, t } = h.connect()
    h.hub.handle(conn, {
      type: 'subscribe',
      id: 's',
      channels: [{ name: 'category:news', kind: 'category', value: 'news' }],
      filter: { languages: null, categories: null, maxUrgency: null, tickerFieldsOnly: false, states: null },
      since: null,
      catchUp: 'all',
    })
    await h.settle()
    assert.equal(t.messages[0]?.type, 'subscribed')
    const now = h.clock.now()
    h.append(event('CREATED', { id: 'a', version: 1 }, now))
    h.append(event('CREATED', { id: 'b', version: 1, category: 'sport' }, now))
    await h.settle()
    assert.deepEqual(ids(t.messages), ['a@1'])
  })

  test('an embargoed article: held from the public, flagged for the newsroom, released to both at its time', async () => {
    const h = new Harness()
    h.start()
    const pub = h.connect()
    const nr = h.connect('newsroom')
    for (const c of [pub, nr])
      h.hub.handle(c.conn, {
        type: 'subscribe',
        id: 's',
        channels: [],
        filter: { languages: null, categories: null, maxUrgency: null, tickerFieldsOnly: false, states: null },
        since: null,
        catchUp: 'all',
      })
    await h.settle()
    const now = h.clock.now()
    h.append(event('CREATED', { id: 'e', version: 1, embargoedUntil: now + 2000 }, now))
    await h.settle()
    assert.deepEqual(ids(pub.t.messages), [])
    assert.deepEqual(ids(nr.t.messages), ['e@1e'])
    await h.tick(1999)
    assert.deepEqual(ids(pub.t.messages), [])
    await h.tick(1)
    assert.deepEqual(ids(pub.t.messages), ['e@1r'])
    assert.deepEqual(ids(nr.t.messages), ['e@1e', 'e@1r'])
  })
})
