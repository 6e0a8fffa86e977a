// Editorial states as the server decides them, for the `states` filter: the same four words and the
// same precedence as the SDK's editorialState (services/client/src/editorial.ts), from the ledger's
// record (visibility.ts), never from a client's clock or word. Pure: no I/O, no clock.
//
// - `withdrawn`: killed (a withdrawal, or pubStatus canceled); only the newsroom sees these.
// - `withheld`: pubStatus withheld, held back for now; newsroom clearances only.
// - `embargoed`: under embargo now by the server's clock (the ledger has not released the version);
//   only a newsroom token with `embargo` sees these.
// - `live`: running: usable and released. Everything the public sees is live.
// A kill wins over a hold, and a hold over an embargo.
import type { EditorialState } from './channels.ts'
import { editorialStates } from './channels.ts'
import type { Change, Latest } from './visibility.ts'
import { isKill } from './visibility.ts'

export type { EditorialState }

export const isEditorialState = (s: string): s is EditorialState => (editorialStates as readonly string[]).includes(s)

/** The editorial state of an article's version as the ledger records it now. */
export function stateOf(s: Latest): EditorialState {
  if (isKill(s.event)) return 'withdrawn'
  if (s.event.article.pubStatus === 'withheld') return 'withheld'
  if (!s.released) return 'embargoed'
  return 'live'
}

/** No state filter (null) lets every state through. */
export function statesAllow(states: readonly EditorialState[] | null, s: Latest): boolean {
  return states === null || states.includes(stateOf(s))
}

/**
 * A change as a subscription with a state filter sees it: a version in a state outside the
 * filter is out of its view, like one outside its channels. A story that leaves the filter's
 * states is then retracted (`left`), one that enters it arrives as an event, and a kill still
 * reaches whoever may have been shown the story in any state (decide() falls back to exposure).
 */
export function narrowChange(ch: Change, states: readonly EditorialState[] | null): Change {
  if (states === null) return ch
  const before = ch.before !== null && ch.prior !== undefined && statesAllow(states, ch.prior) ? ch.before : null
  const after = ch.after !== null && statesAllow(states, ch.state) ? ch.after : null
  return before === ch.before && after === ch.after ? ch : { ...ch, before, after }
}
