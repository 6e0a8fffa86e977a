// Ingest metrics, on the service's own registry. Labels are bounded: routes are templates,
// reasons and types come from fixed lists; never article ids or key values.
import { Counter, Gauge, Histogram, latencyBuckets } from '@newswire/shared'
import type { Registry } from '@newswire/shared'

export function createIngestMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'newswire_ingest_http_requests_total',
      help: 'HTTP requests by route template, method and status code',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'newswire_ingest_http_request_duration_seconds',
      help: 'HTTP request duration by route template',
      labelNames: ['route'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    events: new Counter({
      name: 'newswire_ingest_events_published_total',
      help: 'Article events committed to Kafka, by event type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    tombstones: new Counter({
      name: 'newswire_ingest_tombstones_published_total',
      help: 'Tombstones committed to news.articles (erasures: an article key and its entry keys)',
      registers: [registry],
    }),
    unchanged: new Counter({
      name: 'newswire_ingest_unchanged_total',
      help: 'Requests whose content equalled the latest version (no event published)',
      registers: [registry],
    }),
    produceSeconds: new Histogram({
      name: 'newswire_ingest_produce_duration_seconds',
      help: 'Time from starting a Kafka transaction to its commit (acks=all)',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'newswire_ingest_produce_batch_events',
      help: 'Events committed per Kafka transaction (group commit)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    lingerSeconds: new Histogram({
      name: 'newswire_ingest_linger_seconds',
      help: 'How long a transaction waited for more requests to join it (INGEST_LINGER_MS), when it waited',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
      registers: [registry],
    }),
    fenced: new Counter({
      name: 'newswire_ingest_writer_fenced_total',
      help: 'Times a partition writer was fenced by another ingest instance and re-acquired',
      registers: [registry],
    }),
    validationFailures: new Counter({
      name: 'newswire_ingest_validation_failures_total',
      help: 'Rejected requests by reason (problem code)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    kafkaUp: new Gauge({
      name: 'newswire_ingest_kafka_connected',
      help: '1 when the last Kafka health probe succeeded, else 0',
      registers: [registry],
    }),
    rebuildSeconds: new Gauge({
      name: 'newswire_ingest_state_rebuild_seconds',
      help: 'How long rebuilding the latest state from news.articles took at start-up',
      registers: [registry],
    }),
    articles: new Gauge({
      name: 'newswire_ingest_articles_known',
      help: 'Articles in the in-memory latest state',
      registers: [registry],
    }),
    unseen: new Counter({
      name: 'newswire_ingest_unseen_acknowledgements_total',
      help: 'Commits acknowledged before they were seen readable (not read back from news.articles, or not stable in news.article-events, within 2 s)',
      labelNames: ['wait'] as const,
      registers: [registry],
    }),
    misplaced: new Gauge({
      name: 'newswire_ingest_misplaced_records',
      help: "Records of news.articles read away from their key's partition under the partition count this instance started with: partitions were added (or a writer that is not ingest placed them); no ingest starts on such topics",
      registers: [registry],
    }),
    partitionsAdded: new Gauge({
      name: 'newswire_ingest_partitions_added',
      help: '1 when news.article-events has another partition count than when this instance started: it still writes where records are, but no ingest will start on these topics',
      registers: [registry],
    }),
    unreadableStates: new Gauge({
      name: 'newswire_ingest_unreadable_states',
      help: 'Articles and entries whose latest record in news.articles this instance cannot decode: writes to them are refused (503)',
      registers: [registry],
    }),
  }
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>
