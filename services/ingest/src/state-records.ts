// What the state tail does with each record of news.articles, in log order on its partition: a
// tombstone kills what it names, a record is the latest state of its key (and the answer of the
// keyed request it carries). server.ts runs it on the tail; tests feed it records by hand.
import { peekEventId } from '@newswire/shared'
import type { KafkaMessage, NewswireEvent } from '@newswire/shared'
import { rememberAnswer } from './answers.ts'
import type { IdempotencyCache } from './idempotency-cache.ts'
import type { Remembered } from './outcome.ts'
import type { ReadBack } from './read-back.ts'
import { carriedBy } from './state.ts'
import type { ArticleState } from './state.ts'

export interface StateRecordsDeps {
  state: ArticleState
  readBack: ReadBack
  codec: { decode(value: Buffer): NewswireEvent }
  idempotency: IdempotencyCache<Remembered>
  /** A record that could not be decoded (a newer ingest's schema): skipped, its key unreadable here. */
  undecodable: (err: unknown, m: KafkaMessage) => void
}

/** Reads one record of news.articles on `partition` into the state. */
export function createStateRecords(deps: StateRecordsDeps): (m: KafkaMessage, partition: number) => void {
  const { state, readBack, codec, idempotency } = deps
  // Our own commits are not decoded: the event awaited by the publisher is applied here, in log
  // order, and events already in the state are skipped (decoding that echo cost a tenth of ingest
  // CPU). A commit of ours that failed but landed anyway is in neither, so it is read here like
  // any other. Whether the record could be read.
  const take = (m: KafkaMessage, value: Buffer): boolean => {
    const eventId = peekEventId(value)
    const own = eventId === null ? undefined : readBack.seen(eventId)
    if (own !== undefined) {
      state.apply(own)
      // its answer too: a commit whose acknowledgement was lost after this read (the publisher
      // then answers 503 and never tells the submitter) was decided again on a retry (red15c)
      rememberAnswer(idempotency, m, () => own)
      return true
    }
    if (eventId !== null && state.hasEvent(eventId)) return true
    try {
      const event = codec.decode(value)
      state.apply(event, carriedBy(m.headers))
      rememberAnswer(idempotency, m, () => event)
      return true
    } catch (err) {
      // a keyed request committed all the same: its retry is refused here, not decided again
      rememberAnswer(idempotency, m, () => null)
      deps.undecodable(err, m)
      return false
    }
  }
  return (m, partition) => {
    const key = m.key?.toString('utf8')
    if (m.value === null) {
      // a tombstone kills what it names (schemas/README.md): nothing is written over it
      if (key !== undefined) state.erase(key, `tombstone-${partition}-${m.offset}`, partition)
      return
    }
    // a record is ordered against a tombstone of its key only on the same partition (state.ts erase)
    if (key !== undefined) state.recordOn(key, partition)
    // in log order: whether the key's latest record can be read (state.ts unreadableState)
    const readable = take(m, m.value)
    if (key !== undefined) state.readable(key, readable)
  }
}
