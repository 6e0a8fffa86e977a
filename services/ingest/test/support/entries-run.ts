// What the entries model tests check after a run, on the unit path and against Kafka alike: the
// entry events as the model writes them down, and that every surviving entry can still be
// updated and deleted (while the entries of killed stories and deleted entries stay as they are).
import assert from 'node:assert/strict'
import { isEntryEvent } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import { http } from '../../../../test/helpers.ts'
import { keys } from './editorial-model.ts'
import type { ModelEntryEvent, ModelStory, StoryNo } from './entries-model.ts'

/** The entry events of run `prefix`, per `s<n>/e<m>`, in the model's terms; versions must grow. */
export function modelEventsOf(events: readonly NewswireEvent[], prefix: string): Record<string, ModelEntryEvent[]> {
  const out = new Map<string, ModelEntryEvent[]>()
  for (const e of events) {
    if (!isEntryEvent(e) || !e.article.id.startsWith(`${prefix}-s`)) continue
    const key = `${e.article.id.slice(prefix.length + 1)}/${e.entry.id}`
    const list = out.get(key) ?? []
    const prev = list.at(-1)
    assert.ok(prev === undefined || e.entry.version > prev.version, `${key}: version ${e.entry.version} after ${prev?.version}`)
    list.push({
      type: e.type,
      version: e.entry.version,
      seq: e.entry.seq,
      pubStatus: e.entry.pubStatus,
      embargoedUntil: e.entry.embargoedUntil === null ? null : new Date(e.entry.embargoedUntil).toISOString(),
      correction: e.correction?.note ?? null,
    })
    out.set(key, list)
  }
  return Object.fromEntries([...out].sort())
}

/** Every entry the model holds can be updated and deleted, unless deleted or in a killed story. */
export async function finalChecks(base: string, prefix: string, stories: Map<StoryNo, ModelStory>): Promise<void> {
  const key = keys.dev.key
  for (const [n, story] of stories) {
    for (const [entry, m] of story.entries) {
      const url = `${base}/v1/articles/${prefix}-s${n}/entries/e${entry}`
      const what = `${prefix}-s${n}/e${entry}`
      const patched = await http(url, {
        method: 'PATCH',
        key,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ headline: 'Last word' }),
      })
      const deleted = await http(url, { method: 'DELETE', key, json: { reason: 'end of the test' } })
      if (story.killed) {
        assert.deepEqual([patched.status, deleted.status], [404, 404], `${what}: ${patched.text} ${deleted.text}`)
      } else if (m.pubStatus === 'canceled') {
        assert.deepEqual([patched.status, deleted.status], [409, 200], `${what}: ${patched.text} ${deleted.text}`)
        assert.equal((deleted.body as { unchanged?: boolean }).unchanged, true, what)
      } else {
        assert.equal(patched.status, 200, `${what}: ${patched.text}`)
        assert.equal(deleted.status, 200, `${what}: ${deleted.text}`)
        const [p, d] = [patched.body as { version: number; type: string }, deleted.body as { version: number; type: string }]
        assert.deepEqual([p.type, p.version, d.type, d.version], ['ENTRY_UPDATED', m.version + 1, 'ENTRY_DELETED', m.version + 2], what)
      }
    }
  }
}
