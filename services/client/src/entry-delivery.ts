// Turns the entry frames of `story:` subscriptions into delivered messages, as delivery.ts does for
// articles: snapshot entries arrive as ordinary `entry` messages (snapshot: true) through the
// duplicate filter, so a re-subscribe re-delivers nothing already seen; pages do the same.
import type { Emitter } from './emitter.ts'
import { EntryDedupe } from './entry-dedupe.ts'
import { asEntry } from './entry-protocol.ts'
import type { EntryFrame, EntryMessage, EntryWithdrawnFrame } from './story-types.ts'
import type { ClientEventMap } from './types.ts'

interface Counters {
  delivered: number
  duplicates: number
}

export class EntryDelivery {
  #dedupe: EntryDedupe
  #emitter: Emitter<ClientEventMap>
  #counters: Counters
  #malformed: (what: string, raw: unknown) => void

  constructor(capacity: number, emitter: Emitter<ClientEventMap>, counters: Counters, malformed: (what: string, raw: unknown) => void) {
    this.#dedupe = new EntryDedupe(capacity)
    this.#emitter = emitter
    this.#counters = counters
    this.#malformed = malformed
  }

  /** A snapshot's entries (`subscribed.entries`), as `entry` messages; stops when `live()` turns false. */
  snapshot(storyId: string, raw: readonly unknown[], position: string, live: () => boolean): void {
    for (const r of raw) {
      if (!live()) return
      const m = this.#snapshotEntry(storyId, r, position)
      if (m) this.#deliver(m)
    }
  }

  entry(frame: EntryFrame): void {
    const { type, channel, ...rest } = frame
    this.#deliver({ type, channel: channel || null, ...rest, snapshot: false })
  }

  withdrawn(frame: EntryWithdrawnFrame): void {
    if (!this.#dedupe.acceptWithdrawn(frame.storyId, frame.entryId, frame.version, frame.cause)) {
      this.#counters.duplicates++
      return
    }
    this.#counters.delivered++
    const { channel: _channel, ...message } = frame
    this.#emitter.emit('entryWithdrawn', message)
  }

  /** Entries of a page: those this client has not had, marked delivered so the stream does not bring them again. */
  page(storyId: string, raw: readonly unknown[], position: string): EntryMessage[] {
    const out: EntryMessage[] = []
    for (const r of raw) {
      const m = this.#snapshotEntry(storyId, r, position)
      if (!m) continue
      if (this.#accept(m)) out.push(m)
      else this.#counters.duplicates++
    }
    return out
  }

  /** The story came down (a `withdrawn`): its entries may come back at the versions already delivered. */
  forgetStory(storyId: string): void {
    this.#dedupe.forgetStory(storyId)
  }

  clear(): void {
    this.#dedupe.clear()
  }

  #snapshotEntry(storyId: string, raw: unknown, position: string): EntryMessage | null {
    const parsed = asEntry(raw)
    if (!parsed) {
      this.#malformed('entry', raw)
      return null
    }
    return {
      type: 'entry',
      channel: null,
      position,
      storyId,
      change: parsed.entry.version > 1 ? 'updated' : 'created',
      correction: null,
      changedFields: [],
      entry: parsed.entry,
      embargoed: parsed.embargoed,
      released: false,
      snapshot: true,
    }
  }

  #accept(m: EntryMessage): boolean {
    return this.#dedupe.acceptEntry(m.storyId, m.entry.id, m.entry.version, m)
  }

  #deliver(m: EntryMessage): void {
    if (!this.#accept(m)) {
      this.#counters.duplicates++
      return
    }
    this.#counters.delivered++
    this.#emitter.emit('entry', m)
  }
}
