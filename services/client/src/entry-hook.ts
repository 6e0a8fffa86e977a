// Where a client finds its live-story support (entry-support.ts). The client reaches entries only
// through this hook, so a bundle that never follows a live story (the ticker) carries none of it;
// followStory() and storyEntries() install it, enableEntries() does for a client used on its own.
import type { Delivery } from './delivery.ts'
import type { EntryDelivery } from './entry-delivery.ts'
import type { EntryFrame, EntryWithdrawnFrame } from './story-types.ts'

export interface EntrySupport {
  /** `entry` and `entryWithdrawn` frames; a string says what is wrong. */
  parse(raw: Record<string, unknown>): EntryFrame | EntryWithdrawnFrame | string | null
  /** The story and entries of a `subscribed` or `reset` frame. */
  entriesOf(raw: Record<string, unknown>): { story?: string; entries?: unknown[]; entriesMore?: number | null }
  /** The entry side of a client's delivery. */
  delivery(d: Delivery): EntryDelivery
}

export const entryHook: { support: EntrySupport | null } = { support: null }
