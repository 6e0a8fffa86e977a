// Environment parsing shared by the services: every variable is read once at start-up by a
// service's loadConfig(), all problems are reported together, and defaults run locally.
import { NewswireError } from './errors.ts'
import { readKafkaSecurity } from './kafka-security.ts'
import type { KafkaSasl, KafkaSecurity, KafkaSsl } from './kafka-security.ts'

export type Env = Record<string, string | undefined>

/** Collects problems while reading variables, then throws them all at once. */
export class EnvReader {
  readonly problems: string[] = []
  readonly env: Env
  constructor(env: Env) {
    this.env = env
  }

  string(name: string, fallback: string): string {
    const v = this.env[name]
    return v === undefined || v.trim() === '' ? fallback : v.trim()
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name]
    if (raw === undefined || raw.trim() === '') return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got '${raw}'`)
      return fallback
    }
    return n
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name]?.trim().toLowerCase()
    if (raw === undefined || raw === '') return fallback
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true
    if (['0', 'false', 'no', 'off'].includes(raw)) return false
    this.problems.push(`${name} must be true or false, got '${raw}'`)
    return fallback
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.env[name]?.trim()
    if (raw === undefined || raw === '') return fallback
    if ((values as readonly string[]).includes(raw)) return raw as T
    this.problems.push(`${name} must be one of ${values.join(', ')}, got '${raw}'`)
    return fallback
  }

  list(name: string, fallback: string[]): string[] {
    const raw = this.env[name]
    if (raw === undefined || raw.trim() === '') return fallback
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
  }

  fail(problem: string): void {
    this.problems.push(problem)
  }

  done(): void {
    if (this.problems.length > 0) {
      throw new NewswireError('NEWSWIRE_ERR_CONFIG', `invalid configuration:\n  - ${this.problems.join('\n  - ')}`, {
        details: { problems: this.problems },
      })
    }
  }
}

export interface KafkaConfig {
  brokers: string[]
  clientId: string
  topicPrefix: string
  /** Partitions of news.article-events and news.articles when we create them. */
  partitions: number
  /** Replication factor when we create topics; 0 = min(3, brokers in the cluster). */
  replicationFactor: number
  /** TLS (KAFKA_SSL…); absent: plaintext. */
  ssl?: KafkaSsl
  /** SASL (KAFKA_SASL_…); absent: none. */
  sasl?: KafkaSasl
}

export interface CommonConfig {
  production: boolean
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  shutdownTimeoutMs: number
  kafka: KafkaConfig
}

export function readCommon(r: EnvReader, service: string): CommonConfig {
  const brokers = r.list('KAFKA_BROKERS', ['127.0.0.1:9092'])
  for (const b of brokers) {
    if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(b)) r.fail(`KAFKA_BROKERS entries must be host:port, got '${b}'`)
  }
  // a NODE_ENV not known (`prod`, `Production`, `staging`) ran in development mode, on the
  // development secrets everyone can read: refused, where production was only ever `production`
  const production = r.oneOf('NODE_ENV', ['production', 'development', 'test'], 'development') === 'production'
  return {
    production,
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    shutdownTimeoutMs: r.int('SHUTDOWN_TIMEOUT_MS', 15_000, 100, 600_000),
    kafka: {
      brokers,
      clientId: r.string('KAFKA_CLIENT_ID', `newswire-${service}`),
      topicPrefix: r.string('KAFKA_TOPIC_PREFIX', ''),
      partitions: r.int('KAFKA_PARTITIONS', 6, 1, 1000),
      replicationFactor: r.int('KAFKA_REPLICATION_FACTOR', 0, 0, 10),
      ...readKafkaSecurity(r, production),
    },
  }
}

/**
 * KAFKA_SSL* and KAFKA_SASL_* alone, for tools that make their own clients beside the services (the
 * benchmarks, the local stack's checks): the services' rules, NEWSWIRE_ERR_CONFIG on any problem.
 */
export function kafkaSecurityFromEnv(env: Env): KafkaSecurity {
  const r = new EnvReader(env)
  const security = readKafkaSecurity(r, env.NODE_ENV === 'production')
  r.done()
  return security
}

/**
 * Whether `host` keeps a listener on this machine. The development credentials are published (the
 * README prints them): beyond the loopback they let anyone in, whatever NODE_ENV says (red22a).
 */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** A development credential on a host beyond the loopback: the problem to report. */
export function devCredentialBeyondLoopback(hostVar: string, host: string, name: string): string {
  return `${hostVar}=${host} listens beyond this machine, with the development ${name} anyone can read in the README: set ${name} to a secret of your own (or listen on 127.0.0.1)`
}

/**
 * The port /metrics is served on (ops-listener.ts). In development the service's own port, as
 * always. In production one of its own (`productionDefault`): the service's port is what a Service,
 * an ingress or a CDN routes to readers, and the metrics tell when unpublished work comes and goes
 * (red22a attack run). Set to the service's port, it serves them there again (a private network).
 */
export function readMetricsPort(r: EnvReader, name: string, production: boolean, servicePort: number, productionDefault: number): number {
  return r.int(name, production ? productionDefault : servicePort, 0, 65535)
}
