// red23e attack run (2026-12-07): the holds' bucket (red22b's limit, closed this stop) was open
// only to a body sent with Content-Length. A desk's tool that streams its request body (Node's
// http.request written in pieces, Java's chunked streaming mode, Python requests given a
// generator, any client behind a proxy that rechunks) sends a hold as Transfer-Encoding: chunked:
// past its key's write limit it was refused 429 with the writes, and the story stayed public the
// while. A chunked body is now read as far as a hold can be (TAKEDOWN_MAX_BYTES) and told by its
// content like any other; one longer than that waits with the writes, unread past that size.
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import { http } from '../../../test/helpers.ts'
import { ArticleState } from '../src/state.ts'
import { TAKEDOWN_MAX_BYTES } from '../src/takedown.ts'
import { startInProcessApp } from './support/in-process-app.ts'

const KEY = 'dev-ingest-key-1'

/** A PATCH whose body goes in `pieces`, chunked (no Content-Length). */
function chunkedPatch(url: string, pieces: string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/merge-patch+json', 'transfer-encoding': 'chunked' },
    })
    req.on('error', reject)
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        text += d
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    for (const p of pieces) req.write(p)
    req.end()
  })
}

test('a hold sent chunked past the key write limit takes from the holds bucket; a long chunked body waits', async (t) => {
  const state = new ArticleState()
  const app = await startInProcessApp(state, `cms:${KEY}:*`, '1')
  t.after(() => app.close())
  const post = (id: string) =>
    http(`${app.url}/v1/articles`, { method: 'POST', key: KEY, json: { id, language: 'en', headline: 'Headline', body: ['Text.'] } })
  assert.equal((await post('story')).status, 201)
  assert.equal((await post('other')).status, 201)
  assert.equal((await post('more')).status, 429, 'the writes used the key tokens, as the case needs')

  // not a takedown, or too long to read past the limit: waits with the writes
  for (const pieces of [
    ['{"pubStatus":', '"withheld","headline":"New"}'],
    ['{"pubStatus":"withheld"', ' '.repeat(TAKEDOWN_MAX_BYTES), '}'],
  ]) {
    const r = await chunkedPatch(`${app.url}/v1/articles/story`, pieces)
    assert.equal(r.status, 429, `${pieces.join('').slice(0, 50)}: ${r.status} ${r.text}`)
  }
  assert.equal(state.get('story')?.article.pubStatus, 'usable')
  const held = await chunkedPatch(`${app.url}/v1/articles/story`, ['{"pubSta', 'tus":"with', 'held"}'])
  assert.equal(held.status, 200, `the chunked hold waited behind the key writes: ${held.status} ${held.text}`)
  assert.equal(state.get('story')?.article.pubStatus, 'withheld')
  // within the limit, a chunked write of any size is read as before
  await new Promise((r) => setTimeout(r, 2100))
  const big = await chunkedPatch(`${app.url}/v1/articles/other`, ['{"headline":"Longer"', ' '.repeat(TAKEDOWN_MAX_BYTES * 2), '}'])
  assert.equal(big.status, 200, big.text)
})
