// One table of WebSocket close codes: the server's (services/shared) and the SDK's own copy
// (services/client has no dependencies) must agree, and the protocol document must list them.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { closeCodes as server } from '@newswire/shared'
import { closeCodes as sdk } from '../../services/client/src/close-codes.ts'

/** Codes only the client side knows: 1006 is never sent (a dropped connection), 4000 the SDK sends itself. */
const clientOnly = new Set(['abnormal', 'clientPingTimeout'])

test('the SDK knows every close code the server sends, by the same name and number', () => {
  for (const [name, code] of Object.entries(server)) assert.equal((sdk as Record<string, number>)[name], code, name)
  const extra = Object.keys(sdk).filter((k) => !(k in server))
  assert.deepEqual(extra.sort(), [...clientOnly].sort(), 'codes in the SDK table that the server does not send')
})

test('docs/stream-design.md lists every close code the server sends', () => {
  const doc = readFileSync(new URL('../../docs/stream-design.md', import.meta.url), 'utf8')
  const section = doc.slice(doc.indexOf('## Close codes'))
  for (const [name, code] of Object.entries(server)) assert.ok(section.includes(String(code)), `${name} (${code}) is not documented`)
})
