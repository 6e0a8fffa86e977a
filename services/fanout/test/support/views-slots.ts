// The readers and connections of red25b-views-shed-model.test.ts: what the model keeps of each.
import type { Harness, FakeTransport } from './harness.ts'
import type { Reader } from './two-process-reader.ts'
import type { View } from './views-commands.ts'
import type { Page } from './views-pages.ts'

/** A reader's subscription: its id on its connection, its view, what it keeps (the SDK's). */
export interface Slot {
  sid: string
  /**
   * The SDK's update() on an open WebSocket: unsubscribe, then subscribe afresh under a new id, its
   * `subscribed` taken as a reset (startOver). Until it comes, what the old ids are still sent is
   * the old views' (the SDK reads every subscription's events); after it, nothing of them may be.
   */
  update: { n: number; startOver: boolean; old: Map<string, View> }
  /** The view a message being taken is judged by (an old subscription's), else `view`. */
  judgeView: View | null
  /** The connection it is on (`paired`: the second reader's subscription shares the first's). */
  link: number
  view: View
  reader: Reader
  /** A `gap` shed routine updates since its last fresh snapshot: E is then only "nothing outside". */
  lossy: boolean
  /** Every story it was sent (event, snapshot or page) since its last fresh snapshot. */
  shown: Set<string>
  /** The cursor of its older items (`more` of its last fresh snapshot or reset; null: none or paged to the end). */
  more: string | null
  /** How much was written when its last fresh snapshot came: a page taken after more was reads across changes. */
  pagedFrom: number
  /** A page answered but not yet merged (`late`), and the fresh snapshots the reader had had when it asked. */
  late: { page: Page; reader: Reader; snapshots: number } | null
  /** A ticker's last fresh snapshot was cut at the snapshot's size (it gets no cursor): E is then only "nothing outside". */
  cut: boolean
}

/** A connection: its transport, what of it was read, and when it comes back (away: steps left, and how). */
export interface Link {
  on: { conn: ReturnType<Harness['connect']>['conn']; t: FakeTransport; read: number } | null
  awayFor: number | null
  catchUpBack: 'all' | 'latest'
}
