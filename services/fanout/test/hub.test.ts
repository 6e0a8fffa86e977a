// The hub in-process (support/harness.ts): no Kafka, a fake clock, milliseconds per test. The
// core behaviours (live, resume, releases, lanes and gaps, slow clients, falling behind), then the
// eight cases of the outside attack run, each as a named regression.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import type { Conn } from '../src/model.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import { forgePosition as forge } from './support/events.ts'
import { event } from './support/events.ts'
import type { FakeTransport, Message } from './support/harness.ts'

type Ev = Message & {
  event: { article: { id: string; version: number; headline: string } }
  position: string
  embargoed?: boolean
  released?: boolean
}
const events = (ms: Message[]) => ms.filter((m) => m.type === 'event') as Ev[]
const ids = (ms: Message[]) =>
  events(ms).map((m) => `${m.event.article.id}@${m.event.article.version}${m.released ? 'r' : ''}${m.embargoed ? 'e' : ''}`)
const withdrawn = (ms: Message[]) => ms.filter((m) => m.type === 'withdrawn').map((m) => `${m.articleId}:${m.cause}`)
const lastPosition = (ms: Message[]) => [...ms].reverse().find((m) => typeof m.position === 'string')?.position as string

interface SubOptions {
  id?: string
  filter?: Record<string, unknown>
  since?: string | null
  catchUp?: 'all' | 'latest'
}

function subscribe(h: Harness, conn: Conn, channels: string[], o: SubOptions = {}): void {
  h.hub.handle(conn, {
    type: 'subscribe',
    id: o.id ?? 's',
    channels: parseChannels(channels, 's'),
    filter: parseFilter(o.filter ?? (channels.length === 0 ? {} : null), 's'),
    since: o.since ?? null,
    catchUp: o.catchUp ?? 'all',
  })
}

/** A started hub with one client subscribed. */
async function withClient(
  channels: string[],
  who: { audience?: 'public' | 'newsroom'; scope?: AudienceScope; expiresAt?: number | null } = {},
  o: SubOptions = {},
  history = 1000,
) {
  const h = new Harness({ historySize: history })
  h.start()
  const c = h.connect(who.audience ?? 'public', who.scope ?? unrestricted, who.expiresAt ?? null)
  subscribe(h, c.conn, channels, o)
  await h.settle()
  return { h, ...c }
}

/** Drops the client and resumes it from `since` on a new connection. */
async function resume(
  h: Harness,
  old: Conn,
  channels: string[],
  since: string,
  who: { audience?: 'public' | 'newsroom'; scope?: AudienceScope } = {},
  o: SubOptions = {},
) {
  h.hub.conns.remove(old)
  const c = h.connect(who.audience ?? 'public', who.scope ?? unrestricted)
  subscribe(h, c.conn, channels, { ...o, since })
  await h.settle()
  return c
}

const refusedAndReset = (t: FakeTransport) => {
  const types = t.messages.map((m) => m.type)
  assert.equal(types[0], 'error', types.join(','))
  assert.equal(t.messages[0]?.code, 'invalid_position')
  assert.equal(types[1], 'reset', types.join(','))
}

describe('hub (in-process)', () => {
  test('live delivery to matching subscriptions only', async () => {
    const { h, t } = await withClient(['category:news'])
    assert.equal(t.messages[0]?.type, 'subscribed')
    h.append(event('CREATED', { id: 'a', version: 1 }, h.clock.now()))
    h.append(event('CREATED', { id: 'b', version: 1, category: 'sport' }, h.clock.now()))
    await h.settle()
    assert.deepEqual(ids(t.messages), ['a@1'])
  })

  test('an embargo: held from the public, flagged for the newsroom, released to both at its time', async () => {
    const h = new Harness()
    h.start()
    const pub = h.connect()
    const nr = h.connect('newsroom')
    for (const c of [pub, nr]) subscribe(h, c.conn, [])
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

  test("a story put under embargo again: readers held to embargoes are told so in the cause's words, never the record's", async () => {
    const h = new Harness()
    h.start()
    const pub = h.connect()
    const rel = h.connect('newsroom', { categories: null, languages: null, embargo: false })
    for (const c of [pub, rel]) subscribe(h, c.conn, [])
    await h.settle()
    const now = h.clock.now()
    h.append(event('CREATED', { id: 'a', version: 1 }, now))
    // a writer that is not ingest (ingest words only kills): its words belong to the held version
    const words = { reason: 'held until the minister speaks at 14:00' }
    h.append(event('UPDATED', { id: 'a', version: 2, embargoedUntil: now + 60_000 }, now, words))
    await h.settle()
    for (const c of [pub, rel]) {
      assert.deepEqual(withdrawn(c.t.messages), ['a:embargoed'])
      assert.equal(c.t.messages.find((m) => m.type === 'withdrawn')?.reason, 'under embargo again')
      assert.doesNotMatch(JSON.stringify(c.t.messages), /minister/)
    }
  })

  test('resume from memory: exactly what was missed, then live; a release missed while away comes with it', async () => {
    const { h, conn, t } = await withClient([])
    const now = h.clock.now()
    h.append(event('CREATED', { id: 'a', version: 1 }, now))
    await h.settle()
    const since = lastPosition(t.messages)
    h.hub.conns.remove(conn)
    h.append(event('CREATED', { id: 'b', version: 1 }, now))
    h.append(event('CREATED', { id: 'c', version: 1, embargoedUntil: now + 500 }, now))
    h.append(event('UPDATED', { id: 'a', version: 2 }, now))
    await h.tick(1000)
    const back = await resume(h, conn, [], since)
    assert.equal(back.t.messages[0]?.replay, 'memory')
    assert.deepEqual(ids(back.t.messages).sort(), ['a@2', 'b@1', 'c@1'])
    h.append(event('CREATED', { id: 'd', version: 1 }, h.clock.now()))
    await h.settle()
    assert.deepEqual(ids(back.t.messages).at(-1), 'd@1')
  })

  test('resume from the log (older than memory), handed over to memory, then live', async () => {
    const { h, conn, t } = await withClient([], {}, {}, 4)
    const now = h.clock.now()
    h.append(event('CREATED', { id: 'a', version: 1 }, now))
    await h.settle()
    const since = lastPosition(t.messages)
    h.hub.conns.remove(conn)
    for (let i = 0; i < 12; i++) h.append(event('CREATED', { id: `n${i}`, version: 1 }, now))
    await h.settle()
    const back = await resume(h, conn, [], since)
    assert.equal(back.t.messages[0]?.replay, 'kafka')
    assert.equal(ids(back.t.messages).length, 12)
    h.append(event('CREATED', { id: 'live', version: 1 }, now))
    await h.settle()
    assert.equal(ids(back.t.messages).at(-1), 'live@1')
  })

  test('lanes and gaps: a blocked client gets its breaking item, the routine ones it lost are counted in a gap', async () => {
    const { h, conn, t } = await withClient([], {}, {})
    t.backlog = 10 * 1024 * 1024
    const now = h.clock.now()
    for (let i = 0; i < 600; i++) h.append(event('CREATED', { id: `r${i}`, version: 1 }, now))
    h.append(event('CREATED', { id: 'flash', version: 1, urgency: 1 }, now))
    await h.settle()
    t.backlog = 0
    h.hub.drained(conn)
    await h.settle()
    const got = ids(t.messages)
    assert.ok(got.includes('flash@1'), 'the breaking item is kept')
    const gap = t.messages.find((m) => m.type === 'gap') as (Message & { shed: { routine: number } }) | undefined
    assert.ok(gap, 'a gap message says what was lost')
    assert.equal(got.length - 1 + (gap?.shed.routine ?? 0), 600, 'every routine item is either delivered or counted')
  })

  test('a client blocked for longer than FANOUT_SLOW_CLIENT_MS is dropped with 4008', async () => {
    const h = new Harness({ limits: { slowClientMs: 1000 } })
    h.start()
    const c = h.connect()
    subscribe(h, c.conn, [])
    await h.settle()
    c.t.backlog = 10 * 1024 * 1024
    h.append(event('CREATED', { id: 'a', version: 1 }, h.clock.now()))
    await h.settle()
    await h.tick(1500)
    h.append(event('CREATED', { id: 'b', version: 1 }, h.clock.now()))
    await h.settle()
    assert.equal(c.t.closed?.code, 4008)
  })

  test('a burst larger than history: live subscriptions fall behind and replay, missing nothing', async () => {
    const { h, t } = await withClient([], {}, {}, 8)
    const now = h.clock.now()
    for (let i = 0; i < 40; i++) h.append(event('CREATED', { id: `b${i}`, version: 1 }, now))
    await h.settle()
    assert.equal(new Set(ids(t.messages)).size, 40)
  })
})

describe('the outside attack run, as regressions', () => {
  test('1. a forged watermark never releases an embargoed story: memory and log paths, catchUp latest, embargo-limited newsroom', async () => {
    const cases = [
      { history: 1000, catchUp: 'all' as const, who: {} },
      { history: 1000, catchUp: 'latest' as const, who: {} },
      { history: 3, catchUp: 'all' as const, who: {} },
      { history: 3, catchUp: 'latest' as const, who: {} },
      {
        history: 1000,
        catchUp: 'all' as const,
        who: { audience: 'newsroom' as const, scope: { categories: null, languages: null, embargo: false } },
      },
    ]
    for (const c of cases) {
      const { h, conn, t } = await withClient([], c.who, { catchUp: c.catchUp }, c.history)
      const now = h.clock.now()
      h.append(event('CREATED', { id: 'real', version: 1 }, now))
      await h.settle()
      const real = lastPosition(t.messages)
      h.append(event('CREATED', { id: 'secret', version: 1, headline: 'Embargoed headline', embargoedUntil: now + 3_600_000 }, now))
      for (let i = 0; i < 6; i++) h.append(event('CREATED', { id: `n${i}`, version: 1 }, now))
      await h.settle()
      for (const t of [now + 3_600_001, 2 ** 53 - 1]) {
        const back = await resume(h, conn, [], forge(real, { t }), c.who, { catchUp: c.catchUp })
        refusedAndReset(back.t)
        assert.ok(!JSON.stringify(back.t.messages).includes('Embargoed headline'), JSON.stringify(c))
      }
      // and the real position replays without the embargoed story
      const honest = await resume(h, conn, [], real, c.who, { catchUp: c.catchUp })
      assert.ok(!ids(honest.t.messages).some((x) => x.startsWith('secret')), JSON.stringify(c))
    }
  })

  test('2. an absurd or ahead-of-the-log position gets error and reset; no timer past 2^31-1 ms; never stuck', async () => {
    const { h, conn, t } = await withClient([])
    const now = h.clock.now()
    h.append(event('CREATED', { id: 'a', version: 1 }, now))
    await h.settle()
    // signed by the server's own key (another instance), but absurd: refused on its ranges
    const absurd = h.positions.encode({ o: h.store.readTo(), t: 2 ** 53 - 1 })
    const ahead = h.positions.encode({ o: h.log.map((l) => l.length + 1000), t: now })
    for (const since of [absurd, ahead]) {
      const back = await resume(h, conn, [], since)
      refusedAndReset(back.t)
      h.append(event('CREATED', { id: `after-${since.length}`, version: 1 }, h.clock.now()))
      await h.settle()
      assert.ok(
        ids(back.t.messages).some((x) => x.startsWith('after-')),
        'the subscription is live after the reset',
      )
    }
    // the fake clock throws on any delay past 2^31-1 ms: reaching here means none was asked for
    assert.ok(t.messages.length > 0)
  })

  test('3. a kill or withhold accepted just before the embargo but read after the release is retracted', async () => {
    for (const kill of ['withdraw', 'withhold'] as const) {
      for (const before of [2, 30]) {
        const { h, t } = await withClient(['category:news'])
        const now = h.clock.now()
        const at = now + 1000
        h.append(event('CREATED', { id: 'e', version: 1, embargoedUntil: at }, now))
        await h.settle()
        await h.tick(1010)
        assert.deepEqual(ids(t.messages), ['e@1r'], 'released on the server clock')
        // accepted `before` ms before the embargo, read by the fan-out after it
        const accepted = { ingestedAt: at - before, occurredAt: at - before }
        if (kill === 'withdraw')
          h.append(event('WITHDRAWN', { id: 'e', version: 2, pubStatus: 'canceled', embargoedUntil: at }, h.clock.now(), accepted))
        else h.append(event('UPDATED', { id: 'e', version: 2, pubStatus: 'withheld', embargoedUntil: at }, h.clock.now(), accepted))
        await h.settle()
        assert.deepEqual(withdrawn(t.messages), [kill === 'withdraw' ? 'e:withdrawn' : 'e:withheld'], `${kill} ${before} ms before`)
        // at the version that took it down: the SDK refuses older versions that come later (a page answered late)
        assert.equal(t.messages.find((m) => m.type === 'withdrawn')?.version, 2)
      }
    }
  })

  test('4. a newsroom connection closes with 4401 at its token expiry, whatever its transport', async () => {
    const h = new Harness()
    h.start()
    const nr = h.connect('newsroom', unrestricted, h.clock.now() + 2000)
    subscribe(h, nr.conn, ['all'])
    await h.settle()
    await h.tick(1999)
    assert.equal(nr.t.closed, null)
    await h.tick(1)
    assert.deepEqual(nr.t.closed, { code: 4401, reason: 'token expired' })
    h.append(event('CREATED', { id: 'held', version: 1, pubStatus: 'withheld' }, h.clock.now()))
    await h.settle()
    assert.deepEqual(ids(nr.t.messages), [], 'nothing after expiry')
  })

  test('4b. a newsroom connection opened after its token expired (a queued handshake) is closed before anything is sent', async () => {
    const h = new Harness()
    h.append(event('CREATED', { id: 'held', version: 1, pubStatus: 'withheld' }, h.clock.now()))
    h.start()
    await h.settle()
    for (const expiresAt of [h.clock.now(), h.clock.now() - 1]) {
      const nr = h.connect('newsroom', unrestricted, expiresAt)
      assert.deepEqual(nr.t.closed, { code: 4401, reason: 'token expired' })
      assert.equal(nr.conn.closed, true)
      subscribe(h, nr.conn, ['all'])
      await h.settle()
      assert.deepEqual(nr.t.messages, [], "nothing is sent to it, its subscription's answer included")
    }
    assert.equal(h.hub.conns.size, 0)
  })

  test('5. a story that left a filtered view and is then withdrawn is retracted there: channel, filter, language, newsroom desk', async () => {
    const views: {
      channels: string[]
      o?: SubOptions
      who?: { audience: 'newsroom'; scope: AudienceScope }
      move: Record<string, unknown>
    }[] = [
      { channels: ['category:news'], move: { category: 'sport' } },
      { channels: [], o: { filter: { categories: ['news'] } }, move: { category: 'sport' } },
      { channels: ['lang:bn'], move: { language: 'en' } },
      {
        channels: ['all'],
        who: { audience: 'newsroom', scope: { categories: ['news'], languages: null, embargo: true } },
        move: { category: 'sport' },
      },
    ]
    for (const v of views) {
      const { h, t } = await withClient(v.channels, v.who ?? {}, v.o ?? {})
      const now = h.clock.now()
      h.append(event('CREATED', { id: 'x', version: 1, language: 'bn' }, now))
      h.append(event('UPDATED', { id: 'x', version: 2, language: 'bn', ...v.move }, now))
      h.append(event('WITHDRAWN', { id: 'x', version: 3, language: 'bn', ...v.move, pubStatus: 'canceled' }, now))
      await h.settle()
      assert.deepEqual(ids(t.messages), ['x@1'], JSON.stringify(v))
      assert.deepEqual(withdrawn(t.messages), ['x:left', 'x:withdrawn'], JSON.stringify(v))
    }
  })

  test('6. a token valid for 30 days is not closed at once, and is closed when it expires', async () => {
    const h = new Harness()
    h.start()
    const expiresAt = h.clock.now() + 30 * 86_400_000
    const nr = h.connect('newsroom', unrestricted, expiresAt)
    subscribe(h, nr.conn, ['all'])
    await h.settle()
    await h.tick(1000)
    assert.equal(nr.t.closed, null)
    await h.tick(30 * 86_400_000)
    assert.deepEqual(nr.t.closed, { code: 4401, reason: 'token expired' })
  })

  test('7. a replay from the log says nothing to the public about stories that were only ever withheld', async () => {
    const { h, conn, t } = await withClient([], {}, {}, 3)
    const now = h.clock.now()
    h.append(event('CREATED', { id: 'open', version: 1 }, now))
    await h.settle()
    const since = lastPosition(t.messages)
    h.hub.conns.remove(conn)
    h.append(event('CREATED', { id: 'held', version: 1, pubStatus: 'withheld' }, now))
    h.append(event('UPDATED', { id: 'held', version: 2, pubStatus: 'withheld', headline: 'still held' }, now))
    h.append(event('WITHDRAWN', { id: 'held', version: 3, pubStatus: 'canceled' }, now))
    for (let i = 0; i < 6; i++) h.append(event('CREATED', { id: `n${i}`, version: 1 }, now))
    await h.settle()
    const back = await resume(h, conn, [], since)
    assert.equal(back.t.messages[0]?.replay, 'kafka')
    assert.ok(!JSON.stringify(back.t.messages).includes('"held"'), 'no word of the withheld story')
  })

  test('8. the subscribe rate limit sends the replies already queued before closing with 4429', async () => {
    const h = new Harness({ limits: { maxSubscribesPer10s: 3 } })
    h.start()
    const c = h.connect()
    const now = h.clock.now()
    for (let i = 0; i < 4; i++) {
      if (h.hub.conns.overSubscribeRate(c.conn, now)) h.hub.conns.closeAfterFlush(c.conn, 4429, 'too many subscribe messages')
      else subscribe(h, c.conn, ['breaking'], { id: `s${i}` })
    }
    await h.settle()
    assert.deepEqual(
      c.t.messages.map((m) => m.type),
      ['subscribed', 'subscribed', 'subscribed'],
    )
    assert.equal(c.t.closed?.code, 4429)
  })
})
