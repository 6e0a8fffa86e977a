// Where an article has been seen (exposure.ts): a kill reaches every reader who saw the story in
// any of its views. An outside review found the record capped at 32 views, the newest replaced
// past it: a long live story moved across desks and urgencies lost the view a reader saw it in.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { event } from './support/harness.ts'
import { Harness } from './support/harness.ts'
import type { Message } from './support/harness.ts'
import { expose, views } from '../src/exposure.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'

test('a story moved through 120 views: every reader who saw it in one of them hears of its kill', async () => {
  const h = new Harness()
  h.start()
  const at = h.clock.now()
  let version = 1
  const move = async (category: string, urgency: number) => {
    h.append(event(version === 1 ? 'CREATED' : 'UPDATED', { id: 'long-story', version: version++, category, urgency }, at))
    await h.settle()
  }
  const subscribe = (category: string) => {
    const c = h.connect('public')
    h.hub.handle(c.conn, {
      type: 'subscribe',
      id: 's',
      channels: parseChannels([`category:${category}`], 's'),
      filter: parseFilter(null, 's'),
      since: null,
      catchUp: 'all',
    })
    return c
  }
  // a reader per desk; the story visits each desk at urgencies 3..8 (six views a desk)
  const desks = Array.from({ length: 20 }, (_, i) => `desk${i}`)
  const readers = desks.map(subscribe)
  await h.settle()
  for (const desk of desks) for (let u = 3; u <= 8; u++) await move(desk, u)
  h.append(
    event('WITHDRAWN', { id: 'long-story', version: version++, category: 'elsewhere', pubStatus: 'canceled' }, at, { reason: 'legal' }),
  )
  await h.settle()
  for (const [i, r] of readers.entries()) {
    const types = (r.t.messages as Message[]).map((m) => `${m.type}${m.cause ? `:${m.cause}` : ''}`)
    assert.ok(types.includes('event'), `${desks[i]} saw it: ${types}`)
    // it left every desk but the last before the kill
    if (i < desks.length - 1) assert.ok(types.includes('withdrawn:left'), `${desks[i]} saw it leave: ${types}`)
    assert.equal(types.at(-1), 'withdrawn:withdrawn', `${desks[i]} hears of the kill: ${types.join(', ')}`)
  }
})

test('a view keeps what matching reads, not the version (its text is not held for the article)', () => {
  const e = event('CREATED', { id: 'a', version: 1, category: 'x', urgency: 4, body: ['long text'] }, 0)
  const exp: Parameters<typeof expose>[0] = []
  expose(exp, e.article, 1, true)
  const next = { ...e.article, version: 2 }
  expose(exp, next, 2, true)
  assert.deepEqual(views(exp), [{ id: 'a', category: 'x', language: e.article.language, urgency: 4, breaking: e.article.breaking }])
})
