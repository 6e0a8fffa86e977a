// A public reader of the two-process models (two-processes-model.test.ts,
// two-processes-clock-step-model.test.ts) as the SDK keeps it, and what ingest wrote: shared so
// that both judge readers alike.
import assert from 'node:assert/strict'
import type { ArticleEvent } from '@newswire/shared'
import type { Conn } from '../../src/model.ts'
import { Dedupe } from '../../../client/src/dedupe.ts'
import type { ArticleEvent as ClientEvent, WithdrawnCause } from '../../../client/src/types.ts'
import type { FakeTransport, Message } from './harness.ts'

/** An event as a client gets it (times as ISO strings). */
export type Sent = {
  eventId: string
  type: string
  article: { id: string; version: number; pubStatus: string; embargoedUntil: string | null }
}

/** A message in short: process, type, and the story and version it names. */
export function summary(proc: number, m: Message & Record<string, unknown>): string {
  const items = (m.snapshot ?? m.items) as Sent[] | undefined
  const e = m.event as Sent | undefined
  const what = e
    ? `${e.article.id}@${e.article.version}${m.released ? 'r' : ''}`
    : m.type === 'withdrawn'
      ? `${String(m.articleId)}@${String(m.version)}:${String(m.cause)}`
      : items
        ? `[${items.map((i) => `${i.article.id}@${i.article.version}`).join(',')}]${m.replay ? ` ${String(m.replay)}` : ''}`
        : String(m.code ?? m.reason ?? '')
  return `${proc}:${m.type}:${what}`
}

/** What ingest wrote of a story, in order. */
export type Written = ArticleEvent[]

export const killed = (e: ArticleEvent) => e.type === 'WITHDRAWN' || e.article.pubStatus === 'canceled'

/** The version the public may see now, or null. */
export function visible(w: Written | undefined, now: number): number | null {
  const e = w?.at(-1)
  if (!e || killed(e) || e.article.pubStatus !== 'usable') return null
  const at = e.article.embargoedUntil
  return at === null || at <= now ? e.article.version : null
}

/** An event as it was sent (what a page or the stream would carry of it). */
export const sentOf = (e: ArticleEvent): Sent => ({
  eventId: e.eventId,
  type: e.type,
  article: {
    id: e.article.id,
    version: e.article.version,
    pubStatus: e.article.pubStatus,
    embargoedUntil: e.article.embargoedUntil === null ? null : new Date(e.article.embargoedUntil).toISOString(),
  },
})

/**
 * A public reader as the SDK keeps it, through the SDK's own duplicate filter (services/client
 * dedupe.ts: newest version per story, kills final; red18); its position carries over connections.
 */
export class Reader {
  readonly shows = new Map<string, number>()
  readonly #filter = new Dedupe(10_000)
  /** Kills it keeps, as the SDK's duplicate filter does (a reset too, since red14). */
  readonly kills = new Set<string>()
  /** Every kill it was told, for S: nothing of those stories may reach it after. */
  readonly told = new Set<string>()
  position: string | null = null
  /** Fresh snapshots and resets it was sent (each replaces what it shows). */
  snapshots = 0
  on: { proc: number; conn: Conn; t: FakeTransport; read: number } | null = null
  /** What it was sent, in short, for a failure's message. */
  readonly got: string[] = []
  /** S's rule for a version sent by process `proc` (a model whose clocks step judges by more than the clock now). */
  readonly judge: (e: Sent, now: number, why: string, proc: number) => void

  /**
   * A newsroom reader's replay sends a killed story's earlier versions before its kill (deliver.ts
   * decideReplay: the newsroom sees the killed story): the SDK's filter keeps the kill final.
   */
  newsroom: boolean

  constructor(judge: (e: Sent, now: number, why: string, proc: number) => void = Reader.check, newsroom = false) {
    this.judge = judge
    this.newsroom = newsroom
  }

  /** S: a version the public could be sent now. */
  static check(e: Sent, now: number, why: string): void {
    const a = e.article
    assert.ok(
      e.type !== 'WITHDRAWN' && a.pubStatus === 'usable',
      `S. ${a.id} v${a.version} (${a.pubStatus}, ${e.type}) reached a public reader: ${why}`,
    )
    assert.ok(a.embargoedUntil === null || Date.parse(a.embargoedUntil) <= now, `S. ${a.id} v${a.version} before its embargo: ${why}`)
  }

  /**
   * `proc`: the process that sent it (the one the reader is on, unless a page says). `late`: a page
   * answered before a kill the stream brought first (HTTP and the socket race): the caller judged it
   * when it was answered, and the SDK's filter drops it here (delivery.ts acceptPage).
   */
  take(
    e: Sent,
    now: number,
    why: string,
    flags: { released?: boolean; snapshot?: boolean; page?: boolean; proc?: number; late?: boolean } = {},
  ): void {
    const { proc, late, ...kept } = flags
    if (!late) this.judge(e, now, why, proc ?? this.on?.proc ?? 0)
    if (!late && !this.newsroom)
      assert.ok(!this.told.has(e.article.id), `S. ${e.article.id} v${e.article.version} reached a reader told of its kill: ${why}`)
    const { id, version } = e.article
    const accepted = this.#filter.acceptEvent(e as unknown as ClientEvent, { embargoed: false, released: kept.released === true, ...kept })
    // the newsroom's killed story, as killed (a snapshot's or a page's): it is told, and shows it no more
    if (e.type === 'WITHDRAWN') {
      this.kills.add(id)
      this.told.add(id)
      this.shows.delete(id)
    }
    if (!accepted || e.type === 'WITHDRAWN') return
    if (this.kills.has(id)) return
    this.shows.set(id, version)
  }

  consume(now: number, why: string): void {
    if (!this.on) return
    const ms = this.on.t.messages as (Message & Record<string, unknown>)[]
    for (; this.on.read < ms.length; this.on.read++) {
      const m = ms[this.on.read] as Message & Record<string, unknown>
      this.got.push(summary(this.on.proc, m))
      if (typeof m.position === 'string') this.position = m.position
      if (m.type === 'reset' || (m.type === 'subscribed' && (m.replay ?? 'none') === 'none')) {
        this.shows.clear()
        this.snapshots++
        if (m.type === 'reset') this.#filter.clear()
        for (const e of (m.snapshot ?? []) as Sent[]) this.take(e, now, why, { snapshot: true })
      } else if (m.type === 'event') this.take(m.event as Sent, now, why, { released: m.released === true })
      else if (m.type === 'withdrawn') {
        const id = m.articleId as string
        const cause = m.cause as WithdrawnCause
        if (!this.#filter.acceptWithdrawn(id, m.version as number, cause, m.guess === true)) continue
        if (cause === 'withdrawn' || cause === 'canceled') {
          this.kills.add(id)
          this.told.add(id)
        }
        this.shows.delete(id)
      }
    }
  }
}
