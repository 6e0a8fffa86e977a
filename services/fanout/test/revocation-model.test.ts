// Revoked newsroom tokens (revocations.ts, Connections.revoke) against a reference model: random
// sequences of newsroom readers admitted (their token checked against the list then), opened
// later (a handshake queued through a burst: the list may have changed between), lists replaced
// (rules added and taken out, tokens without `iat`, forged subjects), embargoed stories written and
// the clock moved. The promise: once the list in force names a reader's token, nothing more is
// written to it (it is closed 4401 `token revoked`, or was refused at admission), whatever came
// in between; a reader no list in force named while it was open is not cut.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { closeCodes } from '@newswire/shared'
import fc from 'fast-check'
import type { Credential, Revocations } from '../src/revocations.ts'
import { isRevoked, NO_REVOCATIONS, parseRevocations } from '../src/revocations.ts'
import { event } from './support/events.ts'
import type { FakeTransport } from './support/harness.ts'
import { Harness } from './support/harness.ts'
import { newsroom, subscribe } from './support/live-story.ts'

const T0 = 1_800_000_000_000
const iso = (ms: number) => new Date(ms).toISOString()

const credential: fc.Arbitrary<Credential> = fc.record({
  sub: fc.option(fc.constantFrom('alice', 'bob', 'carol'), { nil: null }),
  issuedAt: fc.option(
    fc.integer({ min: -2, max: 2 }).map((d) => T0 + d * 1000),
    { nil: null },
  ),
  id: fc.option(fc.constantFrom('t1', 't2', 't3'), { nil: null }),
})
const rule = fc.oneof(
  fc
    .tuple(fc.constantFrom('alice', 'bob', 'carol', 'mallory'), fc.integer({ min: -2, max: 2 }))
    .map(([s, d]) => `sub ${s} ${iso(T0 + d * 1000)}`),
  fc.constantFrom('jti t1', 'jti t2', 'jti nobody'),
  fc.integer({ min: -3, max: -1 }).map((d) => `all ${iso(T0 + d * 1000)}`),
)
type Action =
  | { kind: 'admit'; credential: Credential }
  | { kind: 'open' }
  | { kind: 'list'; lines: string[] }
  | { kind: 'story' }
  | { kind: 'tick'; ms: number }
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('admit' as const), credential }),
  fc.constant({ kind: 'open' as const }),
  fc.record({ kind: fc.constant('list' as const), lines: fc.array(rule, { maxLength: 3 }) }),
  fc.constant({ kind: 'story' as const }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 5000 }) }),
)

interface Reader {
  credential: Credential
  t: FakeTransport
  /** Messages it had when a list in force first named its token (null: none did while it was open). */
  namedAt: number | null
}

async function run(actions: Action[]): Promise<void> {
  const h = new Harness({ partitions: 1, start: T0 })
  h.start()
  let list: Revocations = NO_REVOCATIONS
  const waiting: Credential[] = []
  const readers: Reader[] = []
  let stories = 0
  const check = (when: string) => {
    for (const r of readers) {
      if (r.namedAt === null && !r.t.closed && isRevoked(list, r.credential)) r.namedAt = r.t.messages.length
      if (r.namedAt === null) {
        assert.equal(r.t.closed, null, `${when}: ${JSON.stringify(r.credential)} cut, no list in force named it`)
        continue
      }
      assert.deepEqual(r.t.closed, { code: closeCodes.unauthorized, reason: 'token revoked' }, `${when}: ${JSON.stringify(r.credential)}`)
      assert.equal(r.t.messages.length, r.namedAt, `${when}: written to after its token was revoked`)
    }
  }
  for (const [i, a] of actions.entries()) {
    if (a.kind === 'admit') {
      // access.ts: refused (4401, never a connection) when the list in force names it
      if (!isRevoked(list, a.credential)) waiting.push(a.credential)
    } else if (a.kind === 'open') {
      const credential = waiting.shift()
      if (credential === undefined) continue
      const { conn, t } = h.connect(newsroom.audience, newsroom.scope, null, credential)
      const reader: Reader = { credential, t, namedAt: null }
      // opened after a list came to name it: closed before anything was written
      if (isRevoked(list, credential)) reader.namedAt = 0
      readers.push(reader)
      if (!conn.closed) subscribe(h, conn, ['all'])
    } else if (a.kind === 'list') {
      list = parseRevocations(a.lines.join('\n'))
      // the sweep and what was open when it ran: named now, it must be cut now
      for (const r of readers) if (r.namedAt === null && !r.t.closed && isRevoked(list, r.credential)) r.namedAt = r.t.messages.length
      h.hub.conns.revoke(list)
    } else if (a.kind === 'story') {
      stories++
      h.append(event('CREATED', { id: `held-${stories}`, version: 1, embargoedUntil: h.clock.now() + 60_000 }, h.clock.now()))
    } else await h.tick(a.ms)
    await h.settle()
    check(`step ${i} (${a.kind})`)
  }
  h.hub.stop()
}

test('property: no write reaches a reader after the list in force names its token; no reader is cut otherwise', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 25 }), (actions) => run(actions)),
    { numRuns: 150 },
  )
})

test('known run: admitted before the list named it, opened after the sweep', async () => {
  await run([
    { kind: 'admit', credential: { sub: 'alice', issuedAt: T0 - 1000, id: null } },
    { kind: 'list', lines: [`sub alice ${iso(T0)}`] },
    { kind: 'open' },
    { kind: 'story' },
  ])
})
