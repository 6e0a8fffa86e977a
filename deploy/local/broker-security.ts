// A broker that asks what production clusters ask (Amazon MSK, Confluent Cloud, Strimzi): SASL
// logins (PLAIN, SCRAM-SHA-256/512) and, optionally, TLS, for tests of the services' KAFKA_SSL and
// KAFKA_SASL_* settings against a real Kafka. The controller keeps a plaintext listener of its own
// (nothing but the broker itself speaks to it). The TLS certificate is made by Java's keytool: a
// throwaway CA of the cluster's own, whose PEM tests hand the services as KAFKA_SSL_CA_FILE.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface SaslUser {
  name: string
  password: string
}

export interface BrokerSecurity {
  /** Users of every mechanism; the first is also the broker's own (inter-broker PLAIN). */
  users: SaslUser[]
  /** A SASL_SSL listener on this port too (the SASL_PLAINTEXT one stays on the broker port). */
  sslPort?: number
}

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const

/** Only characters that need no quoting in a JAAS line nor in kafka-storage's --add-scram. */
function checkUser(u: SaslUser): void {
  for (const v of [u.name, u.password]) if (!/^[A-Za-z0-9._-]+$/.test(v)) throw new Error(`broker-security: '${v}' must be [A-Za-z0-9._-]+`)
}

const KEYSTORE_PASSWORD = 'newswire-test-keystore'

function tlsDir(home: string): string {
  return join(home, 'tls')
}

/** The PEM of the CA that signed the broker's certificate (KAFKA_SSL_CA_FILE for the services). */
export function caFileOf(home: string): string {
  return join(tlsDir(home), 'ca.pem')
}

/** server.properties lines for the listeners, SASL and TLS (replacing the plaintext ones). */
export function securityProperties(s: BrokerSecurity, home: string, brokerPort: number, controllerPort: number): string {
  s.users.forEach(checkUser)
  const [self] = s.users
  if (self === undefined) throw new Error('broker-security: at least one user')
  const listeners = [`SASL_PLAINTEXT://127.0.0.1:${brokerPort}`]
  if (s.sslPort !== undefined) listeners.push(`SASL_SSL://127.0.0.1:${s.sslPort}`)
  const names = s.sslPort === undefined ? ['sasl_plaintext'] : ['sasl_plaintext', 'sasl_ssl']
  const plainUsers = s.users.map((u) => `user_${u.name}="${u.password}"`).join(' ')
  const jaas = names.flatMap((n) => [
    `listener.name.${n}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${self.name}" password="${self.password}" ${plainUsers};`,
    `listener.name.${n}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `listener.name.${n}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
  ])
  const tls =
    s.sslPort === undefined
      ? []
      : [
          'ssl.keystore.type=PKCS12',
          `ssl.keystore.location=${join(tlsDir(home), 'broker.p12')}`,
          `ssl.keystore.password=${KEYSTORE_PASSWORD}`,
          `ssl.key.password=${KEYSTORE_PASSWORD}`,
          'ssl.client.auth=none',
        ]
  return [
    `listeners=${listeners.join(',')},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=${listeners.join(',')}`,
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'sasl.mechanism.inter.broker.protocol=PLAIN',
    `sasl.enabled.mechanisms=${SASL_MECHANISMS.join(',')}`,
    ...jaas,
    ...tls,
  ].join('\n')
}

/** kafka-storage format arguments that store every user's SCRAM credentials (KRaft keeps them in its metadata). */
export function scramFormatArgs(s: BrokerSecurity): string[] {
  return s.users.flatMap((u) =>
    SASL_MECHANISMS.filter((m) => m !== 'PLAIN').flatMap((m) => ['--add-scram', `${m}=[name=${u.name},password=${u.password}]`]),
  )
}

/** A CA and a broker certificate for 127.0.0.1 and localhost, signed by it, made once per cluster home. */
export function ensureBrokerCertificate(home: string): void {
  const dir = tlsDir(home)
  if (existsSync(join(dir, 'broker.p12')) && existsSync(caFileOf(home))) return
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const ca = join(dir, 'ca.p12')
  const broker = join(dir, 'broker.p12')
  const store = (file: string) => [
    '-keystore',
    file,
    '-storetype',
    'PKCS12',
    '-storepass',
    KEYSTORE_PASSWORD,
    '-keypass',
    KEYSTORE_PASSWORD,
  ]
  const keytool = (args: string[], input?: string) =>
    execFileSync('keytool', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] })
  const key = ['-keyalg', 'EC', '-groupname', 'secp256r1', '-validity', '7']
  keytool(['-genkeypair', '-alias', 'ca', ...store(ca), ...key, '-dname', 'CN=newswire-test-ca', '-ext', 'bc:c'])
  keytool(['-genkeypair', '-alias', 'broker', ...store(broker), ...key, '-dname', 'CN=127.0.0.1'])
  const request = keytool(['-certreq', '-alias', 'broker', ...store(broker)])
  const signed = keytool(
    [
      '-gencert',
      '-alias',
      'ca',
      ...store(ca),
      '-rfc',
      '-validity',
      '7',
      '-ext',
      'SAN=ip:127.0.0.1,dns:localhost',
      '-ext',
      'EKU=serverAuth',
    ],
    request,
  )
  const caPem = keytool(['-exportcert', '-alias', 'ca', ...store(ca), '-rfc'])
  writeFileSync(caFileOf(home), caPem)
  writeFileSync(join(dir, 'broker.pem'), signed)
  keytool(['-importcert', '-noprompt', '-alias', 'ca', '-file', caFileOf(home), ...store(broker)])
  keytool(['-importcert', '-noprompt', '-alias', 'broker', '-file', join(dir, 'broker.pem'), ...store(broker)])
}

/** kafkajs options a readiness check (or a test's own client) logs in with, on the SASL_PLAINTEXT listener. */
export function readinessLogin(s: BrokerSecurity): { sasl: { mechanism: 'plain'; username: string; password: string } } {
  const [self] = s.users
  if (self === undefined) throw new Error('broker-security: at least one user')
  return { sasl: { mechanism: 'plain', username: self.name, password: self.password } }
}
