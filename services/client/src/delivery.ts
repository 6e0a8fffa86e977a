// Turns validated frames into delivered messages: tracks the position, drops duplicates, expands
// snapshots. Snapshot items of `subscribed` arrive as ordinary `event`s (snapshot: true) and go
// through the duplicate filter, so a re-subscribe after a reconnect re-delivers nothing already
// seen; a `reset` instead carries its whole snapshot and clears the filter.
import { Dedupe } from './dedupe.ts'
import type { Emitter } from './emitter.ts'
import type { EntryDelivery } from './entry-delivery.ts'
import { entryHook } from './entry-hook.ts'
import { ClientError } from './errors.ts'
import { asSnapshotItem } from './protocol.ts'
import type { ClientEventMap, NewsEventMessage, Position, ServerFrame } from './types.ts'

export class Delivery {
  position: Position | null
  duplicates = 0
  delivered = 0
  readonly capacity: number
  #dedupe: Dedupe
  /** Resets so far: a page asked for at one count is taken only at the same (refuseIfReset). */
  resets = 0
  /**
   * The view changed (`update()`): the next subscription starts fresh and its snapshot replaces what
   * the reader holds, as a `reset`. Resumed instead, it would bring nothing the new view adds, and
   * a story held from the old view would never hear of its kill (red5 attack run, 2026-12-04).
   */
  startOver = false
  readonly emitter: Emitter<ClientEventMap>
  #entries: EntryDelivery | null = null

  constructor(since: Position | null, dedupeCapacity: number, emitter: Emitter<ClientEventMap>) {
    this.position = since
    this.capacity = dedupeCapacity
    this.#dedupe = new Dedupe(dedupeCapacity)
    this.emitter = emitter
  }

  /** Entries of `story:` subscriptions, once live stories are in use (entry-hook.ts); else null. */
  get entries(): EntryDelivery | null {
    this.#entries ??= entryHook.support?.delivery(this) ?? null
    return this.#entries
  }

  /**
   * A reset forgets what was delivered and withdrawn: a page (of stories or of a story's entries)
   * answered before it could bring back one killed or deleted meanwhile (an outside review,
   * 2026-12-04), so a page asked for before a reset is refused, not merged.
   */
  refuseIfReset(askedAt: number, what: string): void {
    if (askedAt === this.resets) return
    throw new ClientError(
      'NEWSWIRE_ERR_CLIENT_REQUEST',
      `${what}: the stream started over (reset) while this page was on its way; ask again`,
      {
        details: { reset: true },
      },
    )
  }

  /**
   * `subscriptionId`: the id of the current subscription (acks of older ones are ignored).
   * `live()`: false once a listener closed the client, to stop mid-snapshot.
   */
  handle(frame: ServerFrame, subscriptionId: string | null, live: () => boolean): void {
    switch (frame.type) {
      case 'subscribed': {
        if (frame.id !== undefined && subscriptionId !== null && frame.id !== subscriptionId) return
        if (this.startOver) {
          this.startOver = false
          const { id, channels, more, ...rest } = frame
          const fresh = { id: id ?? null, channels, position: frame.position, snapshotSize: frame.snapshot.length }
          this.emitter.emit('subscribed', more === undefined ? fresh : { ...fresh, more })
          this.handle({ ...rest, type: 'reset', more: more ?? null }, subscriptionId, live)
          return
        }
        this.position = frame.position
        this.emitter.emit('subscribed', {
          id: frame.id ?? null,
          channels: frame.channels,
          position: frame.position,
          snapshotSize: frame.snapshot.length,
          ...(frame.more === undefined ? {} : { more: frame.more }),
          ...(frame.entriesMore === undefined ? {} : { entriesMore: frame.entriesMore }),
        })
        for (const item of frame.snapshot) {
          if (!live()) return
          const message = this.#snapshotItem(item, frame.position)
          if (message) this.#deliver(message)
        }
        if (frame.entries) this.entries?.subscribed(frame, live)
        return
      }
      case 'event':
        this.position = frame.position
        this.#deliver({
          type: 'event',
          channel: frame.channel || null,
          position: frame.position,
          event: frame.event,
          embargoed: frame.embargoed === true,
          released: frame.released === true,
          snapshot: false,
        })
        return
      case 'withdrawn':
        this.position = frame.position
        if (
          !this.#dedupe.acceptWithdrawn(frame.articleId, frame.version ?? null, frame.cause ?? null, frame.guess, frame.erased === true)
        ) {
          this.duplicates++
          return
        }
        this.delivered++
        this.#entries?.forgetStory(frame.articleId)
        this.emitter.emit('withdrawn', {
          type: 'withdrawn',
          position: frame.position,
          articleId: frame.articleId,
          reason: frame.reason ?? null,
          cause: frame.cause ?? null,
          ...(frame.erased ? { erased: true } : {}),
        })
        return
      case 'reset': {
        this.position = frame.position
        this.resets++
        this.#dedupe.clear()
        this.#entries?.clear()
        const items: NewsEventMessage[] = []
        for (const raw of frame.snapshot) {
          const item = this.#snapshotItem(raw, frame.position)
          if (!item) continue
          // a kill is final: a snapshot from behind it (a lagging process) shows only the killed version
          if (this.#dedupe.afterKill(item.event)) continue
          this.#dedupe.acceptEvent(item.event, item)
          items.push(item)
        }
        this.delivered++
        this.emitter.emit('reset', {
          type: 'reset',
          position: frame.position,
          snapshot: items.map((i) => i.event),
          items,
          more: frame.more ?? null,
          ...(frame.entries && this.entries?.reset(frame)),
        })
        return
      }
      case 'entry':
      case 'entryWithdrawn':
        this.position = frame.position
        this.entries?.handle(frame)
        return
      case 'error':
        this.emitter.emit(
          'error',
          new ClientError('NEWSWIRE_ERR_CLIENT_SERVER', `server error ${frame.code}: ${frame.message}`, {
            retriable: true,
            details: { serverCode: frame.code, ...(frame.ref === undefined ? {} : { ref: frame.ref }) },
          }),
        )
        return
      case 'gap':
        if (frame.id !== undefined && subscriptionId !== null && frame.id !== subscriptionId) return
        if (frame.position !== undefined) this.position = frame.position
        this.emitter.emit('gap', { type: 'gap', position: frame.position ?? null, shed: frame.shed, conflated: frame.conflated })
        return
      case 'pong':
      case 'reconnect':
        return
    }
  }

  /**
   * Items of a page of older items (client.older): the versions this client has not had, marked
   * as delivered so the stream does not bring them again. Malformed items are reported and skipped.
   */
  acceptPage(raw: readonly unknown[], position: Position): NewsEventMessage[] {
    const out: NewsEventMessage[] = []
    for (const r of raw) {
      const item = this.#snapshotItem(r, position)
      if (!item) continue
      if (this.#dedupe.acceptEvent(item.event, { ...item, page: true })) out.push(item)
      else this.duplicates++
    }
    return out
  }

  #snapshotItem(raw: unknown, position: Position): NewsEventMessage | null {
    const item = asSnapshotItem(raw)
    if (!item) {
      this.protocolError('snapshot item', raw)
      return null
    }
    return { type: 'event', channel: item.channel, position, event: item.event, embargoed: item.embargoed, released: false, snapshot: true }
  }

  #deliver(message: NewsEventMessage): void {
    if (!this.#dedupe.acceptEvent(message.event, message)) {
      this.duplicates++
      return
    }
    this.delivered++
    this.emitter.emit('event', message)
  }

  protocolError(what: string, item: unknown): void {
    this.emitter.emit(
      'error',
      new ClientError('NEWSWIRE_ERR_CLIENT_PROTOCOL', `Skipped a malformed ${what}: ${JSON.stringify(item)?.slice(0, 200)}`, {
        retriable: true,
      }),
    )
  }
}
