// Builds a running ingest instance from its config: topics, latest-state rebuild, publisher,
// HTTP server. main.ts adds signals; tests start instances in-process with this.
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  connectChecked,
  createCodec,
  createKafka,
  createRegistry,
  createTail,
  describeKafkaSecurity,
  ensureTopics,
  listenOps,
  loadSchemas,
  PlacementCheck,
  retrying,
  settlesWithin,
} from '@newswire/shared'
import type { Logger, Readiness, Registry, Tail } from '@newswire/shared'
import { createApp } from './app.ts'
import { answerPrint, type Remembered } from './outcome.ts'
import { createAuthenticator, liveKeys } from './auth.ts'
import type { IngestConfig } from './config.ts'
import { createIngestMetrics } from './metrics.ts'
import { createPublisher } from './publisher.ts'
import type { Publisher, PublisherOptions } from './publisher.ts'
import { RateLimiter } from './rate-limit.ts'
import { ReadBack } from './read-back.ts'
import { rememberAnswers } from './answers.ts'
import { createWriteServices } from './services.ts'
import { IdempotencyCache } from './idempotency-cache.ts'
import { ArticleState } from './state.ts'
import { createStateRecords } from './state-records.ts'
import { StableOffsets } from './stable-offsets.ts'
import { completeErasures, ERASURE_COMPLETION_SOURCE } from './erasure-completion.ts'

export interface IngestInstance {
  url: string
  server: Server
  registry: Registry
  state: ArticleState
  instanceId: string
  /** Graceful: stop accepting, finish in-flight requests and commits, disconnect. */
  close(): Promise<void>
}

/** How long a read waits to catch up with Kafka before it answers from memory. */
const READ_CATCH_UP_MS = 2000

/** Seams for tests that inject faults into a real instance; production passes none. */
export interface IngestOverrides {
  wrapWriter?: PublisherOptions['wrapWriter']
}

export async function startIngest(
  config: IngestConfig,
  log: Logger,
  onFatal: (err: unknown) => void,
  overrides: IngestOverrides = {},
): Promise<IngestInstance> {
  const instanceId = `${process.pid}-${randomBytes(4).toString('hex')}`
  const registry = createRegistry('ingest')
  const metrics = createIngestMetrics(registry)
  const schemas = loadSchemas()
  const codec = createCodec(schemas)
  const kafka = createKafka(config.kafka, log.child({ component: 'kafka' }))
  const admin = kafka.admin()
  // a wrong password or an untrusted certificate fails here, named (kafka-connect.ts)
  await connectChecked(admin, config.kafka)
  const topics = await retrying(() => ensureTopics(admin, config.kafka, log.child({ component: 'topics' })))
  const partitions = (await retrying(() => admin.fetchTopicMetadata({ topics: [topics.events] }))).topics[0]?.partitions.length ?? 0
  if (partitions === 0) throw new Error(`topic ${topics.events} has no partitions`)

  const state = new ArticleState()
  // records away from their key's partition: the topics' partitions were added (placement.ts)
  const placement = new PlacementCheck(partitions)
  const idempotency = new IdempotencyCache<Remembered>(config.idempotencyTtlMs, config.idempotencyMaxKeys, (key, v) =>
    answerPrint(key, v.by, v.requestHash),
  )
  let decodeErrors = 0
  const readBack = new ReadBack()
  const readRecord = createStateRecords({
    state,
    readBack,
    codec,
    idempotency,
    undecodable: (err, m) => {
      decodeErrors++
      log.warn({ err, offset: m.offset, decodeErrors }, 'undecodable record in articles topic skipped')
    },
  })
  const tail: Tail = createTail({
    kafka,
    topic: topics.articles,
    groupId: `${config.kafka.topicPrefix}newswire-ingest-state-${instanceId}`,
    log: log.child({ component: 'state-tail' }),
    onFatal,
    onBatch: ({ partition, messages }) => {
      for (const m of messages) {
        if (m.key && m.value !== null) placement.note(m.key.toString('utf8'), partition)
        readRecord(m, partition)
      }
      metrics.misplaced.set(placement.misplaced)
      metrics.articles.set(state.size)
      metrics.unreadableStates.set(state.unreadable)
    },
  })
  const t0 = performance.now()
  // the answers of the last TTL's keyed requests (answers.ts), read beside the state
  const answers = rememberAnswers({
    kafka,
    admin,
    topic: topics.events,
    codec,
    idempotency,
    ttlMs: config.idempotencyTtlMs,
    groupId: `${config.kafka.topicPrefix}newswire-ingest-answers-${instanceId}`,
    log: log.child({ component: 'answers' }),
    onFatal,
  })
  answers.catch(() => undefined)
  await tail.start()
  await tail.catchUp(120_000)
  const repartitioned = placement.problem(topics.articles)
  if (repartitioned) {
    log.fatal({ err: repartitioned, ...repartitioned.details }, 'refusing to start: partitions were added to the topics')
    await answers.catch(() => undefined)
    await tail.close()
    await admin.disconnect()
    throw repartitioned
  }
  // without them the instance still serves: only a retry of a write it cannot recognise is decided again
  const remembered = await answers.catch((err: unknown) => {
    log.warn({ err }, 'could not read the answers of the last TTL from news.article-events; retries of earlier writes may be decided again')
    return -1
  })
  const rebuild = (performance.now() - t0) / 1000
  metrics.rebuildSeconds.set(rebuild)
  log.info(
    { articles: state.size, answers: remembered, seconds: rebuild },
    'latest state rebuilt from news.articles, answers from news.article-events',
  )

  /** Resolves once the state holds everything committed on these partitions before this call. */
  const catchUp = async (partitions: readonly number[], timeoutMs: number): Promise<void> => {
    const ends = await retrying(() => admin.fetchTopicOffsets(topics.articles))
    await Promise.all(
      ends.filter((e) => partitions.includes(e.partition)).map((e) => tail.waitFor(e.partition, BigInt(e.offset), timeoutMs)),
    )
  }

  // what a read_committed reader of news.article-events sees (a fan-out's release clock): a commit is acknowledged once there
  const stable = new StableOffsets({
    fetch: async () => new Map((await admin.fetchTopicOffsets(topics.events)).map((e) => [e.partition, BigInt(e.offset)])),
    onError: (err) => log.warn({ err }, 'could not ask where news.article-events is stable; acknowledgements wait'),
  })
  const publisher: Publisher = createPublisher({
    kafka,
    topics,
    partitions,
    state,
    encoder: { encode: (e) => codec.encode(e), fingerprintHex: schemas.current.fingerprintHex },
    log: log.child({ component: 'publisher' }),
    instanceId,
    transactionalIdPrefix: `${config.kafka.topicPrefix}newswire-ingest`,
    writers: config.writers,
    lingerMs: config.lingerMs,
    catchUp,
    readBack: (events) => readBack.expect(events),
    eventsStable: (ends, maxMs) => stable.until(ends, maxMs),
    wrapWriter: overrides.wrapWriter,
    metrics: {
      produceSeconds: (s) => metrics.produceSeconds.observe(s),
      batchSize: (n) => metrics.batchSize.observe(n),
      lingered: (s) => metrics.lingerSeconds.observe(s),
      fenced: () => metrics.fenced.inc(),
      events: (type, n) => metrics.events.inc({ type }, n),
      tombstones: (n) => metrics.tombstones.inc(n),
      unseen: (wait) => metrics.unseen.inc({ wait }),
    },
  })

  // Partitions added while this instance runs: it goes on writing each key where its records are
  // (its count is the one they were written under), but no instance started now will (placement.ts)
  let countNow = partitions
  const changedPartitions = (count: number) => {
    if (count === countNow) return
    countNow = count
    metrics.partitionsAdded.set(count === partitions ? 0 : 1)
    if (count !== partitions) {
      log.error(
        { topic: topics.events, partitions: count, startedWith: partitions },
        'partitions were added to the topics: this instance still writes every key where its records are, but no ingest will start on them; create new topics and replay (deploy/README.md, "Partitions")',
      )
    }
  }
  // Kafka health, probed so /readyz turns false even when no request is failing
  let kafkaUp = true
  let closing = false
  const probe = setInterval(() => {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('probe timeout')), 2500).unref())
    Promise.race([admin.fetchTopicOffsets(topics.events), timeout]).then(
      (ends) => {
        // this instance keeps writing every key where its records are; one started now would not
        changedPartitions(ends.length)
        if (!kafkaUp) log.info('Kafka reachable again')
        kafkaUp = true
        metrics.kafkaUp.set(1)
      },
      (err: unknown) => {
        if (kafkaUp) log.warn({ err }, 'Kafka unreachable')
        kafkaUp = false
        metrics.kafkaUp.set(0)
      },
    )
  }, 3000)
  probe.unref()
  metrics.kafkaUp.set(1)

  const readiness = (): Readiness => ({
    ready: kafkaUp && !closing,
    checks: { kafka: kafkaUp, stateRebuilt: true, shuttingDown: closing },
  })

  const services = createWriteServices({
    publisher,
    idempotency,
    publishTimeoutMs: config.publishTimeoutMs,
    ...liveKeys(config.apiKeys),
    onUnchanged: () => metrics.unchanged.inc(),
  })
  const app = createApp({
    config,
    service: services.articles,
    entries: services.entries,
    state,
    auth: createAuthenticator(config.apiKeys),
    limiter: new RateLimiter(config.rateLimit),
    metrics,
    registry,
    log,
    schemas: schemas.versions.map((v) => ({
      version: v.version,
      file: v.fileName,
      fingerprint: v.fingerprintHex,
      current: v === schemas.current,
      schema: JSON.parse(JSON.stringify(v.type.schema({ exportAttrs: true }))) as unknown,
    })),
    readiness,
    closing: () => closing,
    // A read reflects every write acknowledged before it, by any instance
    freshen: async (id) => {
      const p = publisher.partitionOf(id)
      return settlesWithin(catchUp([p], READ_CATCH_UP_MS), READ_CATCH_UP_MS).catch(() => false)
    },
  })
  const server = createServer(app)
  server.keepAliveTimeout = 5000
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${config.host}:${port}`
  // /metrics on a port no edge routes to (red22a); the ops routes stay on the service's port for the probes
  const ops = config.metricsPort === config.port ? null : await listenOps(config.host, config.metricsPort, { registry, readiness })
  log.info(
    { url, metrics: `${ops?.url ?? url}/metrics`, partitions, instanceId, kafka: describeKafkaSecurity(config.kafka) },
    'ingest listening',
  )
  const completion = completeErasures({
    unfinished: () => state.unfinishedErasures(),
    erase: (id) =>
      services.articles.erase(id, 'erased', {
        actor: { source: ERASURE_COMPLETION_SOURCE, importer: false },
        traceId: randomUUID(),
        idempotencyKey: null,
        requestHash: '',
      }),
    log: log.child({ component: 'erasure-completion' }),
  })

  let closed: Promise<void> | null = null
  return {
    url,
    server,
    registry,
    state,
    instanceId,
    close() {
      closed ??= (async () => {
        closing = true
        clearInterval(probe)
        // Stop accepting; in-flight requests finish (their commits included) before close resolves
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        await serverClosed
        await completion.stop()
        await publisher.drain()
        await publisher.close()
        await tail.close()
        await admin.disconnect()
        await ops?.close()
      })()
      return closed
    },
  }
}
