// red12b attack run (2026-12-05): one secret given twice in INGEST_API_KEYS. The authenticator
// compares the secret with every configured key and kept the last that matched, so a desk's
// read-only key listed again under another name (a copy-paste while adding a key) silently took
// that entry's scopes: `desk:S:read,ops:S:*` made the desk's key a withdraw (and erase) key, and
// its requests were recorded under the other name. Fixed in config.ts: the same secret under two
// entries is refused at start, naming both (never the secret). The same name for two different
// secrets stays allowed: that is how a key is rotated.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadIngestConfig } from '../src/config.ts'

test('the same secret under two entries of INGEST_API_KEYS is refused, naming both entries by their place and not the secret', () => {
  assert.throws(
    () => loadIngestConfig({ INGEST_API_KEYS: 'desk:desk-secret-1:read,ops:desk-secret-1:*' }),
    (err: unknown) => {
      const msg = String(err)
      // by their places in the list (red22c: a field of a malformed entry may be the key)
      assert.match(msg, /entries 1 and 2 have the same key/)
      assert.doesNotMatch(msg, /desk-secret-1/)
      return true
    },
  )
  // rotation: one name, two secrets
  const rotating = loadIngestConfig({ INGEST_API_KEYS: 'cms:old-secret-1:write,cms:new-secret-1:write' })
  assert.deepEqual(
    rotating.apiKeys.map((k) => k.name),
    ['cms', 'cms'],
  )
})

// red13b attack run (2026-12-05), left open there: an entry with a fourth field
// (`desk:secret:read:write`, a scope list split with `:` instead of `+`, or an expiry some other
// system's key format has) was read as its first three, the rest dropped in silence: the operator
// believed in a scope or a limit that did not exist.
test('an INGEST_API_KEYS entry with more than three fields is refused, without the secret in the message', () => {
  for (const entry of ['desk:desk-secret-1:read:write', 'desk:desk-secret-1:write:2026-12-31', 'desk:desk-secret-1:read:']) {
    assert.throws(
      () => loadIngestConfig({ INGEST_API_KEYS: entry }),
      (err: unknown) => {
        const msg = String(err)
        assert.match(msg, /name:key:scope\+scope/)
        assert.doesNotMatch(msg, /desk-secret-1/)
        return true
      },
      entry,
    )
  }
})
