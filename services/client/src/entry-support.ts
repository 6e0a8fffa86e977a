// Live-story support for every client (entry-hook.ts): entry frames are understood, delivered and
// de-duplicated from now on. followStory() and storyEntries() call it.
import { EntryDelivery } from './entry-delivery.ts'
import { entryHook } from './entry-hook.ts'
import { entriesOf, parseEntryFrame } from './entry-protocol.ts'

/**
 * Turns on live-story messages for every client: `entry` and `entryWithdrawn`, the entries of
 * `subscribed` and `reset`. followStory() and storyEntries() turn them on by themselves; call this
 * before connect() only to read a `story:` subscription with the client alone. (They are apart so
 * that a bundle that never follows a live story carries none of it.)
 */
export function enableEntries(): void {
  entryHook.support ??= {
    parse: parseEntryFrame,
    entriesOf,
    delivery: (d) => new EntryDelivery(d),
  }
}
