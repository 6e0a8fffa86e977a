// The limit red22b left open: a hold or a new embargo is a write, and waited with the key's
// writes. A CMS re-syncing its archive through the key the desk's controls use took every token;
// the desk's hold of a story (its `PATCH {"pubStatus":"withheld"}`) was refused 429, retried into
// the same empty bucket, and the story stayed public the while. Past the writes' limit, a merge
// patch that only holds or embargoes (takedown.ts) now takes from a bucket of its own per key;
// anything else in the patch, a release, a body too large to read or a third hold within the
// second waits as before.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { TAKEDOWN_MAX_BYTES } from '../src/takedown.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'

test("a key's writes past its rate limit do not hold back its holds and embargoes; those have a limit of their own", async (t) => {
  const state = new ArticleState()
  // 1 request/s: bursts of 2
  const app = await startInProcessApp(state, `cms:${KEY}:*`, '1')
  t.after(() => app.close())
  const post = (id: string, extra: Record<string, unknown> = {}) =>
    http(`${app.url}/v1/articles`, {
      method: 'POST',
      key: KEY,
      json: { id, language: 'en', headline: 'Headline', body: ['Text.'], ...extra },
    })
  const patch = (path: string, body: string) =>
    http(`${app.url}${path}`, { method: 'PATCH', key: KEY, headers: { 'content-type': 'application/merge-patch+json' }, body })
  assert.equal((await post('story', { live: true })).status, 201)
  const entry = await http(`${app.url}/v1/articles/story/entries/e1`, { method: 'PUT', key: KEY, json: { body: ['First.'] } })
  assert.equal(entry.status, 201, entry.text)
  // the key's writes have used its burst: the next write waits
  const write = await post('more')
  assert.equal(write.status, 429, `the writes used the key's tokens, as the case needs: ${write.text}`)
  // neither a patch that also changes content, nor a release, nor a past embargo is a takedown
  for (const body of [
    '{"pubStatus":"withheld","headline":"New"}',
    '{"pubStatus":"usable"}',
    '{"embargoedUntil":null}',
    `{"embargoedUntil":"${new Date(Date.now() - 60_000).toISOString()}"}`,
    '{"pubStatus":"withheld","pubStatus":"usable"}',
    `{"pubStatus":"withheld"${' '.repeat(TAKEDOWN_MAX_BYTES)}}`,
  ]) {
    const r = await patch('/v1/articles/story', body)
    assert.equal(r.status, 429, `${body.slice(0, 60)}: ${r.status} ${r.text}`)
  }
  const held = await patch('/v1/articles/story', '{"pubStatus":"withheld"}')
  assert.equal(held.status, 200, `the hold waited behind the key's writes: ${held.status} ${held.text}`)
  assert.equal(state.get('story')?.article.pubStatus, 'withheld')
  const entryHeld = await patch('/v1/articles/story/entries/e1', '{"pubStatus":"withheld"}')
  assert.equal(entryHeld.status, 200, `an entry's hold too: ${entryHeld.text}`)
  assert.equal(state.entry('story', 'e1')?.entry.pubStatus, 'withheld')
  // holds have their own limit: a third within the second waits (an embargo is one), and writes still wait
  const third = await patch('/v1/articles/story', `{"embargoedUntil":"${new Date(Date.now() + 3_600_000).toISOString()}"}`)
  assert.equal(third.status, 429, third.text)
  assert.match((third.body as { detail?: string }).detail ?? third.text, /holds and embargoes/)
  assert.equal((await post('later')).status, 429, 'holds gave the writes no tokens')
  // and kills keep theirs
  const killed = await http(`${app.url}/v1/articles/story/withdraw`, { method: 'POST', key: KEY, json: { reason: 'legal' } })
  assert.equal(killed.status, 200, killed.text)
})
