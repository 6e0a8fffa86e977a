// Correction notes (IPTC signal sig:correction with its text), for articles and entries alike:
// an update may carry one; ingest appends it to the corrections list, which nothing else changes.
import type { Correction, FieldError } from '@newswire/shared'
import type { CorrectionInput } from './fields.ts'
import { limits } from './fields.ts'

export type Corrected = { ok: true; corrections: Correction[]; added: Correction | null } | { ok: false; error: FieldError }

/**
 * The list after an update that carries `input`. A note equal to the latest one, on an update that
 * changes nothing else (`changesOtherwise` false), adds nothing: it is a retry (without an
 * Idempotency-Key) of the correction already made. With a change it is a second correction in the
 * same words, and is told as one (red12b attack run, 2026-12-05: its signal was lost).
 */
export function addCorrection(
  list: readonly Correction[],
  input: CorrectionInput | null,
  at: number,
  changesOtherwise: boolean,
): Corrected {
  if (input === null || (!changesOtherwise && list.at(-1)?.note === input.note)) return { ok: true, corrections: [...list], added: null }
  if (list.length >= limits.corrections) {
    return {
      ok: false,
      error: {
        field: 'correction',
        code: 'too_big',
        message: `already ${list.length} corrections, the most one story or entry keeps; fold the change into the text`,
      },
    }
  }
  const added = { note: input.note, at: input.at ?? at }
  return { ok: true, corrections: [...list, added], added }
}

/** A correction sent with a write that creates: there is nothing yet to correct. */
export const nothingToCorrect = (what: string): FieldError => ({
  field: 'correction',
  code: 'nothing_to_correct',
  message: `${what} does not exist yet: a correction goes with an update`,
})
