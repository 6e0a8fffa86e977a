// TLS and SASL against a real broker of this test's own (deploy/local/broker-security.ts): a KRaft
// node whose listeners ask for a SASL login (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), in clear on
// 29410 and over TLS on 29412 with a CA made by keytool for it. Real ingest and fan-out processes
// start on it, an article goes from ingest to a WebSocket reader of the fan-out through it; a wrong
// password, an untrusted certificate and production's refusals stop a service at start, saying
// what to fix and never the password.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { caFileOf } from '../deploy/local/broker-security.ts'
import { isolatedSpec, startCluster, stopCluster } from '../deploy/local/broker.ts'
import { http, uniquePrefix } from './helpers.ts'
import { spawnFanout, spawnIngest } from './reliability/support.ts'
import type { Cleanup } from './reliability/support.ts'

const SASL_PORT = 29410 // controller on 29411
const SSL_PORT = 29412
const USER = 'newswire'
const PASSWORD = 'nw-kafka-pass-7Qd2'
const WRONG = 'not-the-password-9Zk4'

function nextEvent(ws: WebSocket, id: string, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { type?: string; event?: { article?: { id?: string } } }
      if (m.type !== 'event' || m.event?.article?.id !== id) return
      ws.off('message', onMessage)
      clearTimeout(timer)
      resolve(m as Record<string, unknown>)
    }
    const timer = setTimeout(() => {
      ws.off('message', onMessage)
      reject(new Error(`no event for ${id} within ${timeoutMs} ms`))
    }, timeoutMs)
    ws.on('message', onMessage)
  })
}

/** Ingest and fan-out on `ingestEnv` / `fanoutEnv`; an article POSTed reaches a public reader. */
async function endToEnd(
  t: Cleanup,
  ingestEnv: Record<string, string>,
  fanoutEnv: Record<string, string>,
  connected: { ingest: string; fanout: string },
): Promise<void> {
  const prefix = uniquePrefix()
  // info: the start-up line says how each connected, and every kafkajs line is there to search for the password
  const ingest = await spawnIngest(t, { KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'info', ...ingestEnv })
  const fanout = await spawnFanout(t, { KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'info', ...fanoutEnv })
  const ws = new WebSocket(`ws://127.0.0.1:${fanout.port}/v1/stream`)
  t.after(() => ws.close())
  await once(ws, 'open')
  ws.send(JSON.stringify({ type: 'subscribe', id: 's1', channels: ['breaking'] }))
  const id = `secure-${Date.now()}`
  const delivered = nextEvent(ws, id, 30_000)
  const res = await http(`${ingest.url}/v1/articles`, {
    method: 'POST',
    json: { id, language: 'en', headline: 'Over a secured link', body: ['Text.'], category: 'national', urgency: 1 },
  })
  assert.equal(res.status, 201, res.text)
  const m = (await delivered) as { event: { type: string } }
  assert.equal(m.event.type, 'CREATED')
  assert.match(ingest.output(), new RegExp(`"kafka":"${connected.ingest}".*"msg":"ingest listening"`))
  assert.match(fanout.output(), new RegExp(`"kafka":"${connected.fanout}"`))
  for (const p of [ingest, fanout]) assert.ok(!p.output().includes(PASSWORD), 'a log line shows the password')
}

/** The process's start-up failure: it exits (no hang) with the output to judge. */
async function startFails(t: Cleanup, service: 'ingest' | 'fanout', env: Record<string, string>): Promise<{ text: string; ms: number }> {
  const t0 = Date.now()
  const spawn = service === 'ingest' ? spawnIngest : spawnFanout
  const err = await spawn(t, { KAFKA_TOPIC_PREFIX: uniquePrefix(), ...env }).then(
    () => assert.fail(`${service} started`),
    (e: unknown) => e,
  )
  assert.ok(err instanceof Error)
  assert.match(err.message, new RegExp(`^${service} exited during start-up`), err.message)
  return { text: err.message, ms: Date.now() - t0 }
}

test('ingest and fan-out through SASL and TLS on a real broker', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'newswire-kafka-security-'))
  const spec = isolatedSpec('kafka-security-test', SASL_PORT, {
    home,
    security: {
      users: [
        { name: 'broker', password: 'broker-pass-4Lm8' },
        { name: USER, password: PASSWORD },
      ],
      sslPort: SSL_PORT,
    },
  })
  await startCluster(spec, { fresh: true, log: () => {} })
  t.after(async () => {
    await stopCluster(spec)
    rmSync(home, { recursive: true, force: true })
  })
  const sasl = (mechanism: string, password = PASSWORD) => ({
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: USER,
    KAFKA_SASL_PASSWORD: password,
  })
  const overSasl = { KAFKA_BROKERS: `127.0.0.1:${SASL_PORT}` }
  const overTls = { KAFKA_BROKERS: `127.0.0.1:${SSL_PORT}`, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: caFileOf(home) }

  await t.test('SASL_PLAINTEXT, SCRAM-SHA-512: published and delivered end to end', async (t) => {
    const connected = `plaintext, SASL scram-sha-512 as ${USER}`
    await endToEnd(
      t,
      { ...overSasl, ...sasl('scram-sha-512') },
      { ...overSasl, ...sasl('scram-sha-512') },
      { ingest: connected, fanout: connected },
    )
  })

  await t.test('SASL_SSL, the CA from KAFKA_SSL_CA_FILE: ingest on SCRAM-SHA-256, fan-out on PLAIN', async (t) => {
    await endToEnd(
      t,
      { ...overTls, ...sasl('scram-sha-256') },
      { ...overTls, ...sasl('plain') },
      {
        ingest: `TLS \\(KAFKA_SSL_CA_FILE\\), SASL scram-sha-256 as ${USER}`,
        fanout: `TLS \\(KAFKA_SSL_CA_FILE\\), SASL plain as ${USER}`,
      },
    )
  })

  await t.test('a wrong password stops either service at start, naming the user and what to check, not the password', async (t) => {
    for (const [service, mechanism] of [
      ['ingest', 'scram-sha-512'],
      ['fanout', 'plain'],
    ] as const) {
      const { text, ms } = await startFails(t, service, { ...overSasl, ...sasl(mechanism, WRONG) })
      assert.match(text, new RegExp(`Kafka at 127\\.0\\.0\\.1:${SASL_PORT} refused the SASL ${mechanism} login of user '${USER}'`))
      assert.match(text, /Check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM/)
      assert.ok(!text.includes(WRONG) && !text.includes(PASSWORD), `${service}'s output shows a password:\n${text}`)
      assert.ok(ms < 30_000, `${service} took ${ms} ms to give up`)
    }
  })

  await t.test('a broker certificate the system CAs do not trust stops ingest at start, pointing at KAFKA_SSL_CA_FILE', async (t) => {
    const { text, ms } = await startFails(t, 'ingest', { ...overTls, KAFKA_SSL_CA_FILE: '', ...sasl('plain') })
    assert.match(text, new RegExp(`the TLS handshake with Kafka at 127\\.0\\.0\\.1:${SSL_PORT} failed: .*self-signed certificate`))
    assert.match(text, /Check that the listener at KAFKA_BROKERS speaks TLS, trust the brokers' CA with KAFKA_SSL_CA_FILE/)
    assert.ok(ms < 45_000, `ingest took ${ms} ms to give up`)
  })

  await t.test('SASL or TLS left unset against a listener that asks for it: a start-up failure that asks after them', async (t) => {
    const noSasl = await startFails(t, 'ingest', overSasl)
    assert.match(
      noSasl.text,
      new RegExp(
        `Kafka at 127\\.0\\.0\\.1:${SASL_PORT} closed the connection before answering: does its listener ask for TLS \\(KAFKA_SSL=true\\) or a SASL login`,
      ),
    )
    const noTls = await startFails(t, 'fanout', { KAFKA_BROKERS: `127.0.0.1:${SSL_PORT}`, ...sasl('plain') })
    assert.match(noTls.text, /closed the connection before answering: does its listener ask for TLS \(KAFKA_SSL=true\)\?/)
    assert.ok(!noTls.text.includes(PASSWORD))
    for (const r of [noSasl, noTls]) assert.ok(r.ms < 45_000, `took ${r.ms} ms to give up`)
  })

  await t.test(
    'production: refuses SASL over plaintext and an unverified certificate before connecting, without the password; starts over TLS',
    async (t) => {
      const production = {
        NODE_ENV: 'production',
        INGEST_API_KEYS: 'cms:Zq3v9LrT0xW7pK2mN8bY4cH6aJ5sD1fG:*',
        INGEST_METRICS_PORT: '0',
      }
      const plain = await startFails(t, 'ingest', { ...production, ...overSasl, ...sasl('plain') })
      assert.match(plain.text, /KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true is refused in production/)
      const unverified = await startFails(t, 'ingest', {
        ...production,
        ...overTls,
        KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
        ...sasl('plain'),
      })
      assert.match(unverified.text, /KAFKA_SSL_REJECT_UNAUTHORIZED=false is refused in production/)
      for (const r of [plain, unverified]) assert.ok(!r.text.includes(PASSWORD))
      // the opt-out is taken: over SASL_PLAINTEXT on a network the operator trusts
      const prefix = uniquePrefix()
      const ingest = await spawnIngest(t, {
        ...production,
        ...overSasl,
        ...sasl('plain'),
        KAFKA_SASL_ALLOW_PLAINTEXT: 'true',
        KAFKA_TOPIC_PREFIX: prefix,
      })
      assert.equal((await http(`${ingest.url}/readyz`, { key: null })).status, 200)
      // what a production deployment runs: TLS with the cluster's CA and SCRAM-SHA-512, and an article written through it
      const secured = await spawnIngest(t, { ...production, ...overTls, ...sasl('scram-sha-512'), KAFKA_TOPIC_PREFIX: uniquePrefix() })
      const res = await http(`${secured.url}/v1/articles`, {
        method: 'POST',
        key: 'Zq3v9LrT0xW7pK2mN8bY4cH6aJ5sD1fG',
        json: { id: `prod-${Date.now()}`, language: 'en', headline: 'Production over TLS', body: ['Text.'] },
      })
      assert.equal(res.status, 201, res.text)
    },
  )
})
