// red15 attack run (2026-12-06, a reader's identity changing under its position): a reader is
// shown a story through one token, its token is replaced (it expired: "the client resumes with a
// fresh token from its last position", README; a narrower one; a sign-out to the public view of
// the same page) and it resumes from the last position with the new one. The story is killed. A
// position said nothing of whom it was made for: the resume was served, judged for the new token,
// whose clearance and scope never saw the story, so the kill never reached the client, which
// keeps showing it (an embargoed draft, another desk's story). The other way round (a public
// position in a newsroom resume) the newsroom was never shown the embargoed drafts written before
// the position. A position made for one audience and token scope is now refused (`error`
// `invalid_position`, then a `reset` whose snapshot the client replaces what it shows with) under
// another; a token renewed with the same scope resumes as before.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import { Harness, type Message } from './support/harness.ts'
import { entryEvent, event } from './support/events.ts'
import { lastPosition, shown, subscribe } from './support/live-story.ts'

const T0 = 1_800_000_000_000
const MIN = 60_000

type Who = { audience: 'public' | 'newsroom'; scope: AudienceScope }
const publicReader: Who = { audience: 'public', scope: unrestricted }
const newsroom: Who = { audience: 'newsroom', scope: unrestricted }
const politicsDesk: Who = { audience: 'newsroom', scope: { categories: ['politics'], languages: null, embargo: true } }
const frenchDesk: Who = { audience: 'newsroom', scope: { categories: null, languages: ['fr'], embargo: true } }
const noEmbargo: Who = { audience: 'newsroom', scope: { categories: null, languages: null, embargo: false } }

const resets = (ms: Message[]) => ms.filter((m) => m.type === 'reset')
const names = (ms: Message[], id: string) => ms.some((m) => JSON.stringify(m).includes(id))

async function readerOf(h: Harness, who: Who, channels: string[], since?: string) {
  const c = h.connect(who.audience, who.scope)
  subscribe(h, c.conn, channels, since === undefined ? {} : { since })
  await h.settle()
  return c
}

// the story the wider token was shown and the narrower one may not see
const cases = [
  { from: newsroom, to: publicReader, name: 'newsroom → public', story: { category: 'news', embargoedUntil: T0 + 30 * MIN } },
  { from: newsroom, to: politicsDesk, name: 'newsroom → politics desk', story: { category: 'sport' } },
  { from: newsroom, to: frenchDesk, name: 'newsroom → French', story: { category: 'news', language: 'en' } },
  { from: newsroom, to: noEmbargo, name: 'newsroom → embargo: false', story: { category: 'news', embargoedUntil: T0 + 30 * MIN } },
  { from: politicsDesk, to: publicReader, name: 'politics desk → public', story: { category: 'politics', embargoedUntil: T0 + 30 * MIN } },
] as const

for (const c of cases)
  for (const from of ['subscribed', 'live'] as const)
    test(`a position carried to a narrower token (${c.name}, from ${from}) is not served: the story shown under the wider one is not left running after its kill`, async () => {
      const h = new Harness({ partitions: 1, start: T0 })
      h.start()
      const channels = c.to.audience === 'public' ? ['category:news', 'category:politics'] : ['all']
      if (from === 'subscribed') h.append(event('CREATED', { id: 'draft', version: 1, ...c.story }, h.clock.now()))
      await h.settle()
      const wide = await readerOf(h, c.from, ['all'])
      if (from === 'live') h.append(event('CREATED', { id: 'draft', version: 1, ...c.story }, h.clock.now()))
      await h.settle()
      assert.ok(names(wide.t.messages, 'draft'), 'the wider token is shown the story')
      const since = lastPosition(wide.t.messages)
      h.hub.conns.remove(wide.conn)

      // the token is replaced; the story is killed
      const narrow = await readerOf(h, c.to, channels, since)
      h.clock.advance(1000)
      h.append(event('WITHDRAWN', { id: 'draft', version: 2, ...c.story, pubStatus: 'canceled' }, h.clock.now(), { reason: 'legal' }))
      await h.tick(1000)
      h.hub.stop()
      const ms = narrow.t.messages
      assert.ok(
        resets(ms).length === 1,
        `the resume is refused with a reset, so the client replaces what the wider token showed it: ${JSON.stringify(ms.map((m) => m.type))}`,
      )
      assert.ok(!names(ms, 'draft'), `nothing of a story the narrower token may not see: ${JSON.stringify(ms)}`)
    })

test('a public position in a newsroom resume is not served: the newsroom is shown the embargoed drafts written before it', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  h.append(event('CREATED', { id: 'draft', version: 1, category: 'news', embargoedUntil: T0 + 30 * MIN }, h.clock.now()))
  await h.settle()
  const pub = await readerOf(h, publicReader, ['category:news'])
  assert.deepEqual(shown(pub.t.messages), [])
  const since = lastPosition(pub.t.messages)
  h.hub.conns.remove(pub.conn)

  const editor = await readerOf(h, newsroom, ['category:news'], since)
  h.hub.stop()
  const ms = editor.t.messages
  assert.equal(resets(ms).length, 1, JSON.stringify(ms.map((m) => m.type)))
  assert.ok(names(resets(ms), 'draft'), `the reset's snapshot holds the embargoed draft: ${JSON.stringify(ms)}`)
})

test('a token renewed with the same audience and scope resumes from its position (no reset), and so does a position made before positions named their audience', async () => {
  for (const who of [publicReader, newsroom, politicsDesk]) {
    const h = new Harness({ partitions: 1, start: T0 })
    h.start()
    const channels = who.audience === 'public' ? ['category:politics'] : ['all']
    h.append(event('CREATED', { id: 'one', version: 1, category: 'politics' }, h.clock.now()))
    await h.settle()
    const first = await readerOf(h, who, channels)
    const since = lastPosition(first.t.messages)
    h.hub.conns.remove(first.conn)
    h.append(event('CREATED', { id: 'two', version: 1, category: 'politics' }, h.clock.now()))
    await h.settle()
    // another connection with the same scope (a renewed token: another `exp`)
    const again = await readerOf(h, who, channels, since)
    assert.deepEqual(resets(again.t.messages), [], `${who.audience}: ${JSON.stringify(again.t.messages)}`)
    assert.deepEqual(shown(again.t.messages), ['two'])
    // a position without `a` (signed before this version: forgePosition keeps the MAC, so re-sign it)
    const legacy = h.positions.encode({ o: [0], t: T0 })
    const old = await readerOf(h, who, channels, legacy)
    h.hub.stop()
    assert.deepEqual(resets(old.t.messages), [], `${who.audience}, legacy: ${JSON.stringify(old.t.messages)}`)
    assert.deepEqual(shown(old.t.messages).sort(), ['one', 'two'])
  }
})

// Live passes sign one place in the stream for readers of every clearance and scope: each reader's
// messages carry a position made for it (frames are shared per audience, not per clearance), so
// every position it is sent resumes for it, on every path.
test('every position a reader is sent resumes for that reader: live, releases, replays and story: messages, readers of one clearance with other scopes', async () => {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  const live = event('CREATED', { id: 'Live-p', version: 1, category: 'politics', live: true }, h.clock.now())
  h.append(live)
  await h.settle()
  const readers = [newsroom, politicsDesk, politicsDesk, noEmbargo, publicReader].flatMap((who) =>
    [['category:politics'], ['story:Live-p']].map((channels) => ({ who, channels, c: h.connect(who.audience, who.scope) })),
  )
  const opts = (r: { channels: string[] }, since?: string) => ({
    ...(r.channels[0]?.startsWith('story:') ? { entries: 5 } : {}),
    ...(since === undefined ? {} : { since }),
  })
  for (const r of readers) subscribe(h, r.c.conn, r.channels, opts(r))
  await h.settle()
  const messages = (r: (typeof readers)[number]) => r.c.t.messages.filter((m) => m.type !== 'subscribed')
  // live, an embargo's release, entries
  h.append(event('CREATED', { id: 'p1', version: 1, category: 'politics' }, h.clock.now()))
  h.append(event('CREATED', { id: 'p2', version: 1, category: 'politics', embargoedUntil: T0 + MIN }, h.clock.now()))
  const v2 = event('UPDATED', { id: 'Live-p', version: 2, category: 'politics', live: true, headline: 'Later' }, h.clock.now())
  h.append(v2)
  h.append(entryEvent(v2.article, { id: 'e1', seq: 1, version: 1 }, h.clock.now()))
  await h.tick(MIN)
  for (const r of readers) assert.ok(messages(r).length > 0, `${JSON.stringify(r.who)} ${r.channels}: sent something`)
  const back = readers.map((r) => {
    const c = h.connect(r.who.audience, r.who.scope)
    subscribe(h, c.conn, r.channels, opts(r, lastPosition(messages(r))))
    return { r, c }
  })
  await h.settle()
  // a replay: more for each, then each resumes from what the replay sent it
  const since = back.map(({ c }) => lastPosition(c.t.messages))
  for (const { c } of back) h.hub.conns.remove(c.conn)
  h.append(event('UPDATED', { id: 'p1', version: 2, category: 'politics', headline: 'p1 again' }, h.clock.now()))
  const v3 = event('UPDATED', { id: 'Live-p', version: 3, category: 'politics', live: true, headline: 'Later still' }, h.clock.now())
  h.append(v3)
  h.append(entryEvent(v3.article, { id: 'e2', seq: 2, version: 1 }, h.clock.now()))
  await h.settle()
  const replayed = back.map(({ r }, i) => {
    const c = h.connect(r.who.audience, r.who.scope)
    subscribe(h, c.conn, r.channels, opts(r, since[i]))
    return { r, c }
  })
  await h.settle()
  const again = replayed.map(({ r, c }) => {
    const d = h.connect(r.who.audience, r.who.scope)
    subscribe(h, d.conn, r.channels, opts(r, lastPosition(c.t.messages)))
    return { r, d }
  })
  await h.settle()
  h.hub.stop()
  for (const { r, c } of [...back, ...replayed, ...again.map(({ r, d }) => ({ r, c: d }))])
    assert.deepEqual(
      c.t.messages.filter((m) => m.type === 'reset' || m.type === 'error'),
      [],
      `${JSON.stringify(r.who)} ${r.channels}: resumed from its own position`,
    )
})
