// Fan-out metrics, on the service's own registry. Labels are bounded: audience, transport,
// channel kind, message type, partition; never article, client or subscription ids.
import { Counter, Gauge, Histogram, latencyBuckets } from '@newswire/shared'
import type { Registry } from '@newswire/shared'

export function createFanoutMetrics(registry: Registry) {
  /** Where the release clock's lag is read from at each scrape (app.ts sets it once the feed runs). */
  const releaseClock = { behindMs: (): number => 0 }
  return {
    releaseClock,
    releaseClockBehind: new Gauge({
      name: 'newswire_fanout_release_clock_behind_seconds',
      help: "How far behind this host's clock embargoes are judged: the time since every partition of news.article-events was last known read to its end (about 0.25 s; it grows while Kafka cannot be reached or the fan-out is behind, and releases wait)",
      registers: [registry],
      collect() {
        this.set(Math.max(0, releaseClock.behindMs()) / 1000)
      },
    }),
    connections: new Gauge({
      name: 'newswire_fanout_connections',
      help: 'Open client connections by audience (public/newsroom) and transport (ws/sse)',
      labelNames: ['audience', 'transport'] as const,
      registers: [registry],
    }),
    connectionsRejected: new Counter({
      name: 'newswire_fanout_connections_rejected_total',
      help: 'Connections refused or closed at once, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    revocations: new Gauge({
      name: 'newswire_fanout_revocations',
      help: 'Rules in the newsroom token revocation list in force (NEWSROOM_REVOKED_FILE)',
      registers: [registry],
    }),
    revocationReloadFailures: new Counter({
      name: 'newswire_fanout_revocation_reload_failures_total',
      help: 'Changes of the revocation list that could not be read or parsed (the list in force stayed)',
      registers: [registry],
    }),
    revocationFileUnread: new Gauge({
      name: 'newswire_fanout_revocation_file_unread',
      help: '1 while the revocation list file, as it is now, could not be read: an edit is not in force',
      registers: [registry],
    }),
    connectionsRevoked: new Counter({
      name: 'newswire_fanout_connections_revoked_total',
      help: 'Open connections closed (4401) because the revocation list came to name their token',
      registers: [registry],
    }),
    tokenInUrl: new Counter({
      name: 'newswire_fanout_token_in_url_total',
      help: 'Requests carrying a newsroom token in the URL (?token=: an older SDK or an EventSource; proxies and CDNs log it), accepted or refused, by transport (websocket, sse, http); FANOUT_TOKEN_IN_URL=refuse once it stays at zero',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'newswire_fanout_subscriptions',
      help: 'Active subscriptions by channel kind (breaking, category, lang, all, filter)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    messages: new Counter({
      name: 'newswire_fanout_messages_sent_total',
      help: 'Messages written to clients, by transport',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'newswire_fanout_bytes_sent_total',
      help: 'Bytes written to clients, each message framed on its own, before batching and compression, by transport',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    wireBytes: new Counter({
      name: 'newswire_fanout_wire_bytes_sent_total',
      help: 'Bytes handed to client sockets: batched, and compressed where a client asked for compressed batches, by transport',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    conflated: new Counter({
      name: 'newswire_fanout_conflated_messages_total',
      help: 'Messages dropped from slow clients queues because a newer version of the same article was queued',
      registers: [registry],
    }),
    slowDisconnects: new Counter({
      name: 'newswire_fanout_slow_client_disconnects_total',
      help: 'Clients closed with 4008 because they could not keep up',
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'newswire_fanout_delivery_latency_seconds',
      help: 'Event ingestedAt to written on the client sockets (live deliveries)',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    ingestLead: new Gauge({
      name: 'newswire_fanout_ingest_clock_lead_seconds',
      help: "How far ahead of this fan-out's clock ingest stamped the last events read live (0: not ahead). Past 60 s, a restarted instance can no longer tell a release from a draft replaced before its embargo",
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'newswire_fanout_consumer_lag_messages',
      help: 'Offsets between the last event read and the high watermark, per partition of news.article-events',
      labelNames: ['partition'] as const,
      registers: [registry],
    }),
    replays: new Counter({
      name: 'newswire_fanout_replays_total',
      help: 'Subscriptions with `since`, by how they were served (memory, kafka, reset)',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    embargoed: new Gauge({
      name: 'newswire_fanout_embargoed_held',
      help: 'Usable articles held from the public until their embargo passes',
      registers: [registry],
    }),
    history: new Gauge({
      name: 'newswire_fanout_history_events',
      help: 'Events held in the in-memory history',
      registers: [registry],
    }),
    decodeErrors: new Counter({
      name: 'newswire_fanout_decode_errors_total',
      help: 'Kafka records that could not be decoded and were skipped, by reason (not_avro, unknown_schema, truncated, corrupt, invalid, other)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    undecodableHeaders: new Counter({
      name: 'newswire_fanout_undecodable_headers_total',
      help: 'news.articles records read at start whose earlier-views or earlier-statuses header could not be read; their earlier versions count as unknown (the latest view as possibly public)',
      labelNames: ['header'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'newswire_fanout_dead_letters_total',
      help: 'Undecodable events copied to news.article-events.dlq, by result (sent, failed)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    logBehindDisconnects: new Counter({
      name: 'newswire_fanout_log_behind_disconnects_total',
      help: 'Connections told to come back (1013) because this instance had not known the event log read to its end for a minute (shed-behind.ts)',
      registers: [registry],
    }),
    shed: new Counter({
      name: 'newswire_fanout_shed_messages_total',
      help: 'Messages shed from the queues of clients that fell behind, by lane (routine first; reported to them in `gap`)',
      labelNames: ['lane'] as const,
      registers: [registry],
    }),
    gaps: new Counter({
      name: 'newswire_fanout_gaps_sent_total',
      help: '`gap` messages sent (a subscription was told what was conflated or shed)',
      registers: [registry],
    }),
    replayReaders: new Counter({
      name: 'newswire_fanout_replay_readers_total',
      help: 'Kafka readers started for replays (each serves every subscription resuming from a nearby position)',
      registers: [registry],
    }),
    replayReadersActive: new Gauge({
      name: 'newswire_fanout_replay_readers',
      help: 'Kafka replay readers running now',
      registers: [registry],
    }),
    resumesAdmission: new Counter({
      name: 'newswire_fanout_resume_admissions_total',
      help: 'Resumes (subscribe with since) by admission result: admitted at once, queued, rejected with 1013',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
  }
}

export type FanoutMetrics = ReturnType<typeof createFanoutMetrics>
