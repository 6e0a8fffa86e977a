// What a `withdrawn` message's cause means for a page. A kill (withdrawn, canceled) is final; a
// hold (embargoed again, withheld) or a move out of the view (left) is not: the story may come
// back as an `event`. An older server sends no cause: taken as a kill, the safe side of "must not run".
import type { WithdrawnCause } from '@newswire/client'

export const isKillCause = (cause: WithdrawnCause | null | undefined): boolean =>
  cause !== 'embargoed' && cause !== 'withheld' && cause !== 'left'
