// Reading ingest's answers in tests: the errors a problem names, a batch's line results.
import assert from 'node:assert/strict'

export type Answer = { status: number; text: string; body: unknown }

/** `field code` of each error the problem body names. */
export const fieldCodes = (r: Answer): string[] =>
  ((r.body as { errors?: { field: string; code: string }[] }).errors ?? []).map((e) => `${e.field} ${e.code}`)

/** The answer is a 422 that names `field` with `code`. */
export function assertRefused(r: Answer, field: string, code: string, what: string): void {
  assert.equal(r.status, 422, `${what}: ${r.text}`)
  assert.ok(fieldCodes(r).includes(`${field} ${code}`), `${what}: names ${field} (${code}): ${r.text}`)
}

/** Each line of a batch answer: its status and the `field code` of its errors. */
export const batchLines = (r: Answer): [number, string[]][] =>
  (r.body as { results: { status: number; errors?: { field: string; code: string }[] }[] }).results.map((l) => [
    l.status,
    l.errors?.map((e) => `${e.field} ${e.code}`) ?? [],
  ])
