// KAFKA_SSL* and KAFKA_SASL_*: what is taken, what is refused (and that the refusal says why
// without the password), and the start-up errors a failed login or TLS handshake becomes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { inspect } from 'node:util'
import {
  describeKafkaSecurity,
  EnvReader,
  isNewswireError,
  kafkaConnectProblem,
  kafkaSecurityFromEnv,
  readCommon,
  readKafkaSecurity,
} from '@newswire/shared'
import type { Env, KafkaConfig, ReadText } from '@newswire/shared'
import { pino } from 'pino'
import { CA_PEM } from './support/test-ca.ts'

const PASSWORD = 'S3cret-kafka-Pa55word-zq'

const files: Record<string, string> = {
  '/ca.pem': CA_PEM,
  '/junk.pem': 'not a certificate\n',
  '/broken.pem': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
}
const readText: ReadText = (path) => {
  const text = files[path]
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
  return text
}

function read(env: Env, production = false): { security: ReturnType<typeof readKafkaSecurity>; problems: string[] } {
  const r = new EnvReader(env)
  const security = readKafkaSecurity(r, production, readText)
  return { security, problems: r.problems }
}

function refused(env: Env, production: boolean, pattern: RegExp): void {
  const { problems } = read(env, production)
  assert.ok(
    problems.some((p) => pattern.test(p)),
    `expected a problem matching ${pattern}, got ${JSON.stringify(problems)}`,
  )
  for (const p of problems) assert.ok(!p.includes(PASSWORD), `a problem shows the password: ${p}`)
}

const sasl = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'newswire', KAFKA_SASL_PASSWORD: PASSWORD }

test('nothing set: plaintext, no SASL, as before', () => {
  assert.deepEqual(read({}), { security: {}, problems: [] })
  assert.deepEqual(read({ KAFKA_SSL: 'false' }), { security: {}, problems: [] })
})

test('TLS: system CAs by default, a CA file read and checked once, certificates verified unless told', () => {
  assert.deepEqual(read({ KAFKA_SSL: 'true' }).security, { ssl: { rejectUnauthorized: true } })
  const withCa = read({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/ca.pem' })
  assert.deepEqual(withCa.problems, [])
  assert.equal(withCa.security.ssl?.ca?.length, 1)
  assert.match(withCa.security.ssl?.ca?.[0] ?? '', /^-----BEGIN CERTIFICATE-----/)
  assert.deepEqual(read({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }).security, { ssl: { rejectUnauthorized: false } })
  assert.deepEqual(read({ KAFKA_SSL: 'true' }, true).problems, [])
})

test('a CA file that is missing, not PEM or not a certificate is refused, naming the file', () => {
  refused({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nowhere.pem' }, false, /^KAFKA_SSL_CA_FILE=\/nowhere\.pem does not exist$/)
  refused({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/junk.pem' }, false, /KAFKA_SSL_CA_FILE=\/junk\.pem holds no PEM certificate/)
  refused({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/broken.pem' }, false, /certificate 1 is not a valid X\.509 certificate/)
})

test('TLS settings without KAFKA_SSL=true are refused (they would be ignored, the link in clear)', () => {
  refused({ KAFKA_SSL_CA_FILE: '/ca.pem' }, false, /KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true/)
  refused(
    { KAFKA_SSL: 'no', KAFKA_SSL_REJECT_UNAUTHORIZED: 'true' },
    false,
    /KAFKA_SSL_REJECT_UNAUTHORIZED is set but KAFKA_SSL is not true/,
  )
  refused({ KAFKA_SSL: 'maybe' }, false, /KAFKA_SSL must be true or false/)
})

test('production refuses KAFKA_SSL_REJECT_UNAUTHORIZED=false; development takes it', () => {
  refused(
    { KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' },
    true,
    /KAFKA_SSL_REJECT_UNAUTHORIZED=false is refused in production/,
  )
  assert.deepEqual(read({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }).problems, [])
})

test('SASL: each mechanism, in either case; the password as given', () => {
  for (const m of ['plain', 'scram-sha-256', 'SCRAM-SHA-512']) {
    const { security, problems } = read({ ...sasl, KAFKA_SASL_MECHANISM: m, KAFKA_SASL_PASSWORD: ` ${PASSWORD} ` })
    assert.deepEqual(problems, [])
    assert.equal(security.sasl?.mechanism, m.toLowerCase())
    assert.equal(security.sasl?.username, 'newswire')
    assert.equal(security.sasl?.password, ` ${PASSWORD} `)
  }
})

test('SASL: bad combinations are refused, each named, the password never', () => {
  refused({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: PASSWORD }, false, /^KAFKA_SASL_MECHANISM=plain needs KAFKA_SASL_USERNAME$/)
  refused({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, false, /^KAFKA_SASL_MECHANISM=plain needs KAFKA_SASL_PASSWORD$/)
  refused({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD }, false, /KAFKA_SASL_USERNAME is set but KAFKA_SASL_MECHANISM is not/)
  refused({ KAFKA_SASL_PASSWORD: PASSWORD }, false, /KAFKA_SASL_PASSWORD is set but KAFKA_SASL_MECHANISM is not/)
  refused(
    { ...sasl, KAFKA_SASL_MECHANISM: 'gssapi' },
    false,
    /KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512, got 'gssapi'/,
  )
  assert.equal(read({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }).security.sasl, undefined)
})

test('production refuses SASL over plaintext unless KAFKA_SASL_ALLOW_PLAINTEXT=true; over TLS it is taken', () => {
  refused(sasl, true, /KAFKA_SASL_MECHANISM=scram-sha-512 without KAFKA_SSL=true is refused in production/)
  refused({ ...sasl, KAFKA_SASL_MECHANISM: 'plain' }, true, /with plain the password\) would cross the network in clear/)
  assert.deepEqual(read({ ...sasl, KAFKA_SASL_ALLOW_PLAINTEXT: 'true' }, true).problems, [])
  assert.deepEqual(read({ ...sasl, KAFKA_SSL: 'true' }, true).problems, [])
  assert.deepEqual(read(sasl, false).problems, [])
  refused({ ...sasl, KAFKA_SASL_ALLOW_PLAINTEXT: 'sure' }, false, /KAFKA_SASL_ALLOW_PLAINTEXT must be true or false/)
})

test("production refuses the example Secret's placeholder and the development defaults as the Kafka password", () => {
  for (const pw of ['REPLACE-WITH-THE-KAFKA-PASSWORD', 'change-me', 'dev-ingest-key']) {
    const { problems } = read({ ...sasl, KAFKA_SSL: 'true', KAFKA_SASL_PASSWORD: pw }, true)
    assert.equal(problems.length, 1, JSON.stringify(problems))
    assert.match(problems[0] ?? '', /^KAFKA_SASL_PASSWORD is (a placeholder|a development default)/)
    assert.ok(!problems[0]?.includes(pw))
    assert.deepEqual(read({ ...sasl, KAFKA_SASL_PASSWORD: pw }, false).problems, [])
  }
})

test('the shared config carries the settings into every service, all problems reported together, without the password', () => {
  const r = new EnvReader({ ...sasl, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nowhere/ca.pem', KAFKA_PARTITIONS: 'x' })
  const config = readCommon(r, 'test')
  assert.equal(config.kafka.sasl?.username, 'newswire')
  assert.throws(
    () => r.done(),
    (err: unknown) =>
      isNewswireError(err, 'NEWSWIRE_ERR_CONFIG') &&
      /KAFKA_PARTITIONS/.test(err.message) &&
      /KAFKA_SSL_CA_FILE=\/nowhere\/ca\.pem does not exist/.test(err.message) &&
      !err.message.includes(PASSWORD),
  )
})

test('the password is not in the config as JSON (pino), util.inspect, a log line or Object.keys', () => {
  const { security } = read(sasl)
  const config = { brokers: ['b:9096'], clientId: 'c', topicPrefix: '', partitions: 1, replicationFactor: 0, ...security }
  assert.equal(security.sasl?.password, PASSWORD, 'kafkajs still reads it')
  assert.ok(!JSON.stringify(config).includes(PASSWORD))
  assert.match(JSON.stringify(config), /"password":"\[redacted\]"/)
  assert.ok(!inspect(config, { depth: 5 }).includes(PASSWORD))
  assert.ok(!Object.keys(security.sasl ?? {}).includes('password'))
  let logged = ''
  const log = pino(
    { level: 'info' },
    {
      write: (s: string) => {
        logged += s
      },
    },
  )
  log.info({ kafka: config }, 'starting')
  assert.match(logged, /newswire/)
  assert.ok(!logged.includes(PASSWORD))
})

const cfg = (extra: Partial<KafkaConfig>): KafkaConfig => ({
  brokers: ['b1:9096', 'b2:9096'],
  clientId: 'c',
  topicPrefix: '',
  partitions: 1,
  replicationFactor: 0,
  ...extra,
})

test('a refused SASL login becomes NEWSWIRE_ERR_KAFKA_AUTH, naming the user and what to check, not the password', () => {
  const { security } = read(sasl)
  const inner = Object.assign(new Error(`SASL SCRAM SHA512 authentication failed: invalid credentials (${PASSWORD})`), {
    name: 'KafkaJSSASLAuthenticationError',
  })
  const wrapped = Object.assign(new Error('wrapped'), { name: 'KafkaJSNonRetriableError', originalError: inner })
  const problem = kafkaConnectProblem(wrapped, cfg(security))
  assert.ok(isNewswireError(problem, 'NEWSWIRE_ERR_KAFKA_AUTH'))
  assert.match(problem.message, /Kafka at b1:9096,b2:9096 refused the SASL scram-sha-512 login of user 'newswire'/)
  assert.match(problem.message, /Check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM/)
  assert.ok(!problem.message.includes(PASSWORD))
  assert.ok(!JSON.stringify(problem.details).includes(PASSWORD))
})

test('a failed TLS handshake becomes NEWSWIRE_ERR_KAFKA_TLS pointing at KAFKA_SSL_CA_FILE; other failures stay as they are', () => {
  const tls = Object.assign(new Error('Connection error: self-signed certificate in certificate chain'), {
    name: 'KafkaJSNumberOfRetriesExceeded',
  })
  const problem = kafkaConnectProblem(tls, cfg({ ssl: { rejectUnauthorized: true } }))
  assert.ok(isNewswireError(problem, 'NEWSWIRE_ERR_KAFKA_TLS'))
  assert.match(problem.message, /self-signed certificate in certificate chain/)
  assert.match(problem.message, /KAFKA_SSL_CA_FILE/)
  const byCode = Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })
  assert.ok(isNewswireError(kafkaConnectProblem(byCode, cfg({ ssl: { rejectUnauthorized: true } })), 'NEWSWIRE_ERR_KAFKA_TLS'))
  assert.equal(kafkaConnectProblem(tls, cfg({})), null, 'without KAFKA_SSL, not a TLS problem of ours')
  assert.equal(kafkaConnectProblem(new Error('Connection error: connect ECONNREFUSED'), cfg({ ssl: { rejectUnauthorized: true } })), null)
})

test('kafkaSecurityFromEnv (the benchmarks and tools beside the services): the same rules, thrown', () => {
  assert.equal(kafkaSecurityFromEnv({ ...sasl, KAFKA_SSL: 'true' }).sasl?.mechanism, 'scram-sha-512')
  assert.deepEqual(kafkaSecurityFromEnv({}), {})
  assert.throws(
    () => kafkaSecurityFromEnv({ ...sasl, NODE_ENV: 'production' }),
    (err: unknown) => isNewswireError(err, 'NEWSWIRE_ERR_CONFIG') && /without KAFKA_SSL=true is refused in production/.test(err.message),
  )
  assert.throws(() => kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'plain' }), /needs KAFKA_SASL_USERNAME/)
})

test('the start-up line says how the clients connect, never the password', () => {
  assert.equal(describeKafkaSecurity({}), 'plaintext')
  assert.equal(describeKafkaSecurity(read({ KAFKA_SSL: 'true' }).security), 'TLS')
  const full = read({ ...sasl, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/ca.pem', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }).security
  assert.equal(describeKafkaSecurity(full), 'TLS (KAFKA_SSL_CA_FILE), unverified, SASL scram-sha-512 as newswire')
})

test('a connection the brokers close unanswered becomes NEWSWIRE_ERR_KAFKA_CLOSED, asking after what is not set', () => {
  const closed = Object.assign(new Error('Closed connection'), { name: 'KafkaJSNumberOfRetriesExceeded' })
  const bare = kafkaConnectProblem(closed, cfg({}))
  assert.ok(isNewswireError(bare, 'NEWSWIRE_ERR_KAFKA_CLOSED'))
  assert.match(bare.message, /closed the connection before answering: does its listener ask for TLS \(KAFKA_SSL=true\) or a SASL login/)
  const { security } = read({ ...sasl, KAFKA_SSL: 'true' })
  const both = kafkaConnectProblem(
    Object.assign(new Error('x'), { originalError: new Error('Connection closed by the server') }),
    cfg(security),
  )
  assert.ok(isNewswireError(both, 'NEWSWIRE_ERR_KAFKA_CLOSED'))
  assert.match(both.message, /is it the listener for TLS and SASL\?/)
})
