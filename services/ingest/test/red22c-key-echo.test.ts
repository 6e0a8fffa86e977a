// red22c attack run (2026-12-07): ingest's start-up error quoted a malformed INGEST_API_KEYS entry
// whole, masking only what stood between its first two colons. An entry whose name or scopes were
// forgotten (`<key>`, `cms:<key>`, `<key>:*`) or that had a field too many before the key
// (`cms::<key>:write`) put the key in the error, which the process writes to stderr: the
// container's log, kept and read by everyone who reads logs. A key read as a name (`<key>:read:x`,
// the name forgotten, a field too many) was quoted as "the key for '<key>'". Entries are now named
// by their place in the list, never by a field that may be the key.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { repoRoot } from '../../../deploy/local/paths.ts'
import { loadIngestConfig } from '../src/config.ts'

const KEY = 'Zr8Lm2Qx7Tv4Wp9Ys3Nd6Hf1Jb5Gc0EaK'

const slips = [
  KEY, // the name and scopes forgotten
  `cms:${KEY}`, // the scopes forgotten
  `${KEY}:*`, // the name forgotten
  `cms::${KEY}:write`, // a field too many before the key
  `cms:${KEY};write`, // scopes split with the wrong character
  `${KEY}:read:write`, // the name forgotten, scopes split with ':' (read as name, key, scope)
  `${KEY}:wr1te-key-of-some-length:write+fly`, // the key read as the name, an unknown scope
  `cms:ok-key-0123456789:write,${KEY}`, // a second entry without a name
]

test('a malformed INGEST_API_KEYS entry is refused without the key in the message, in development and production', () => {
  for (const raw of slips) {
    for (const mode of ['development', 'production']) {
      assert.throws(
        () => loadIngestConfig({ NODE_ENV: mode, INGEST_API_KEYS: raw }),
        (err: unknown) => {
          const msg = String(err)
          assert.match(msg, /INGEST_API_KEYS/)
          assert.ok(!msg.includes(KEY), `${mode}: the key is in the message for ${raw}: ${msg}`)
          return true
        },
        raw,
      )
    }
  }
})

test('the entry is named by its place in the list', () => {
  assert.throws(() => loadIngestConfig({ INGEST_API_KEYS: `cms:ok-key-0123456789:write,${KEY}` }), /INGEST_API_KEYS entry 2 /)
  assert.throws(() => loadIngestConfig({ INGEST_API_KEYS: 'cms:short:write' }), /INGEST_API_KEYS entry 1: its key is shorter than 8/)
})

test('a real ingest process given a key without its name or scopes: the key is not in what it writes', async () => {
  for (const raw of [KEY, `cms:${KEY}`]) {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'services/ingest/src/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, INGEST_API_KEYS: raw, INGEST_PORT: '0', KAFKA_BROKERS: '127.0.0.1:9', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const keep = (b: Buffer) => {
      out += b.toString('utf8')
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    clearTimeout(timer)
    assert.equal(code, 1, out)
    assert.match(out, /INGEST_API_KEYS entry 1/)
    assert.ok(!out.includes(KEY), `the key in the process's output: ${out}`)
  }
})
