// A real Apache Kafka broker (KRaft) started from Maven Central jars, without Docker.
// Single node on 127.0.0.1:9092, or a 3-node cluster on 127.0.0.1:19092,19192,19292 (below the
// ephemeral port range, so a busy host cannot be holding them as outgoing ports).
// Each node is a detached JVM tagged with -Dnewswire.kafka.home=<dir>, so stop() only ever
// kills processes this project started from this checkout.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel } from '@newswire/shared'
import { cacheDir, repoRoot } from './paths.ts'
import { ensureSystem, java17, maven } from './system.ts'
import { ensureBrokerCertificate, readinessLogin, scramFormatArgs, securityProperties } from './broker-security.ts'
import type { BrokerSecurity } from './broker-security.ts'

/** Newest Apache Kafka release tested with kafkajs 2.2.4 (see README "Kafka version"). */
export const KAFKA_VERSION = '4.4.0'

export { repoRoot }
const here = join(repoRoot, 'deploy', 'local')
const cacheRoot = join(cacheDir(), 'kafka')

export interface NodeSpec {
  id: number
  brokerPort: number
  controllerPort: number
}

/**
 * How a node's JVM is tuned. `steady`: Kafka's own settings (kafka-run-class.sh: G1, a 20 ms
 * pause goal) and the full JIT, the broker production runs; `npm run kafka`, `npm start` and the
 * benchmarks use it. `quick-start`: the C1 compiler only and the serial collector, at its (slower)
 * best at once, for test runs made of short phases. Measured (docs/benchmarks.md, "Single POSTs
 * on a quiet machine"): once warm, `steady` spent 1.3-1.8x less CPU per record and ingest's
 * commits took 3.5-11 ms instead of 11-13, but it needs a minute or two of load to compile, and the
 * whole test suite ran in 6 min 58 s on it against 5 min 28 s on `quick-start`.
 */
export type JvmTuning = 'steady' | 'quick-start'

export interface ClusterSpec {
  name: string
  home: string
  nodes: NodeSpec[]
  /** Default quick-start. */
  jvm?: JvmTuning
  /** SASL (and TLS) listeners instead of the plaintext one: single-node specs only (broker-security.ts). */
  security?: BrokerSecurity
}

export function clusterSpec(nodes: 1 | 3, jvm: JvmTuning = 'quick-start'): ClusterSpec {
  if (nodes === 1) {
    return { name: 'single', home: join(cacheRoot, 'single'), nodes: [{ id: 1, brokerPort: 9092, controllerPort: 9093 }], jvm }
  }
  return {
    name: 'cluster3',
    home: join(cacheRoot, 'cluster3'),
    nodes: [1, 2, 3].map((id) => ({ id, brokerPort: 18992 + id * 100, controllerPort: 18993 + id * 100 })),
    jvm,
  }
}

/**
 * A separate single node for tests that stop and start their broker (ports brokerPort, +1), in
 * `home` if given; with `security`, its listeners ask for SASL logins (and TLS on security.sslPort).
 */
export function isolatedSpec(name: string, brokerPort: number, options: { home?: string; security?: BrokerSecurity } = {}): ClusterSpec {
  const spec: ClusterSpec = {
    name,
    home: options.home ?? join(cacheRoot, name),
    nodes: [{ id: 1, brokerPort, controllerPort: brokerPort + 1 }],
  }
  if (options.security !== undefined) spec.security = options.security
  return spec
}

export function brokersOf(spec: ClusterSpec): string[] {
  return spec.nodes.map((n) => `127.0.0.1:${n.brokerPort}`)
}

const libDir = join(cacheRoot, `lib-${KAFKA_VERSION}`)

/** Copies the broker jars from Maven Central once (deploy/local/pom.xml). */
export function ensureJars(log: (line: string) => void = console.error): string {
  if (existsSync(join(libDir, `kafka_2.13-${KAFKA_VERSION}.jar`))) return libDir
  ensureSystem([java17, maven], log)
  log(`newswire: fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central (once)...`)
  const tmp = `${libDir}.tmp-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(dirname(libDir), { recursive: true })
  // Quiet unless it fails: even with -q -B Maven writes bare ANSI resets to the terminal
  const r = spawnSync(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      join(here, 'pom.xml'),
      `-Dkafka.version=${KAFKA_VERSION}`,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${tmp}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  )
  if (r.status !== 0)
    throw new Error(`newswire: mvn could not fetch the Kafka jars:\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`)
  rmSync(libDir, { recursive: true, force: true })
  renameSync(tmp, libDir)
  return libDir
}

const LOG4J2 = `status = error
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = ERR
logger.ready.name = kafka.server.KafkaRaftServer
logger.ready.level = INFO
`

function nodeProperties(spec: ClusterSpec, node: NodeSpec): string {
  const n = spec.nodes.length
  const rf = n >= 3 ? 3 : 1
  const isr = n >= 3 ? 2 : 1
  const voters = spec.nodes.map((x) => `${x.id}@127.0.0.1:${x.controllerPort}`).join(',')
  const listeners =
    spec.security === undefined
      ? `listeners=PLAINTEXT://127.0.0.1:${node.brokerPort},CONTROLLER://127.0.0.1:${node.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${node.brokerPort}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT`
      : securityProperties(spec.security, spec.home, node.brokerPort, node.controllerPort)
  return `# generated by deploy/local/broker.ts
process.roles=broker,controller
node.id=${node.id}
controller.quorum.voters=${voters}
${listeners}
controller.listener.names=CONTROLLER
log.dirs=${join(spec.home, `n${node.id}`, 'data')}
num.partitions=1
default.replication.factor=${rf}
min.insync.replicas=${isr}
offsets.topic.replication.factor=${rf}
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=${rf}
transaction.state.log.min.isr=${isr}
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=${rf}
share.coordinator.state.topic.min.isr=${isr}
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=8388608
# tests and demos publish with the ingest clock; allow some skew either way
message.timestamp.after.max.ms=3600000
`
}

const jvmTuning: Record<JvmTuning, string[]> = {
  steady: ['-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent'],
  'quick-start': ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'],
}

function javaArgs(spec: ClusterSpec, home: string): string[] {
  const heap = spec.nodes.length >= 3 ? '384m' : '512m'
  return [
    `-Xms128m`,
    `-Xmx${heap}`,
    ...jvmTuning[spec.jvm ?? 'quick-start'],
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(spec.home, 'log4j2.properties')}`,
    `-Dnewswire.kafka.home=${home}`,
    '-cp',
    `${libDir}/*`,
  ]
}

function nodeHome(spec: ClusterSpec, id: number): string {
  return join(spec.home, `n${id}`)
}

/** The pid of a running node we started, or null. Checks the process is really ours. */
export function nodePid(spec: ClusterSpec, id: number): number | null {
  const home = nodeHome(spec, id)
  const pidFile = join(home, 'pid')
  if (!existsSync(pidFile)) return null
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 0) return null
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    if (cmdline.includes(`-Dnewswire.kafka.home=${home}`)) return pid
  } catch {
    // no such process
  }
  return null
}

function prepare(spec: ClusterSpec, fresh: boolean): void {
  if (fresh) {
    for (const node of spec.nodes) rmSync(join(nodeHome(spec, node.id), 'data'), { recursive: true, force: true })
  }
  mkdirSync(spec.home, { recursive: true })
  writeFileSync(join(spec.home, 'log4j2.properties'), LOG4J2)
  if (spec.security !== undefined && spec.nodes.length !== 1) throw new Error('newswire: a secured spec has one node')
  if (spec.security?.sslPort !== undefined) ensureBrokerCertificate(spec.home)
  const idFile = join(spec.home, 'cluster-id')
  const formatted = spec.nodes.every((n) => existsSync(join(nodeHome(spec, n.id), 'data', 'meta.properties')))
  if (!formatted || !existsSync(idFile)) {
    // Same shape as Uuid.randomUuid: 16 random bytes, base64url, never starting with '-'
    let id = ''
    do id = randomBytes(16).toString('base64url')
    while (id.startsWith('-'))
    writeFileSync(idFile, id)
    for (const node of spec.nodes) rmSync(join(nodeHome(spec, node.id), 'data'), { recursive: true, force: true })
  }
  const clusterId = readFileSync(idFile, 'utf8').trim()
  for (const node of spec.nodes) {
    const home = nodeHome(spec, node.id)
    mkdirSync(home, { recursive: true })
    const props = join(home, 'server.properties')
    writeFileSync(props, nodeProperties(spec, node))
    if (!existsSync(join(home, 'data', 'meta.properties'))) {
      // SCRAM credentials live in KRaft's metadata, written when the storage is formatted
      const scram = spec.security === undefined ? [] : scramFormatArgs(spec.security)
      execFileSync(
        'java',
        [...javaArgs(spec, `${home}-format`), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props, ...scram],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      )
    }
  }
}

/** Starts one node of an already prepared cluster (also used to bring a killed node back). */
export function startNode(spec: ClusterSpec, id: number): number {
  const running = nodePid(spec, id)
  if (running !== null) return running
  const home = nodeHome(spec, id)
  const logFile = join(home, 'server.log')
  const fd = openSync(logFile, 'a')
  const child = spawn('java', [...javaArgs(spec, home), 'kafka.Kafka', join(home, 'server.properties')], {
    detached: true,
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  child.unref()
  if (child.pid === undefined) throw new Error(`newswire: could not start Kafka node ${id}`)
  writeFileSync(join(home, 'pid'), String(child.pid))
  return child.pid
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.setTimeout(1000)
    const done = (v: boolean) => {
      socket.destroy()
      resolve(v)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}

/** Waits until every node answers a metadata request and the group coordinator is up. */
export async function waitReady(
  brokers: string[],
  expectBrokers: number,
  timeoutMs = 90_000,
  alive: () => string | null = () => null,
  security?: BrokerSecurity,
): Promise<void> {
  const admin = new Kafka({
    clientId: 'newswire-ready',
    brokers,
    ...(security && readinessLogin(security)),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  }).admin()
  const end = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      await admin.connect()
      const { brokers: seen } = await admin.describeCluster()
      if (seen.length >= expectBrokers) {
        await admin.describeGroups(['newswire-warmup']) // FindCoordinator creates __consumer_offsets now
        await admin.disconnect()
        return
      }
      last = new Error(`${seen.length}/${expectBrokers} brokers registered`)
    } catch (err) {
      last = err
    }
    await admin.disconnect().catch(() => {})
    const dead = alive()
    if (dead !== null) throw new Error(`newswire: ${dead}`)
    if (Date.now() > end) throw new Error(`newswire: Kafka at ${brokers.join(',')} not ready: ${String(last)}`)
    await sleep(250)
  }
}

export interface StartResult {
  brokers: string[]
  /** False when every node was already running (then the caller should not stop it). */
  started: boolean
}

/** `npm run kafka -- start`: a broker to keep running, so tuned for its steady state. */
export async function start(nodes: 1 | 3, options: { fresh?: boolean; log?: (line: string) => void } = {}): Promise<StartResult> {
  return startCluster(clusterSpec(nodes, 'steady'), options)
}

export async function startCluster(
  spec: ClusterSpec,
  options: { fresh?: boolean; log?: (line: string) => void } = {},
): Promise<StartResult> {
  const log = options.log ?? console.error
  const brokers = brokersOf(spec)
  const n = spec.nodes.length
  const already = spec.nodes.every((node) => nodePid(spec, node.id) !== null)
  if (already && !options.fresh) {
    await waitReady(brokers, n, 90_000, () => null, spec.security)
    return { brokers, started: false }
  }
  if (options.fresh) await stopCluster(spec)
  const taken: number[] = []
  for (const node of spec.nodes) {
    for (const port of [node.brokerPort, node.controllerPort, ...(spec.security?.sslPort === undefined ? [] : [spec.security.sslPort])])
      if (nodePid(spec, node.id) === null && (await listening(port))) taken.push(port)
  }
  if (taken.length > 0) {
    throw new Error(
      `newswire: 127.0.0.1:${taken.join(', ')} already in use by a process this checkout did not start ` +
        `(another checkout's broker?). Stop it there (npm run kafka -- stop), or use it: KAFKA_BROKERS=${brokers.join(',')}`,
    )
  }
  ensureSystem([java17], log)
  ensureJars(log)
  prepare(spec, options.fresh ?? false)
  const t0 = Date.now()
  for (const node of spec.nodes) startNode(spec, node.id)
  const alive = () => {
    const down = spec.nodes.filter((x) => nodePid(spec, x.id) === null).map((x) => x.id)
    return down.length === 0 ? null : `Kafka node(s) ${down.join(',')} exited during start-up (log: ${spec.home})`
  }
  try {
    await waitReady(brokers, n, 90_000, alive, spec.security)
  } catch (err) {
    for (const node of spec.nodes) log(tail(join(nodeHome(spec, node.id), 'server.log'), 30))
    await stopCluster(spec)
    throw err
  }
  log(`newswire: Kafka ${KAFKA_VERSION} ready at ${brokers.join(',')} in ${((Date.now() - t0) / 1000).toFixed(1)}s`)
  return { brokers, started: true }
}

/** SIGTERM (clean shutdown), SIGKILL after the deadline. Only our own processes. */
export async function stopNode(spec: ClusterSpec, id: number, options: { kill?: boolean } = {}): Promise<void> {
  const pid = nodePid(spec, id)
  if (pid === null) return
  try {
    process.kill(pid, options.kill ? 'SIGKILL' : 'SIGTERM')
  } catch {
    return
  }
  const end = Date.now() + 30_000
  while (nodePid(spec, id) !== null && !isZombie(pid)) {
    if (Date.now() > end) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    await sleep(100)
  }
  rmSync(join(nodeHome(spec, id), 'pid'), { force: true })
}

function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

export async function stop(nodes: 1 | 3): Promise<void> {
  await stopCluster(clusterSpec(nodes))
}

export async function stopCluster(spec: ClusterSpec): Promise<void> {
  // All nodes at once, so a cluster does not spend its shutdown electing leaders on the way down
  await Promise.all(spec.nodes.map((n) => stopNode(spec, n.id)))
}

export function status(nodes: 1 | 3): { id: number; port: number; pid: number | null }[] {
  const spec = clusterSpec(nodes)
  return spec.nodes.map((n) => ({ id: n.id, port: n.brokerPort, pid: nodePid(spec, n.id) }))
}

export function logs(nodes: 1 | 3, lines = 100): string {
  const spec = clusterSpec(nodes)
  return spec.nodes
    .map((n) => `==> node ${n.id} (${join(nodeHome(spec, n.id), 'server.log')})\n${tail(join(nodeHome(spec, n.id), 'server.log'), lines)}`)
    .join('\n')
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log yet)'
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(-lines - 1)
    .join('\n')
}

/** Every cluster directory we know of, for `status` without --nodes. */
export function knownClusters(): (1 | 3)[] {
  if (!existsSync(cacheRoot)) return []
  const dirs = readdirSync(cacheRoot)
  return [dirs.includes('single') ? 1 : null, dirs.includes('cluster3') ? 3 : null].filter((x): x is 1 | 3 => x !== null)
}
