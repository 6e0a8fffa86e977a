// Where an article has been seen (exposure.ts): a kill reaches every reader who saw the story in
// any of its views. An outside review found the record capped at 32 views, the newest replaced
// past it: a long live story moved across desks and urgencies lost the view a reader saw it in.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { Harness } from './support/harness.ts'
import { event, freshEventIds } from './support/events.ts'
import type { Message } from './support/harness.ts'
import type { Exposure } from '../src/exposure.ts'
import { clearanceBit, expose, exposedView, MAX_VIEWS, seenBy, views } from '../src/exposure.ts'
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

/** A reader: its channel, and a filter on urgency. */
const readerArb = fc.record({
  channel: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 19 }).map((i) => `category:c${i}`) },
    { weight: 1, arbitrary: fc.constantFrom('lang:en', 'lang:bn', 'breaking', null) },
  ),
  maxUrgency: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
  // joins before this step of the story (readers come and go while it moves)
  joins: fc.nat({ max: 120 }),
})
/** One move of the story: a view (category, language, urgency, breaking); sometimes held back and released. */
const moveArb = fc.record({
  // twenty desks: a desk a reader watches may come up only after dozens of other views
  category: fc.integer({ min: 0, max: 19 }).map((i) => `c${i}`),
  language: fc.constantFrom('en', 'bn', 'en-GB'),
  urgency: fc.integer({ min: 1, max: 9 }),
  breaking: fc.boolean(),
  withheld: fc.boolean(),
})

test('property: however many views a story moved through, whoever was shown it hears of its kill', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(readerArb, { minLength: 1, maxLength: 16, size: 'max' }),
      fc.array(moveArb, { minLength: 1, maxLength: 120, size: 'max' }),
      async (readers, moves) => {
        freshEventIds()
        const h = new Harness()
        h.start()
        const at = h.clock.now()
        const joined: { t: ReturnType<Harness['connect']>['t'] }[] = []
        let version = 1
        for (const [step, m] of moves.entries()) {
          for (const r of readers.filter((x) => x.joins === step)) {
            const c = h.connect('public')
            const filter = parseFilter(r.maxUrgency === null ? null : { maxUrgency: r.maxUrgency }, 's')
            const channels = parseChannels(r.channel === null ? [] : [r.channel], 's')
            h.hub.handle(c.conn, { type: 'subscribe', id: 's', channels, filter, since: null, catchUp: 'all' })
            joined.push(c)
          }
          const { withheld, ...view } = m
          const fields = { id: 'story', version: version++, ...view, pubStatus: withheld ? ('withheld' as const) : ('usable' as const) }
          h.append(event(version === 2 ? 'CREATED' : 'UPDATED', fields, at))
          await h.settle()
        }
        h.append(event('WITHDRAWN', { id: 'story', version: version++, category: 'gone', pubStatus: 'canceled' }, at, { reason: 'legal' }))
        await h.settle()
        for (const { t } of joined) {
          const about = (t.messages as Message[]).filter(
            (x) =>
              x.type === 'withdrawn' ||
              (x.type === 'event' && x.event !== undefined) ||
              (x.type === 'subscribed' && Array.isArray(x.snapshot) && x.snapshot.length > 0),
          )
          const shown = about.some((x) => x.type !== 'withdrawn')
          if (shown)
            assert.equal(
              about.at(-1)?.cause,
              'withdrawn',
              `shown the story, not told of its kill: ${about.map((x) => `${x.type}:${String(x.cause)}`).join(', ')}`,
            )
        }
      },
    ),
    // a failing run is long (dozens of moves, many readers): report it as found, seed and path, unshrunk
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 60), endOnFailure: true },
  )
})

test('past MAX_VIEWS views the newest kept one is replaced: the first views are never lost, and at most MAX_VIEWS are kept', () => {
  const exp: Exposure = []
  const view = (i: number) => ({ id: 'a', category: `c${i}`, language: 'en', urgency: 4, breaking: false })
  const total = MAX_VIEWS + 6
  for (let i = 0; i < total; i++) expose(exp, view(i), clearanceBit.public, true)
  assert.equal(MAX_VIEWS, 2048, 'README, Known limits: 1,024 distinct views, each sure and maybe (red24b)')
  assert.equal(views(exp).length, MAX_VIEWS)
  const shownIn = (i: number) => exposedView(exp, 'public', (v) => v.category === `c${i}`, false)
  // the views a long story passed through first stay: their readers hear of the kill
  for (const i of [0, 1, MAX_VIEWS / 2, MAX_VIEWS - 2]) assert.deepEqual(shownIn(i), { view: view(i), sure: true }, `view ${i}`)
  // the newest took the last slot; those in between were replaced
  assert.deepEqual(shownIn(total - 1), { view: view(total - 1), sure: true })
  assert.equal(shownIn(MAX_VIEWS - 1), null)
})

test('a view no clearance saw takes no slot', () => {
  const exp: Exposure = []
  expose(exp, { id: 'a', category: 'x', language: 'en', urgency: 4, breaking: false }, 0, true)
  assert.deepEqual(views(exp), [])
  assert.equal(seenBy(exp), 0)
})

test('a view this instance showed is preferred, and said to be sure, over one some instance only may have shown', () => {
  const exp: Exposure = []
  const a = { id: 'a', category: 'x', language: 'en', urgency: 4, breaking: false }
  const b = { ...a, urgency: 5 }
  expose(exp, a, clearanceBit.public, false)
  expose(exp, b, clearanceBit.public, true)
  assert.deepEqual(
    exposedView(exp, 'public', () => true, true),
    { view: b, sure: true },
  )
  assert.deepEqual(
    exposedView(exp, 'public', () => true, false),
    { view: b, sure: true },
  )
  assert.deepEqual(
    exposedView(exp, 'public', (v) => v.urgency === 4, true),
    { view: a, sure: false },
  )
  assert.equal(
    exposedView(exp, 'public', (v) => v.urgency === 4, false),
    null,
  )
})

test("a reader who saw a story on a desk it has left hears of its kill in the newsroom's words", async () => {
  const h = new Harness()
  h.start()
  const at = h.clock.now()
  const c = h.connect('public')
  h.hub.handle(c.conn, {
    type: 'subscribe',
    id: 's',
    channels: parseChannels(['category:a'], 's'),
    filter: parseFilter(null, 's'),
    since: null,
    catchUp: 'all',
  })
  await h.settle()
  h.append(event('CREATED', { id: 'moved', version: 1, category: 'a' }, at))
  await h.settle()
  h.append(event('UPDATED', { id: 'moved', version: 2, category: 'b' }, at))
  await h.settle()
  h.append(event('WITHDRAWN', { id: 'moved', version: 3, category: 'b', pubStatus: 'canceled' }, at, { reason: 'legal' }))
  await h.settle()
  const about = (c.t.messages as Message[]).filter((m) => m.type === 'event' || m.type === 'withdrawn')
  assert.deepEqual(
    about.map((m) => `${m.type}:${String(m.cause)}:${String(m.reason)}`),
    ['event:undefined:undefined', "withdrawn:left:no longer in this subscription's channels, filter or scope", 'withdrawn:withdrawn:legal'],
  )
})
