// red15 attack run (2026-12-06): a newsroom token limited to a desk shared the head position of
// the unrestricted newsroom, signed again at every release: subscribing now and then, a politics
// desk watched the watermark of its `subscribed` position move while the offsets stood still,
// exactly at the embargo instant of another desk's story (red14 left it a known limit). Head
// positions are per audience (clearance and token scope: they name it, position.ts audienceKey),
// and signed again for the releases that audience may see.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AudienceScope } from '../src/audience.ts'
import { unrestricted } from '../src/audience.ts'
import { peekPosition } from '../src/position.ts'
import { Harness, type Message } from './support/harness.ts'
import { event } from './support/events.ts'
import { entryEvent } from './support/events.ts'
import { subscribe } from './support/live-story.ts'

const START = 1_800_000_000_000
const MIN = 60_000
const politics: AudienceScope = { categories: ['politics'], languages: null, embargo: true }
const english: AudienceScope = { categories: null, languages: ['en'], embargo: true }

/** The watermarks of the positions fresh subscribes of `scope` get, every 7 minutes for 42 minutes. */
async function watermarks(elsewhere: 'story' | 'entry' | null, scope: AudienceScope) {
  const h = new Harness({ partitions: 2, start: START })
  const story = event('CREATED', { id: 'sport-live', version: 1, live: true, category: 'sport', language: 'fr' }, START)
  h.append(story)
  if (elsewhere === 'story')
    h.append(
      event('CREATED', { id: 'sport-draft', version: 1, category: 'sport', language: 'fr', embargoedUntil: START + 30 * MIN }, START),
    )
  else if (elsewhere === 'entry')
    h.append(entryEvent(story.article, { id: 'e1', seq: 1, version: 1, embargoedUntil: START + 30 * MIN }, START))
  else h.append(event('CREATED', { id: 'q', version: 1, category: 'sport', language: 'fr' }, START))
  h.start()
  await h.settle()
  const out: number[] = []
  for (let m = 0; m < 6; m++) {
    const { conn, t } = h.connect('newsroom', scope)
    subscribe(h, conn, ['all'])
    await h.settle()
    out.push((peekPosition((t.messages[0] as Message).position as string).t - START) / MIN)
    await h.tick(7 * MIN)
  }
  h.hub.stop()
  return out
}

for (const [name, scope] of [
  ['desk', politics],
  ['language', english],
] as const)
  test(`a ${name}-limited token's head positions say nothing of the release of another ${name}'s story or entry`, async () => {
    const none = await watermarks(null, scope)
    for (const elsewhere of ['story', 'entry'] as const) assert.deepEqual(await watermarks(elsewhere, scope), none, elsewhere)
  })

test("the unrestricted newsroom's head position is signed again at such a release: it sees the story", async () => {
  const none = await watermarks(null, unrestricted)
  assert.notDeepEqual(await watermarks('story', unrestricted), none)
})

test("a release in the token's desk gives it a new head position, and its watermark covers it", async () => {
  const h = new Harness({ partitions: 2, start: START })
  h.append(event('CREATED', { id: 'r', version: 1, category: 'politics', embargoedUntil: START + 10 * MIN }, START))
  h.start()
  await h.settle()
  const head = () => peekPosition(h.hub.headPosition({ clearance: 'all', scope: politics })).t
  const before = head()
  await h.tick(15 * MIN)
  assert.ok(head() >= START + 10 * MIN, `${before} → ${head()}`)
  h.hub.stop()
})
