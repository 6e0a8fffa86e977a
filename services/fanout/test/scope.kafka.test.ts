// Server-enforced audience filters: token claims desks, languages and embargo narrow what a
// newsroom connection sees, under any client filter, live, in snapshots, on resume and on SSE.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { signNewsroomToken } from '../src/index.ts'
import { article, connect, drain, eventsOf, publish, publishedTo, startTestFanout } from './helpers.ts'

const idOf = (m: { event: { article: { id: string } } }) => m.event.article.id

test('desks, languages and embargo claims hold live, in snapshots, on resume and on SSE', async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const scoped = await signNewsroomToken(DEV_NEWSROOM_SECRET, { desks: ['international'], languages: ['bn'], embargo: false })
  const full = await signNewsroomToken(DEV_NEWSROOM_SECRET)
  const intl = (id: string, extra: Record<string, unknown> = {}) => article(id, { category: 'international', language: 'bn', ...extra })
  await publish(ingest.url, intl('in-1'))
  await publish(ingest.url, intl('out-cat-1', { category: 'national' }))
  await publish(ingest.url, intl('out-lang-1', { language: 'en' }))
  await publish(ingest.url, intl('held-1', { embargoedUntil: new Date(Date.now() + 60_000).toISOString() }))
  await fanout.settled(publishedTo(ingest.url))

  // snapshot: only what the scope allows, whatever the subscription asks for
  const c = await connect(t, fanout.wsUrl, { token: scoped })
  c.send({ type: 'subscribe', id: 'n1', channels: ['all'] })
  const sub = await c.next((m) => m.type === 'subscribed')
  assert.deepEqual(
    (sub.snapshot as { article: { id: string } }[]).map((e) => e.article.id),
    ['in-1'],
  )
  const everything = await connect(t, fanout.wsUrl, { token: full })
  everything.send({ type: 'subscribe', id: 'n1', channels: ['all'] })
  const fullSnap = await everything.next((m) => m.type === 'subscribed')
  assert.equal((fullSnap.snapshot as unknown[]).length, 4, 'an unscoped newsroom token sees all four')

  // live: out-of-scope and embargoed items are not sent; an embargo is released at its time
  const releaseAt = Date.now() + 2500
  await publish(ingest.url, intl('held-2', { embargoedUntil: new Date(releaseAt).toISOString() }))
  await publish(ingest.url, intl('out-cat-2', { category: 'sports' }))
  await publish(ingest.url, intl('out-lang-2', { language: 'en-GB' }))
  await publish(ingest.url, intl('in-2', { language: 'bn-BD' }))
  await everything.until((all) => eventsOf(all).some((m) => idOf(m) === 'in-2'))
  await c.until((all) => eventsOf(all).some((m) => idOf(m) === 'held-2'), 10_000)
  assert.ok(Date.now() >= releaseAt)
  assert.deepEqual(eventsOf(c.messages).map(idOf), ['in-2', 'held-2'])
  assert.equal(eventsOf(c.messages).find((m) => idOf(m) === 'held-2')?.released, true)
  assert.equal(eventsOf(everything.messages).find((m) => idOf(m) === 'held-2')?.embargoed, true, 'the unscoped token saw it embargoed')

  // resume from before all that: the replay holds the same line (in the position's own view: one
  // resumed under another is refused, red16)
  const d = await connect(t, fanout.wsUrl, { token: scoped })
  d.send({ type: 'subscribe', id: 'n1', channels: ['all'], since: sub.position })
  await d.until((all) => eventsOf(all).some((m) => idOf(m) === 'held-2'), 10_000)
  await drain(fanout, d, ingest.url)
  assert.deepEqual(eventsOf(d.messages).map(idOf).sort(), ['held-2', 'in-2'])

  // SSE, with a resume position too
  const ac = new AbortController()
  t.after(() => ac.abort())
  const res = await fetch(`${fanout.url}/v1/sse?channels=all&since=${sub.position}&token=${scoped}`, { signal: ac.signal })
  assert.equal(res.status, 200)
  let text = ''
  const reading = (async () => {
    const decoder = new TextDecoder()
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true })
    } catch {
      // aborted
    }
  })()
  await publish(ingest.url, intl('out-cat-3', { category: 'national' }))
  await publish(ingest.url, intl('in-3'))
  const deadline = Date.now() + 10_000
  while (!text.includes('"id":"in-3"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  ac.abort()
  await reading
  const sseIds = [...text.matchAll(/"article":\{"id":"([^"]+)"/g)].map((m) => m[1])
  assert.deepEqual(sseIds.sort(), ['held-2', 'in-2', 'in-3'])
})
