// red22c attack run (2026-12-07): production refused the development credentials and nothing
// else. The example Secret (deploy/k8s/examples/secret.example.yaml) is a valid manifest; applied
// as it is, ingest took `REPLACE-WITH-A-LONG-RANDOM-KEY` as a key with every scope and the fan-out
// `REPLACE-WITH-32-OR-MORE-RANDOM-CHARACTERS` as the newsroom secret: anyone who had read the
// repository minted a newsroom token and was sent the embargoed drafts (and could write, kill and
// erase). Every value the repository shows for a secret is now refused in production, and the
// refusal names the variable, never the value.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { repoRoot } from '../../deploy/local/paths.ts'
import { loadFanoutConfig } from '../../services/fanout/src/config.ts'
import { loadIngestConfig } from '../../services/ingest/src/config.ts'

const SECRET_VARS = [
  'INGEST_API_KEYS',
  'NEWSROOM_JWT_SECRET',
  'FANOUT_POSITION_KEY',
  'FANOUT_POSITION_KEY_PREVIOUS',
  'NEWSROOM_JWT_SECRET_PREVIOUS',
] as const
type SecretVar = (typeof SECRET_VARS)[number]

const DOCS = [
  'README.md',
  'deploy/README.md',
  'deploy/docker/compose.yml',
  'deploy/k8s/examples/secret.example.yaml',
  'services/fanout/README.md',
  'services/ingest/README.md',
]

const exampleSecret = join(repoRoot, 'deploy/k8s/examples/secret.example.yaml')

/** The example Secret's values, as `kubectl apply -f` puts them in the pods' environment. */
function exampleValues(): Record<SecretVar, string> {
  const text = readFileSync(exampleSecret, 'utf8')
  const out: Partial<Record<SecretVar, string>> = {}
  for (const m of text.matchAll(/^ {2}([A-Z_]+): (.+)$/gm)) out[m[1] as SecretVar] = (m[2] as string).trim()
  return out as Record<SecretVar, string>
}

/** Every value the repository's docs and deploy files show for a secret: `VAR='…'`, `VAR: …`. */
function documentedValues(): { name: SecretVar; value: string; where: string }[] {
  const found: { name: SecretVar; value: string; where: string }[] = []
  for (const file of DOCS) {
    const text = readFileSync(join(repoRoot, file), 'utf8')
    for (const name of SECRET_VARS) {
      const re = new RegExp(`\\b${name}(?:=|: )(?:'([^']+)'|([^\\s'\`|,]+))`, 'g')
      for (const m of text.matchAll(re)) {
        const value = (m[1] ?? m[2] ?? '').trim()
        // compose's ${VAR:?…} and a table's variable names are not values
        if (value === '' || value.startsWith('$') || value.startsWith('`')) continue
        found.push({ name, value, where: file })
      }
    }
  }
  return found
}

const good = {
  NODE_ENV: 'production',
  INGEST_API_KEYS: 'cms:k9Qx2LrT7vWm4YpZ8sNd3HfJ6bGc1EaU:*',
  NEWSROOM_JWT_SECRET: 'Zr8Lm2Qx7Tv4Wp9Ys3Nd6Hf1Jb5Gc0EaK',
  FANOUT_POSITION_KEY: 'Pq3Rs8Tu2Vw7Xy1Za6Bc4De9Fg0Hi5JkL',
}

function refusal(name: SecretVar, value: string): string | null {
  const env: Record<string, string> = { ...good, [name]: value }
  try {
    if (name === 'INGEST_API_KEYS') loadIngestConfig(env)
    else loadFanoutConfig(env)
    return null
  } catch (err) {
    return String(err)
  }
}

/** The secret parts of a variable's value: an ingest entry's key, else the whole value. */
function secretsOf(name: SecretVar, value: string): string[] {
  if (name !== 'INGEST_API_KEYS') return [value]
  return value.split(',').map((entry) => entry.split(':')[1] ?? entry)
}

test('production refuses every value the repository shows for a secret, naming the variable and not the value', () => {
  const values = documentedValues()
  const example = exampleValues()
  // the scan finds what is there (a test that found nothing would pass for nothing)
  for (const name of ['INGEST_API_KEYS', 'NEWSROOM_JWT_SECRET', 'FANOUT_POSITION_KEY'] as const) {
    assert.ok(
      values.some((v) => v.name === name && v.value === example[name]),
      `the scan reads the example Secret's ${name}`,
    )
    assert.ok(values.filter((v) => v.name === name).length >= 3, `${name} is shown in several places`)
  }
  for (const { name, value, where } of values) {
    const err = refusal(name, value)
    assert.ok(err !== null, `${where}: production took ${name}=${value}`)
    assert.match(err, new RegExp(name), `${where}: the refusal names ${name}`)
    for (const secret of secretsOf(name, value)) assert.ok(!err.includes(secret), `${where}: the refusal shows the value of ${name}`)
  }
})

test('production refuses short, filler and shared secrets; random ones of 32 characters pass', () => {
  assert.doesNotThrow(() => loadIngestConfig(good))
  assert.doesNotThrow(() => loadFanoutConfig(good))
  // a generated password with symbols, angle brackets included, is not a placeholder
  assert.doesNotThrow(() => loadFanoutConfig({ ...good, NEWSROOM_JWT_SECRET: 'k<9Qx2L>rT7v&Wm4Y#pZ8s<Nd3Hf>J6bG' }))
  const cases: [SecretVar, string, RegExp][] = [
    ['NEWSROOM_JWT_SECRET', 'a-newsroom-secret-of-30-chars!', /NEWSROOM_JWT_SECRET must be at least 32 characters/],
    ['NEWSROOM_JWT_SECRET', 'x'.repeat(64), /NEWSROOM_JWT_SECRET has fewer than 8 distinct characters/],
    ['NEWSROOM_JWT_SECRET', 'DEV-POSITION-KEY-NOT-SECRET-but-longer', /NEWSROOM_JWT_SECRET is a development default/],
    ['NEWSROOM_JWT_SECRET', good.FANOUT_POSITION_KEY, /NEWSROOM_JWT_SECRET must not be a FANOUT_POSITION_KEY/],
    ['FANOUT_POSITION_KEY_PREVIOUS', good.NEWSROOM_JWT_SECRET, /NEWSROOM_JWT_SECRET must not be a FANOUT_POSITION_KEY/],
    ['FANOUT_POSITION_KEY', 'change-me-to-a-secret-of-32-characters', /FANOUT_POSITION_KEY is a placeholder/],
    ['INGEST_API_KEYS', 'cms:password:write', /INGEST_API_KEYS entry 1: its key must be at least 32 characters/],
    ['INGEST_API_KEYS', `cms:${'ab'.repeat(20)}:write`, /INGEST_API_KEYS entry 1: its key has fewer than 8 distinct characters/],
  ]
  for (const [name, value, expected] of cases) {
    const err = refusal(name, value)
    assert.ok(err !== null, `production took ${name}=${value}`)
    assert.match(err, expected)
  }
  // in development the same short values run, as before: only production is held to this
  assert.doesNotThrow(() => loadIngestConfig({ INGEST_API_KEYS: 'cms:password:write' }))
  assert.doesNotThrow(() => loadFanoutConfig({ NEWSROOM_JWT_SECRET: 'a-newsroom-secret-of-30-chars!' }))
})

/** Starts a service's main.ts in production with `env`; its exit code and stderr (null code: still running after 20 s, killed). */
function runMain(service: 'ingest' | 'fanout', env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', `services/${service}/src/main.ts`], {
      cwd: repoRoot,
      // a broker nobody listens on: a process that took the secrets must not reach the shared one
      env: { ...process.env, ...env, KAFKA_BROKERS: '127.0.0.1:9', INGEST_PORT: '0', FANOUT_PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (b: Buffer) => {
      stderr += b.toString('utf8')
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr })
    })
  })
}

test('the example Secret applied as it is: both services refuse to start, naming the variables and not the values', async () => {
  const example = exampleValues()
  const env = { NODE_ENV: 'production', ...example }
  const [ingest, fanout] = await Promise.all([runMain('ingest', env), runMain('fanout', env)])
  assert.equal(ingest.code, 1, `ingest started with the example Secret: ${ingest.stderr}`)
  assert.match(ingest.stderr, /INGEST_API_KEYS entry 1: its key is a placeholder/)
  assert.equal(fanout.code, 1, `the fan-out started with the example Secret: ${fanout.stderr}`)
  assert.match(fanout.stderr, /NEWSROOM_JWT_SECRET is a placeholder/)
  assert.match(fanout.stderr, /FANOUT_POSITION_KEY is a placeholder/)
  for (const name of ['INGEST_API_KEYS', 'NEWSROOM_JWT_SECRET', 'FANOUT_POSITION_KEY'] as const) {
    for (const secret of secretsOf(name, example[name])) {
      assert.ok(!ingest.stderr.includes(secret) && !fanout.stderr.includes(secret), `${name}'s value in a start-up error`)
    }
  }
})
