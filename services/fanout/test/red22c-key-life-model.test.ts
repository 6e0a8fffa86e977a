// red22c attack run (2026-12-07): secrets over their life, as a reference model. (1) What a
// configuration starts with: random environments drawn from strong secrets, the repository's
// published ones (development defaults, the docs' and the example Secret's placeholders), short
// ones, fillers, one secret in two roles, and NODE_ENV spelled every way; the services start
// exactly when the model says, and never put a secret in their refusal. (2) What a key set accepts
// over time: fan-out processes rotating FANOUT_POSITION_KEY on their own (a new key first with the
// old one kept, the old one retired, a restart on another set), readers carrying positions and
// page cursors between them, stale ones and ones forged with a key never configured or altered;
// a position or cursor opens on a process exactly when the key that signed it is in that process's
// set now. The breaches this run found were of (1): every value shown in the repository started the
// services in production (red22c-published-secrets), NODE_ENV=prod ran them on the development
// credentials (red22c-node-env); both fail here without their fixes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_INGEST_KEY, DEV_NEWSROOM_SECRET, DEV_POSITION_KEY } from '@newswire/shared'
import fc from 'fast-check'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'
import { loadIngestConfig } from '../../ingest/src/config.ts'
import { loadFanoutConfig } from '../src/config.ts'
import { PageCursorCodec } from '../src/page-cursor.ts'
import { PositionCodec } from '../src/position.ts'

const RUNS = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 300)

// ---- (1) what a configuration starts with

type Kind = 'strong' | 'published' | 'short' | 'filler'
interface Secret {
  kind: Kind
  value: string
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const strong = fc
  .array(fc.constantFrom(...ALPHABET), { minLength: 32, maxLength: 48 })
  .map((cs) => cs.join(''))
  // a random string of 32 has fewer than 8 distinct characters with probability below 1e-20
  .filter((s) => new Set(s).size >= 8)
  .map((value): Secret => ({ kind: 'strong', value }))
const published = fc
  .constantFrom(
    DEV_INGEST_KEY,
    DEV_NEWSROOM_SECRET,
    DEV_POSITION_KEY,
    'REPLACE-WITH-A-LONG-RANDOM-KEY',
    'REPLACE-WITH-32-OR-MORE-RANDOM-CHARACTERS',
    'REPLACE-WITH-32-OR-MORE-RANDOM-CHARACTERS-TOO',
    '<32+ random characters>',
    '<long random key>',
    'change-me-to-a-secret-of-32-characters',
    `${DEV_NEWSROOM_SECRET}-with-something-after-it`,
  )
  .map((value): Secret => ({ kind: 'published', value }))
const short = fc
  .array(fc.constantFrom(...ALPHABET), { minLength: 16, maxLength: 31 })
  .map((cs) => cs.join(''))
  .filter((s) => new Set(s).size >= 8)
  .map((value): Secret => ({ kind: 'short', value }))
const filler = fc
  .tuple(fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 4 }), fc.integer({ min: 10, max: 20 }))
  .map(([cs, n]): Secret => ({ kind: 'filler', value: cs.join('').repeat(n) }))
const secret = fc.oneof({ arbitrary: strong, weight: 4 }, published, short, filler)

const nodeEnv = fc.constantFrom(undefined, 'development', 'test', 'production', 'production', 'prod', 'Production', 'staging')

interface FanoutEnv {
  nodeEnv: string | undefined
  jwt: Secret
  key: Secret
  previous: Secret | null
}

const fanoutEnv: fc.Arbitrary<FanoutEnv> = fc
  .record({
    nodeEnv,
    jwt: secret,
    key: secret,
    previous: fc.option(secret),
    reuse: fc.constantFrom('none', 'none', 'none', 'key', 'previous'),
  })
  .map(({ nodeEnv, jwt, key, previous, reuse }) => ({
    nodeEnv,
    key,
    previous,
    // one secret in two roles, as an operator pasting one value twice does
    jwt: reuse === 'key' ? key : reuse === 'previous' && previous ? previous : jwt,
  }))

/** The reference: whether the fan-out starts with this environment. */
function fanoutStarts(e: FanoutEnv): boolean {
  if (e.nodeEnv !== undefined && !['development', 'test', 'production'].includes(e.nodeEnv)) return false
  const production = e.nodeEnv === 'production'
  const keys = e.previous ? [e.key, e.previous] : [e.key]
  if (keys.some((k) => k.value === e.jwt.value)) return false
  const all = [e.jwt, ...keys]
  // outside production, only the length of 16 (the development defaults are shorter than 32)
  if (!production) return all.every((s) => s.value.length >= 16)
  return all.every((s) => s.kind === 'strong')
}

function env(e: FanoutEnv): Record<string, string> {
  return {
    ...(e.nodeEnv === undefined ? {} : { NODE_ENV: e.nodeEnv }),
    NEWSROOM_JWT_SECRET: e.jwt.value,
    FANOUT_POSITION_KEY: e.key.value,
    ...(e.previous ? { FANOUT_POSITION_KEY_PREVIOUS: e.previous.value } : {}),
  }
}

function refusal(load: () => unknown): string | null {
  try {
    load()
    return null
  } catch (err) {
    return String(err)
  }
}

/** A refusal may name a development default (it says which); never any other secret. */
const leaks = (err: string, secrets: Secret[]) =>
  secrets.some((s) => ![DEV_INGEST_KEY, DEV_NEWSROOM_SECRET, DEV_POSITION_KEY].includes(s.value) && err.includes(s.value))

test('model: the fan-out starts exactly when its secrets are ones nobody else can know, and never shows one', () => {
  const seen = { started: 0, refused: 0, production: 0 }
  fc.assert(
    fc.property(fanoutEnv, (e) => {
      const err = refusal(() => loadFanoutConfig(env(e)))
      assert.equal(err === null, fanoutStarts(e), err ?? 'started')
      if (err !== null) assert.ok(!leaks(err, [e.jwt, e.key, ...(e.previous ? [e.previous] : [])]), err)
      seen[err === null ? 'started' : 'refused']++
      if (err === null && e.nodeEnv === 'production') seen.production++
    }),
    { numRuns: RUNS * 3, includeErrorInReport: true, ...MODEL_REPLAY },
  )
  if (!MODEL_REPLAY.seed) assert.ok(seen.production > 0 && seen.refused > 0, JSON.stringify(seen))
})

// the runs the model shrank to with the fixes undone (each fails without its own)
test('model, known runs: NODE_ENV=prod with strong secrets; a filler ingest key in production', () => {
  const prod: FanoutEnv = {
    nodeEnv: 'prod',
    key: { kind: 'strong', value: 'AAAAAAAAAAAAAAAAAAAAAAAAA12Ozfag' },
    previous: null,
    jwt: { kind: 'strong', value: 'AAAAAAAAAAAAAAAAAAAAAAAAAJQrlEo4' },
  }
  assert.equal(fanoutStarts(prod), false)
  assert.notEqual(
    refusal(() => loadFanoutConfig(env(prod))),
    null,
    'NODE_ENV=prod ran in development mode',
  )
  assert.notEqual(
    refusal(() => loadIngestConfig({ NODE_ENV: 'production', INGEST_API_KEYS: 'desk0:AAAAAAAAAA:write' })),
    null,
  )
})

test('model: ingest starts exactly when every key is one nobody else can know, and never shows one', () => {
  fc.assert(
    fc.property(nodeEnv, fc.array(secret, { minLength: 1, maxLength: 4 }), (nodeEnv, keys) => {
      const distinct = new Set(keys.map((k) => k.value)).size === keys.length
      const known = nodeEnv === undefined || ['development', 'test', 'production'].includes(nodeEnv)
      const production = nodeEnv === 'production'
      // a key is one run of visible ASCII, as a Bearer header carries it (red22c-key-bytes)
      const sendable = keys.every((k) => /^[\x21-\x7e]+$/.test(k.value))
      const starts = known && distinct && sendable && keys.every((k) => (production ? k.kind === 'strong' : k.value.length >= 8))
      const raw = keys.map((k, i) => `desk${i}:${k.value}:write`).join(',')
      const err = refusal(() => loadIngestConfig({ ...(nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv }), INGEST_API_KEYS: raw }))
      assert.equal(err === null, starts, err ?? 'started')
      if (err !== null) assert.ok(!leaks(err, keys), err)
    }),
    { numRuns: RUNS * 3, includeErrorInReport: true, ...MODEL_REPLAY },
  )
})

// ---- (2) what a key set accepts over time

type Op =
  | { k: 'rotate'; p: number; key: number } // a new key first, the old one kept to verify
  | { k: 'retire'; p: number } // the previous key dropped
  | { k: 'restart'; p: number; keys: number[] } // a process restarted on another set (a misconfigured one too)
  | { k: 'mint'; p: number } // a reader is given a position and a cursor here
  | { k: 'present'; token: number; p: number } // a reader hands one back here
  | { k: 'forge'; key: number; p: number } // one signed with a key nobody configured (or a leaked, retired one)
  | { k: 'alter'; token: number; p: number } // one changed after signing

const PROCESSES = 3
const KEYS = 6
const keyText = (i: number) => `Key${i}-Zr8Lm2Qx7Tv4Wp9Ys3Nd6Hf1Jb5Gc0EaK`

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('rotate' as const), p: fc.nat(PROCESSES - 1), key: fc.nat(KEYS - 1) }),
  fc.record({ k: fc.constant('retire' as const), p: fc.nat(PROCESSES - 1) }),
  fc.record({
    k: fc.constant('restart' as const),
    p: fc.nat(PROCESSES - 1),
    keys: fc.uniqueArray(fc.nat(KEYS - 1), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ k: fc.constant('mint' as const), p: fc.nat(PROCESSES - 1) }),
  fc.record({ k: fc.constant('mint' as const), p: fc.nat(PROCESSES - 1) }),
  fc.record({ k: fc.constant('present' as const), token: fc.nat(20), p: fc.nat(PROCESSES - 1) }),
  fc.record({ k: fc.constant('present' as const), token: fc.nat(20), p: fc.nat(PROCESSES - 1) }),
  fc.record({ k: fc.constant('forge' as const), key: fc.nat(KEYS + 1), p: fc.nat(PROCESSES - 1) }),
  fc.record({ k: fc.constant('alter' as const), token: fc.nat(20), p: fc.nat(PROCESSES - 1) }),
)

interface Minted {
  key: number
  position: string
  cursor: string
}

test('model: a position or page cursor opens on a process exactly when the key that signed it is in that process\u2019s set now', () => {
  const seen = { opened: 0, refused: 0, afterRetire: 0 }
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 10, maxLength: 60 }), (ops) => {
      // the reference: each process's key list (first signs); the implementation: its codecs
      const sets: number[][] = Array.from({ length: PROCESSES }, () => [0])
      const codecs = sets.map((s) => codecsFor(s))
      const minted: Minted[] = []
      const retired = new Set<number>()
      const opens = (p: number, position: string, cursor: string) => {
        const codec = codecs[p] as ReturnType<typeof codecsFor>
        const pos = attempt(() => codec.positions.decode(position))
        const cur = attempt(() => codec.cursors.decode(cursor, 1))
        assert.equal(pos, cur, 'a position and a cursor of one key open alike')
        return pos
      }
      for (const op of ops) {
        const set = sets[op.p] as number[]
        if (op.k === 'rotate' && op.key !== set[0]) sets[op.p] = [op.key, set[0] as number]
        else if (op.k === 'retire' && set.length > 1) {
          retired.add(set[1] as number)
          sets[op.p] = [set[0] as number]
        } else if (op.k === 'restart') sets[op.p] = [...op.keys]
        else if (op.k === 'mint') {
          const c = codecs[op.p] as ReturnType<typeof codecsFor>
          const at = { o: [minted.length], t: 1_000 + minted.length }
          minted.push({
            key: set[0] as number,
            position: c.positions.encode(at),
            cursor: c.cursors.encode({ key: { at: 1, id: `s-${minted.length}` }, ...at }),
          })
        } else if (op.k === 'present' && minted.length > 0) {
          const m = minted[op.token % minted.length] as Minted
          const expected = set.includes(m.key)
          assert.equal(opens(op.p, m.position, m.cursor), expected, JSON.stringify({ op, set, key: m.key }))
          seen[expected ? 'opened' : 'refused']++
          if (retired.has(m.key) && !expected) seen.afterRetire++
        } else if (op.k === 'forge') {
          // KEYS and KEYS + 1 were never configured; below, a key some process may hold or have retired
          const f = codecsFor([op.key])
          const at = { o: [0], t: 5 }
          const expected = set.includes(op.key)
          assert.equal(opens(op.p, f.positions.encode(at), f.cursors.encode({ key: { at: 1, id: 'forged' }, ...at })), expected)
        } else if (op.k === 'alter' && minted.length > 0) {
          const m = minted[op.token % minted.length] as Minted
          assert.equal(opens(op.p, altered(m.position), altered(m.cursor)), false, 'an altered one never opens')
        }
        codecs[op.p] = codecsFor(sets[op.p] as number[])
      }
    }),
    { numRuns: RUNS, includeErrorInReport: true, ...MODEL_REPLAY },
  )
  if (!MODEL_REPLAY.seed) assert.ok(seen.opened > 0 && seen.refused > 0 && seen.afterRetire > 0, JSON.stringify(seen))
})

function codecsFor(keys: readonly number[]) {
  const text = keys.map(keyText)
  return { positions: new PositionCodec(text), cursors: new PageCursorCodec(text) }
}

function attempt(f: () => unknown): boolean {
  try {
    f()
    return true
  } catch {
    return false
  }
}

/** One character of the signed or sealed part changed (in the middle, so base64url padding bits do not hide it). */
function altered(s: string): string {
  const i = Math.floor(s.length / 2)
  const c = s[i] === 'A' ? 'B' : 'A'
  return s.slice(0, i) + c + s.slice(i + 1)
}
