// The first connection a service makes to Kafka, where a wrong password or an untrusted certificate
// shows. kafkajs reports them in its own words, deep in a chain of wrapped errors, after its retries;
// a service's start-up then fails with a typed error that names the variable to fix (never the
// password). Pure but for `connectChecked`.
import type { KafkaConfig } from './config.ts'
import { NewswireError } from './errors.ts'

/** Errors a TLS handshake fails with (Node's codes) when the brokers' certificate is not trusted. */
const TLS_CODES =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_.*)$/
const TLS_WORDS = /certificate|SSL routines|wrong version number|TLS/i
/** A broker closing the connection at once: what a TLS or SASL listener does to a client that speaks neither. */
const CLOSED = /closed connection|connection closed/i

interface Link {
  name?: unknown
  code?: unknown
  message?: unknown
}

/** `err` and the errors it wraps (kafkajs: originalError; Node: cause). */
function chain(err: unknown): Link[] {
  const links: Link[] = []
  let e: unknown = err
  for (let i = 0; i < 6 && e !== null && typeof e === 'object'; i++) {
    links.push(e as Link)
    e = (e as { originalError?: unknown }).originalError ?? (e as { cause?: unknown }).cause
  }
  return links
}

/** The text of an error to show, with the password taken out wherever it might be. */
function scrubbed(message: string, config: KafkaConfig): string {
  const pw = config.sasl?.password
  return pw ? message.split(pw).join('[redacted]') : message
}

/**
 * The start-up error for a failed first connection: NEWSWIRE_ERR_KAFKA_AUTH when the brokers refused
 * the SASL login, NEWSWIRE_ERR_KAFKA_TLS when the TLS handshake failed, else null (the caller keeps
 * the original error).
 */
export function kafkaConnectProblem(err: unknown, config: KafkaConfig): NewswireError | null {
  const links = chain(err)
  const where = config.brokers.join(',')
  const sasl = links.find((l) => l.name === 'KafkaJSSASLAuthenticationError')
  if (sasl !== undefined) {
    const who = config.sasl ? `SASL ${config.sasl.mechanism} login of user '${config.sasl.username}'` : 'SASL login'
    return new NewswireError(
      'NEWSWIRE_ERR_KAFKA_AUTH',
      `Kafka at ${where} refused the ${who}: ${scrubbed(String(sasl.message), config)}. ` +
        'Check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM (the mechanism the cluster has the user for)',
      {
        cause: err,
        details: { brokers: config.brokers, mechanism: config.sasl?.mechanism ?? null, username: config.sasl?.username ?? null },
      },
    )
  }
  const tls = links.find((l) => (typeof l.code === 'string' && TLS_CODES.test(l.code)) || TLS_WORDS.test(String(l.message ?? '')))
  if (tls !== undefined && config.ssl !== undefined) {
    return new NewswireError(
      'NEWSWIRE_ERR_KAFKA_TLS',
      `the TLS handshake with Kafka at ${where} failed: ${scrubbed(String(tls.message), config)}. ` +
        "Check that the listener at KAFKA_BROKERS speaks TLS, trust the brokers' CA with KAFKA_SSL_CA_FILE (a PEM file), and that KAFKA_BROKERS names the hosts their certificate is for",
      { cause: err, details: { brokers: config.brokers, code: typeof tls.code === 'string' ? tls.code : null } },
    )
  }
  if (links.some((l) => CLOSED.test(String(l.message ?? '')))) {
    const asked = [config.ssl ? null : 'TLS (KAFKA_SSL=true)', config.sasl ? null : 'a SASL login (KAFKA_SASL_MECHANISM)'].filter(
      (x) => x !== null,
    )
    const hint = asked.length > 0 ? `does its listener ask for ${asked.join(' or ')}?` : 'is it the listener for TLS and SASL?'
    return new NewswireError('NEWSWIRE_ERR_KAFKA_CLOSED', `Kafka at ${where} closed the connection before answering: ${hint}`, {
      cause: err,
      retriable: true,
      details: { brokers: config.brokers, ssl: config.ssl !== undefined, sasl: config.sasl?.mechanism ?? null },
    })
  }
  return null
}

/**
 * `admin.connect()` and a first request, a failed login, TLS handshake or closed connection thrown
 * as kafkaConnectProblem's typed error. The request: kafkajs connects with an ApiVersions request,
 * which a SASL listener answers before any login, so a client without SASL would connect and fail
 * only later, each request retried.
 */
export async function connectChecked(
  admin: { connect(): Promise<void>; describeCluster(): Promise<unknown> },
  config: KafkaConfig,
): Promise<void> {
  try {
    await admin.connect()
    await admin.describeCluster()
  } catch (err) {
    throw kafkaConnectProblem(err, config) ?? err
  }
}
