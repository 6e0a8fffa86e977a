// red16d attack run (2026-12-06): what a kill carries to find what to remove. The guide
// (schemas/README.md) said a WITHDRAWN's `article` "holds the last content" and to take the
// article off "pages, feeds and caches". An erasure's kill (POST /v1/articles/{id}/erase) keeps
// only what routes it: no url, no headline (erasure.ts withoutContent; so does the kill of an
// article too large to kill with its content). A partner's page cache purged by the kill's
// `article.url`, as the guide's words lead it to, purged nothing, and the erased article's page
// stayed public in that cache. Fixed in the guide: find what to remove by `article.id` and what you
// held of it, never by the kill's url or text.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createCodec, loadSchemas } from '@newswire/shared'
import type { NewswireEvent } from '@newswire/shared'
import { eventRecords } from './support/guide-records.ts'
import { appForTest } from './support/in-process-app.ts'

const codec = createCodec(loadSchemas())
const KEY = 'dev-ingest-key-1'
const guide = readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'README.md'), 'utf8').replace(/\s+/g, ' ')

/** A page cache keyed by URL, kept from what the public may see; `byId`: purged as the guide now says. */
function pageCache(byId: boolean) {
  const pages = new Map<string, string>()
  const urlsOf = new Map<string, Set<string>>()
  return {
    pages,
    read(e: NewswireEvent) {
      const a = e.article
      if (e.type === 'WITHDRAWN') {
        const urls = byId ? (urlsOf.get(a.id) ?? new Set<string>()) : new Set(a.url === null ? [] : [a.url])
        for (const url of urls) pages.delete(url)
        return
      }
      if (a.url === null || a.pubStatus !== 'usable' || a.embargoedUntil !== null) return
      pages.set(a.url, a.headline)
      urlsOf.set(a.id, (urlsOf.get(a.id) ?? new Set<string>()).add(a.url))
    },
  }
}

test('the guide says a kill may carry no url or text, and to find what to remove by the article’s id', () => {
  assert.ok(guide.includes('find what to remove by `article.id`'), 'by id')
  assert.ok(guide.includes("an erasure's kill carries no `url` and no text"), 'an erasure')
})

test('an erased article leaves a page cache purged as the guide says', async (t) => {
  const { app, call: send } = await appForTest(t, KEY)
  const call = (path: string, json: unknown, want: number) => send(path, 'POST', json, want)
  for (const id of ['erased', 'withdrawn']) {
    await call(
      '/v1/articles',
      { id, url: `https://example.com/news/${id}-story`, language: 'en', headline: `${id} story`, body: ['x'] },
      201,
    )
  }
  await call('/v1/articles/erased/erase', { reason: 'court order' }, 200)
  await call('/v1/articles/withdrawn/withdraw', { reason: 'legal' }, 200)
  const kill = app.publisher.published.find((e) => e.type === 'WITHDRAWN' && e.article.id === 'erased')
  assert.equal(kill?.article.url, null, 'an erasure’s kill keeps no url')
  for (const [byId, left] of [
    [true, []],
    [false, ['https://example.com/news/erased-story']],
  ] as const) {
    const cache = pageCache(byId)
    for (const r of eventRecords(codec, app.publisher.published)) if (r.value) cache.read(codec.decode(r.value))
    assert.deepEqual([...cache.pages.keys()], left, `purged by ${byId ? 'id' : 'the kill’s url'}`)
  }
})
