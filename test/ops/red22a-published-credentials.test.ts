// Credentials this repository publishes (red22a attack run, 2026-12-07): the placeholders of
// deploy/k8s/examples/secret.example.yaml and of the commands in the READMEs and compose.yml are
// read by anyone. Applied or pasted as they are, production took them: the example Secret's
// NEWSROOM_JWT_SECRET signed a newsroom token any reader of the repository could make, which read
// every embargoed story, and its ingest key wrote and killed stories. Each one is refused now.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadFanoutConfig } from '@newswire/fanout'
import { loadIngestConfig } from '@newswire/ingest'
import { filesUnder, repoRoot } from './helpers.ts'

const credentials = [
  'INGEST_API_KEYS',
  'NEWSROOM_JWT_SECRET',
  'FANOUT_POSITION_KEY',
  'FANOUT_POSITION_KEY_PREVIOUS',
  'NEWSROOM_JWT_SECRET_PREVIOUS',
  'KAFKA_SASL_PASSWORD',
] as const
type Credential = (typeof credentials)[number]

// Real-looking secrets: what production accepts (so a refusal below is the value's, not the rest's)
const accepted: Record<string, string> = {
  NODE_ENV: 'production',
  INGEST_API_KEYS: 'cms:Zq3v9LrT0xW7pK2mN8bY4cH6aJ5sD1fG:*',
  NEWSROOM_JWT_SECRET: 'f8Kd02LmQv7Xr1Tz9Wb4Nc6Hy3Js5Pa0',
  FANOUT_POSITION_KEY: 'u4Gt7Rk1Ze9Wq2Lp6Xm0Vb3Nh8Jc5Sd1',
  KAFKA_SSL: 'true',
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'newswire',
  KAFKA_SASL_PASSWORD: 'h7Tq2Vx9Lm4Wz1Kc8Np3Rb6Js0Fd5Gy',
}

/** Every value the shipped files give a credential: `NAME='v'`, `NAME="v"` (commands), `NAME: v` (YAML). */
function publishedValues(): { file: string; name: Credential; value: string }[] {
  const files = [
    'README.md',
    'deploy/docker/Dockerfile',
    ...filesUnder(join(repoRoot, 'deploy'), ['.md', '.yml', '.yaml']),
    ...filesUnder(join(repoRoot, 'services'), ['README.md']),
    ...filesUnder(join(repoRoot, 'docs'), ['.md']),
  ]
  const out: { file: string; name: Credential; value: string }[] = []
  for (const file of new Set(files)) {
    const text = readFileSync(join(repoRoot, file), 'utf8')
    for (const name of credentials) {
      const quoted = new RegExp(`\\b${name}=(['"])(.*?)\\1`, 'g')
      for (const m of text.matchAll(quoted)) out.push({ file, name, value: m[2] as string })
      const yaml = new RegExp(`^\\s*${name}:[ \\t]+(?!\\$\\{)(\\S[^\\n#]*?)\\s*$`, 'gm')
      for (const m of text.matchAll(yaml)) out.push({ file, name, value: m[1] as string })
    }
  }
  return out
}

function load(env: Record<string, string>, name: Credential): void {
  if (name === 'INGEST_API_KEYS') loadIngestConfig(env)
  else loadFanoutConfig(env)
}

test('production accepts real-looking secrets (the control)', () => {
  assert.equal(loadIngestConfig(accepted).production, true)
  assert.equal(loadFanoutConfig(accepted).production, true)
  assert.equal(loadFanoutConfig({ ...accepted, FANOUT_POSITION_KEY_PREVIOUS: 'a7Lq2Wz9Xc4Vb1Nm6Kp3Jh8Gf5Ds0Rt2' }).production, true)
})

test('production refuses every credential value the repository publishes (red22a)', () => {
  const values = publishedValues()
  // the example Secret's three, the README's and compose's commands: a finder that found none would prove nothing
  assert.ok(values.length >= 12, `found ${values.length}: ${JSON.stringify(values)}`)
  for (const name of credentials.filter((n) => !n.endsWith('_PREVIOUS'))) {
    assert.ok(
      values.some((v) => v.name === name && v.file === 'deploy/k8s/examples/secret.example.yaml'),
      `${name} in the example Secret`,
    )
  }
  for (const { file, name, value } of values) {
    assert.throws(
      () => load({ ...accepted, [name]: value }, name),
      (err: Error) => err.message.includes(name) && !err.message.includes(value),
      `${file}: ${name}='${value}' must be refused in production, naming the variable and not echoing the value`,
    )
  }
})

test('the kinds of placeholder a person writes are refused in production, in any case (red22a)', () => {
  for (const value of [
    '<your key here, 32 characters or more>',
    'REPLACE-ME-WITH-A-RANDOM-STRING-OF-32-CHARS',
    'changeme-changeme-changeme-changeme',
    'replace_with_32_or_more_random_characters',
  ]) {
    assert.throws(() => loadFanoutConfig({ ...accepted, NEWSROOM_JWT_SECRET: value }), /NEWSROOM_JWT_SECRET/, value)
    assert.throws(() => loadFanoutConfig({ ...accepted, FANOUT_POSITION_KEY: value }), /FANOUT_POSITION_KEY/, value)
    assert.throws(
      () => loadIngestConfig({ ...accepted, INGEST_API_KEYS: `cms:${value}:write,other:Zq3v9LrT0xW7pK2mN8bY1uE3wQ7rT9y:read` }),
      /INGEST_API_KEYS/,
      value,
    )
  }
  // development keeps working with any of them: the refusal is production's
  assert.equal(loadFanoutConfig({ NEWSROOM_JWT_SECRET: '<32+ random characters>' }).jwtSecret, '<32+ random characters>')
})
