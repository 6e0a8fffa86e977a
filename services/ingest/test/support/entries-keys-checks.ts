// What an editor sees of a live story after the entries-keys model's runs (red26c attack run,
// 2026-12-07): the story's controls in its listing and its article, and each entry read alone
// as it is listed. The entries model read the listing alone.
import assert from 'node:assert/strict'
import type { EntryJson } from '@newswire/shared'
import { http } from '../../../../test/helpers.ts'
import { keys } from './editorial-model.ts'
import { assertStoryShows } from './entries-driver.ts'
import type { StoryNo } from './entries-model.ts'
import type { World } from './entries-keys.ts'

export async function assertEditorSees(base: string, prefix: string, n: StoryNo, w: World, what: string): Promise<void> {
  const story = w.stories.get(n)
  await assertStoryShows(base, prefix, n, story, what)
  if (story === undefined) return
  const list = await http(`${base}/v1/articles/${prefix}-s${n}/entries`, { key: keys.desk.key })
  const listed = list.body as { pubStatus: string; entries: EntryJson[] }
  const controls = w.controls.get(n)
  if (!story.killed && controls !== undefined) {
    assert.equal(listed.pubStatus, controls.pubStatus, `${what}: the story's status`)
    const article = await http(`${base}/v1/articles/${prefix}-s${n}`, { key: keys.desk.key })
    const shown = (article.body as { article: { embargoedUntil: string | null } }).article.embargoedUntil
    assert.equal(shown && new Date(shown).toISOString(), controls.embargoedUntil, `${what}: the story's embargo ${article.text}`)
  }
  for (const e of listed.entries) {
    const one = await http(`${base}/v1/articles/${prefix}-s${n}/entries/${e.id}`, { key: keys.desk.key })
    assert.equal(one.status, 200, `${what}: ${e.id} alone: ${one.text}`)
    assert.deepEqual((one.body as { entry: EntryJson }).entry, e, `${what}: ${e.id} alone as listed`)
  }
  for (const entry of [0, 1, 2] as const) {
    if (story.entries.has(entry)) continue
    const one = await http(`${base}/v1/articles/${prefix}-s${n}/entries/e${entry}`, { key: keys.desk.key })
    assert.equal(one.status, 404, `${what}: e${entry}, never created: ${one.text}`)
  }
}
