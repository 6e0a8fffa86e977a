// red22c attack run (2026-12-07): INGEST_API_KEYS took a key no request can present. Fields are
// not trimmed (`cms: <key> :*` holds a key with spaces) and a key may hold any character, but
// `Authorization: Bearer <key>` carries one run of visible characters, and Node reads a header's
// bytes as Latin-1, so a key with a space or a non-ASCII letter (`ключ…`, a Bengali digit, an NFD
// accent) never matched: a rotation to such a key locked the CMS out, silently, while the operator
// believed it in place; two keys that differ only by a space were not twins. Refused at start now,
// by the entry's place (never the key).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { http, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { loadIngestConfig } from '../src/config.ts'

const KEY = 'Zr8Lm2Qx7Tv4Wp9Ys3Nd6Hf1Jb5Gc0EaK'
const unusable = [
  ` ${KEY}`,
  `${KEY} `,
  `Zr8Lm2Qx7 Tv4Wp9Ys3Nd6Hf1Jb5Gc0EaK`,
  `ключ-${KEY}`,
  `${KEY}\u09e6`,
  `cafe\u0301-${KEY}`,
  `${KEY}\t`,
]

test('a key no Authorization header can carry is refused at start, by the entry\u2019s place and not the key', () => {
  for (const key of unusable) {
    for (const NODE_ENV of ['development', 'production']) {
      assert.throws(
        () => loadIngestConfig({ NODE_ENV, INGEST_API_KEYS: `cms:ok-key-Qx7Tv4Wp9Ys3Nd6Hf1Jb5Gc0EaK:write,desk:${key}:write` }),
        (err: unknown) => {
          const msg = String(err)
          assert.match(msg, /INGEST_API_KEYS entry 2: its key has characters an Authorization header cannot carry/)
          assert.ok(!msg.includes(KEY), msg)
          return true
        },
        JSON.stringify(key),
      )
    }
  }
})

test('what was taken before: such a key never authorizes over real HTTP (the reason it is refused)', async (t: TestContext) => {
  const prefix = uniquePrefix()
  // a key of visible ASCII passes and authorizes
  const ingest = await startTestIngest(t, prefix, { INGEST_API_KEYS: `cms:${KEY}:read` })
  assert.equal((await http(`${ingest.url}/v1/articles/nope`, { key: KEY })).status, 404)
  // the spaced and the non-ASCII spellings cannot be sent, or are another key
  assert.equal((await http(`${ingest.url}/v1/articles/nope`, { key: `Zr8Lm2Qx7 Tv4Wp9Ys3Nd6Hf1Jb5Gc0EaK` })).status, 401)
  await assert.rejects(http(`${ingest.url}/v1/articles/nope`, { key: `ключ-${KEY}` }))
})
