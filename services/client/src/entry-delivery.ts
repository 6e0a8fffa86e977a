// Turns the entry frames of `story:` subscriptions into delivered messages, as delivery.ts does for
// articles: snapshot entries arrive as ordinary `entry` messages (snapshot: true) through the
// duplicate filter, so a re-subscribe re-delivers nothing already seen; pages do the same.
import { isKill, killOf } from './dedupe.ts'
import type { Delivery } from './delivery.ts'
import { EntryDedupe } from './entry-dedupe.ts'
import { asEntry } from './entry-protocol.ts'
import { touch } from './lru.ts'
import type { EntryFrame, EntryMessage, EntryWithdrawnFrame } from './story-types.ts'
import type { ResetFrame, SubscribedFrame } from './types.ts'

export class EntryDelivery {
  #dedupe: EntryDedupe
  /** The client's delivery: its emitter, its counters, its protocol errors. */
  #d: Delivery

  #killed = new Map<string, true>()

  constructor(d: Delivery) {
    this.#dedupe = new EntryDedupe(d.capacity)
    this.#d = d
    // Stories killed (#killed), kept across resets as the article filter keeps kills: a kill is final
    // and takes the story's entries with it. A reset, a stream or a page from a process behind the
    // kill held them, and that process's `withdrawn` then came as a repeat, never delivered (red18
    // attack run). Told by the client's own messages: the ticker's bundle carries none of it.
    const kill = (id: string) => touch(this.#killed, id, true, d.capacity)
    d.emitter.on('withdrawn', (m) => isKill(m.cause ?? null) && kill(m.articleId))
    d.emitter.on('event', (m) => killOf(m.event) && kill(m.event.article.id))
  }

  handle(frame: EntryFrame | EntryWithdrawnFrame): void {
    if (frame.type === 'entry') this.entry(frame)
    else this.withdrawn(frame)
  }

  /** A snapshot's entries (`subscribed.entries`), as `entry` messages; stops when `live()` turns false. */
  subscribed(frame: SubscribedFrame, live: () => boolean): void {
    const { story } = frame
    for (const r of story === undefined ? [] : (frame.entries ?? [])) {
      if (!live()) return
      const m = this.#snapshotEntry(story as string, r, frame.position)
      if (m) this.#deliver(m)
    }
  }

  /** A reset of a `story:` subscription that carries its entries: they replace what the reader had (`clear()` came first). */
  reset(frame: ResetFrame): { entries?: EntryMessage[]; entriesMore?: number | null } {
    const { story } = frame
    if (story === undefined || !frame.entries) return {}
    return { entries: this.page(story, frame.entries, frame.position), entriesMore: frame.entriesMore ?? null }
  }

  entry(frame: EntryFrame): void {
    const { type, channel, ...rest } = frame
    this.#deliver({ type, channel: channel || null, ...rest, snapshot: false })
  }

  withdrawn(frame: EntryWithdrawnFrame): void {
    if (!this.#dedupe.acceptWithdrawn(frame.storyId, frame.entryId, frame.version, frame.cause, frame.guess)) {
      this.#d.duplicates++
      return
    }
    this.#d.delivered++
    const { channel: _channel, ...message } = frame
    this.#d.emitter.emit('entryWithdrawn', message)
  }

  /** Entries of a page: those this client has not had, marked delivered so the stream does not bring them again. */
  page(storyId: string, raw: readonly unknown[], position: string): EntryMessage[] {
    const out: EntryMessage[] = []
    for (const r of raw) {
      const m = this.#snapshotEntry(storyId, r, position)
      if (!m) continue
      if (this.#accept(m)) out.push(m)
      else this.#d.duplicates++
    }
    return out
  }

  /**
   * Stories come down so far (any story: pages of one a stream follows are few, and a refused one
   * is asked again): a page asked for at one count is taken only at the same (story-requests.ts).
   */
  downs = 0

  /** The story came down (a `withdrawn`): its entries may come back at the versions already delivered. */
  forgetStory(storyId: string): void {
    this.downs++
    this.#dedupe.forgetStory(storyId)
  }

  clear(): void {
    this.#dedupe.clear()
  }

  #snapshotEntry(storyId: string, raw: unknown, position: string): EntryMessage | null {
    const parsed = asEntry(raw)
    if (!parsed) {
      this.#d.protocolError('entry', raw)
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
      guess: parsed.guess,
    }
  }

  #accept(m: EntryMessage): boolean {
    return !this.#killed.has(m.storyId) && this.#dedupe.acceptEntry(m.storyId, m.entry.id, m.entry.version, m)
  }

  #deliver(m: EntryMessage): void {
    if (!this.#accept(m)) {
      this.#d.duplicates++
      return
    }
    this.#d.delivered++
    this.#d.emitter.emit('entry', m)
  }
}
