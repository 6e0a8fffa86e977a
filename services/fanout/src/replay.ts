// Replays from Kafka for positions older than the in-memory history: a tail of its own from the
// cursor's offsets, delivering through the hub until memory covers the cursor, then a synchronous
// handover (hub.replayMaybeDone) so nothing falls between Kafka and memory.
import { createCodec, createTail, loadSchemas } from '@newswire/shared'
import type { ArticleEvent, Logger } from '@newswire/shared'
import type { Kafka } from 'kafkajs'
import type { Hub, Sub } from './hub.ts'

export interface KafkaReplaysOptions {
  kafka: Kafka
  topic: string
  groupPrefix: string
  log: Logger
  max: number
  onDecodeError: () => void
}

export class KafkaReplays {
  readonly #o: KafkaReplaysOptions
  readonly #codec = createCodec(loadSchemas())
  readonly #stops = new Set<() => void>()
  #hub: Hub | null = null
  #n = 0

  constructor(options: KafkaReplaysOptions) {
    this.#o = options
  }

  attach(hub: Hub): void {
    this.#hub = hub
  }

  available(): boolean {
    return this.#stops.size < this.#o.max
  }

  /** Starts reading for `sub` from its cursor; returns a function that stops it (idempotent). */
  start(sub: Sub): () => void {
    const hub = this.#hub
    if (!hub) throw new Error('replays not attached to a hub')
    const { log } = this.#o
    let stopped = false
    const from = new Map(sub.cursor.o.map((o, p) => [p, String(o)]))
    const tail = createTail({
      kafka: this.#o.kafka,
      topic: this.#o.topic,
      groupId: `${this.#o.groupPrefix}-${++this.#n}`,
      log: log.child({ component: 'replay' }),
      from,
      maxBytesPerPartition: 256 * 1024,
      onFatal: (err) => {
        if (stopped) return
        stop()
        hub.replayFailed(sub, err)
      },
      onBatch: async ({ partition, messages }) => {
        if (stopped) return
        for (const m of messages) {
          if (m.value === null) continue
          let event: ArticleEvent
          try {
            event = this.#codec.decode(m.value)
          } catch (err) {
            this.#o.onDecodeError()
            log.warn({ err, partition, offset: m.offset }, 'undecodable event skipped in replay')
            continue
          }
          if (!hub.replayEvent(sub, partition, Number(m.offset), event)) {
            stop()
            return
          }
        }
        const last = messages.at(-1)
        if (last) hub.replayProgress(sub, partition, Number(last.offset) + 1)
        if (hub.replayMaybeDone(sub)) {
          stop()
          return
        }
        await hub.replayWait(sub)
      },
    })
    // Batches holding only transaction markers advance positions without messages
    const check = setInterval(() => {
      if (stopped) return
      for (const [p, next] of tail.positions()) hub.replayProgress(sub, p, Number(next))
      if (hub.replayMaybeDone(sub)) stop()
    }, 100)
    check.unref()
    const stop = () => {
      if (stopped) return
      stopped = true
      clearInterval(check)
      this.#stops.delete(stop)
      tail.close().catch((err: unknown) => log.warn({ err }, 'closing a replay tail failed'))
    }
    this.#stops.add(stop)
    tail.start().catch((err: unknown) => {
      if (stopped) return
      stop()
      hub.replayFailed(sub, err)
    })
    return stop
  }

  closeAll(): void {
    for (const stop of [...this.#stops]) stop()
  }
}
