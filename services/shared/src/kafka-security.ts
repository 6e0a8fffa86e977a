// TLS and SASL for the Kafka clients (Amazon MSK, Confluent Cloud, Strimzi ask for both): read
// from the environment once at start-up with the rest of the shared config, every problem reported
// together. The password never appears in a problem, a log line or a serialised config: the SASL
// object kafkajs is handed hides it from JSON (pino) and util.inspect. Pure but for reading the CA
// file, which goes through `readText` so tests need no files.
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import type { EnvReader } from './config.ts'
import { placeholderSecretProblem } from './secrets.ts'

export const saslMechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const
export type SaslMechanism = (typeof saslMechanisms)[number]

/** What kafkajs takes as `ssl`: Node's TLS options. */
export interface KafkaSsl {
  /** PEM certificates to trust instead of the system's (KAFKA_SSL_CA_FILE). */
  ca?: string[]
  rejectUnauthorized: boolean
}

/** What kafkajs takes as `sasl` (a union over the mechanism, as its types want). `password` is hidden from JSON and inspect. */
export type KafkaSasl = { [M in SaslMechanism]: { mechanism: M; username: string; password: string } }[SaslMechanism]

export interface KafkaSecurity {
  ssl?: KafkaSsl
  sasl?: KafkaSasl
}

/** A file's text, or the reason it cannot be read (injected by tests). */
export type ReadText = (path: string) => string

const readTextFile: ReadText = (path) => readFileSync(path, 'utf8')

const REDACTED = '[redacted]'

/** The SASL options, whose password no JSON serialiser (pino) nor util.inspect shows. */
export function saslOptions(mechanism: SaslMechanism, username: string, password: string): KafkaSasl {
  const shown = () => ({ mechanism, username, password: REDACTED })
  const sasl = { mechanism, username } as KafkaSasl
  Object.defineProperty(sasl, 'password', { value: password, enumerable: false })
  Object.defineProperty(sasl, 'toJSON', { value: shown, enumerable: false })
  Object.defineProperty(sasl, inspect.custom, { value: shown, enumerable: false })
  return sasl
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** The certificates of a PEM file's text, or why it holds none that parse. */
export function pemCertificates(text: string): string[] | string {
  const blocks = text.match(PEM_CERT) ?? []
  if (blocks.length === 0) return 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)'
  for (const [i, b] of blocks.entries()) {
    try {
      new X509Certificate(b)
    } catch {
      return `certificate ${i + 1} is not a valid X.509 certificate`
    }
  }
  return blocks
}

function readCa(r: EnvReader, path: string, readText: ReadText): string[] | undefined {
  let text: string
  try {
    text = readText(path)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${String(code ?? err)})`
    r.fail(`KAFKA_SSL_CA_FILE=${path} ${why}`)
    return undefined
  }
  const certs = pemCertificates(text)
  if (typeof certs === 'string') {
    r.fail(`KAFKA_SSL_CA_FILE=${path} ${certs}`)
    return undefined
  }
  return certs
}

function isSet(r: EnvReader, name: string): boolean {
  const v = r.env[name]
  return v !== undefined && v.trim() !== ''
}

function readSsl(r: EnvReader, production: boolean, readText: ReadText): KafkaSsl | undefined {
  const enabled = r.bool('KAFKA_SSL', false)
  if (!enabled) {
    // set without KAFKA_SSL they would be ignored, and the client would speak plaintext
    for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_REJECT_UNAUTHORIZED']) {
      if (isSet(r, name)) r.fail(`${name} is set but KAFKA_SSL is not true: set KAFKA_SSL=true, or unset ${name}`)
    }
    return undefined
  }
  const rejectUnauthorized = r.bool('KAFKA_SSL_REJECT_UNAUTHORIZED', true)
  if (!rejectUnauthorized && production) {
    r.fail(
      'KAFKA_SSL_REJECT_UNAUTHORIZED=false is refused in production: any host could pose as the brokers; trust their CA with KAFKA_SSL_CA_FILE instead',
    )
  }
  const caFile = r.string('KAFKA_SSL_CA_FILE', '')
  const ca = caFile === '' ? undefined : readCa(r, caFile, readText)
  return ca === undefined ? { rejectUnauthorized } : { ca, rejectUnauthorized }
}

function readSasl(r: EnvReader, production: boolean, tls: boolean): KafkaSasl | undefined {
  const given = r.string('KAFKA_SASL_MECHANISM', '')
  const rawMechanism = given.toLowerCase()
  const username = r.string('KAFKA_SASL_USERNAME', '')
  // not trimmed: a password is taken as given (only an empty one is unset)
  const password = r.env.KAFKA_SASL_PASSWORD ?? ''
  const allowPlaintext = r.bool('KAFKA_SASL_ALLOW_PLAINTEXT', false)
  if (rawMechanism === '') {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) {
      if (isSet(r, name)) r.fail(`${name} is set but KAFKA_SASL_MECHANISM is not (one of ${saslMechanisms.join(', ')})`)
    }
    return undefined
  }
  if (!(saslMechanisms as readonly string[]).includes(rawMechanism)) {
    r.fail(`KAFKA_SASL_MECHANISM must be one of ${saslMechanisms.join(', ')}, got '${given}'`)
    return undefined
  }
  const mechanism = rawMechanism as SaslMechanism
  if (username === '') r.fail(`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME`)
  if (password === '') r.fail(`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_PASSWORD`)
  if (production && password !== '') {
    const weak = placeholderSecretProblem(password)
    if (weak !== null) r.fail(`KAFKA_SASL_PASSWORD ${weak}`)
  }
  if (production && !tls && !allowPlaintext) {
    r.fail(
      `KAFKA_SASL_MECHANISM=${mechanism} without KAFKA_SSL=true is refused in production: the records (and with plain the password) would cross the network in clear. ` +
        'Set KAFKA_SSL=true, or KAFKA_SASL_ALLOW_PLAINTEXT=true on a network you trust',
    )
  }
  if (username === '' || password === '') return undefined
  return saslOptions(mechanism, username, password)
}

/** KAFKA_SSL*, KAFKA_SASL_*: problems go to `r`, reported with the rest of the config. */
export function readKafkaSecurity(r: EnvReader, production: boolean, readText: ReadText = readTextFile): KafkaSecurity {
  const ssl = readSsl(r, production, readText)
  const sasl = readSasl(r, production, ssl !== undefined)
  const security: KafkaSecurity = {}
  if (ssl !== undefined) security.ssl = ssl
  if (sasl !== undefined) security.sasl = sasl
  return security
}

/** How the clients connect, for a start-up log line: never the password. */
export function describeKafkaSecurity(s: KafkaSecurity): string {
  const tls =
    s.ssl === undefined ? 'plaintext' : `TLS${s.ssl.ca ? ' (KAFKA_SSL_CA_FILE)' : ''}${s.ssl.rejectUnauthorized ? '' : ', unverified'}`
  return s.sasl === undefined ? tls : `${tls}, SASL ${s.sasl.mechanism} as ${s.sasl.username}`
}
