// The client SDK in Node against the real fan-out (ingest, Kafka): what a newsroom tool built on it
// reads of each story's editorial state on opening (the snapshot) and live, over WebSocket and SSE.
// The snapshot path once dropped the server's embargo flag, so every tool showed held stories as
// running.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { WebSocket } from 'ws'
import { connect, type EditorialState, editorialState, type NewsEventMessage } from '../../services/client/src/index.ts'
import { signNewsroomToken } from '../../services/fanout/src/index.ts'
import { article, publish, connect as raw, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import { startTestIngest, uniquePrefix } from '../helpers.ts'

/** Waits until the fan-out has read what was published: a raw subscription's snapshot passes `ready`. */
async function caughtUp(t: TestContext, url: string, token: string, ready: (ids: string[]) => boolean): Promise<void> {
  const deadline = Date.now() + 15_000
  for (let n = 1; ; n++) {
    const probe = await raw(t, `${url.replace(/^http/, 'ws')}/v1/stream`, { token })
    probe.send({ type: 'subscribe', id: `probe${n}`, channels: ['all'] })
    const subscribed = await probe.next((m) => m.type === 'subscribed')
    probe.ws.close()
    // each story as `id` or, once killed, `id:canceled`
    const ids = (subscribed.snapshot as { article: { id: string; pubStatus: string } }[]).map((e) =>
      e.article.pubStatus === 'canceled' ? `${e.article.id}:canceled` : e.article.id,
    )
    if (ready(ids)) return
    if (Date.now() > deadline) throw new Error(`the fan-out did not catch up: snapshot ${ids.join(', ')}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('SDK: the newsroom reads embargoed, withheld, withdrawn and live, from the snapshot and live', { timeout: 60_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout = await startTestFanout(t, prefix)
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600 })
  const until = new Date(Date.now() + 10 * 60_000).toISOString()
  await publish(ingest.url, article('k-live', {}))
  await publish(ingest.url, article('k-embargoed', { embargoedUntil: until }))
  await publish(ingest.url, article('k-withheld', { pubStatus: 'withheld' }))
  await publish(ingest.url, article('k-canceled', {}))
  await withdraw(ingest.url, 'k-canceled', 'legal')
  await caughtUp(t, fanout.url, token, (ids) =>
    ['k-live', 'k-embargoed', 'k-withheld', 'k-canceled:canceled'].every((id) => ids.includes(id)),
  )

  for (const transport of ['websocket', 'sse'] as const) {
    const client = connect(fanout.url, { channels: ['all'], token, transport, WebSocket })
    t.after(() => client.close())
    const states = new Map<string, { state: EditorialState; snapshot: boolean }>()
    const seen = (m: NewsEventMessage) => states.set(m.event.article.id, { state: editorialState(m, Date.now()), snapshot: m.snapshot })
    client.on('event', seen)
    client.on('withdrawn', (m) => states.set(m.articleId, { state: editorialState(m, Date.now()), snapshot: false }))
    const opened = new Promise<void>((resolve) => client.on('subscribed', () => queueMicrotask(resolve)))
    await opened
    assert.deepEqual(
      Object.fromEntries([...states].filter(([id]) => id.startsWith('k-')).map(([id, s]) => [id, s.state])),
      { 'k-live': 'live', 'k-embargoed': 'embargoed', 'k-withheld': 'withheld', 'k-canceled': 'withdrawn' },
      `${transport}: the snapshot (a killed story stays in the newsroom's, as withdrawn)`,
    )
    assert.ok([...states.values()].every((s) => s.snapshot))

    // Live: a hold, a kill, a cancel
    const id = (s: string) => `${s}-${transport}`
    await publish(ingest.url, article(id('hold'), { pubStatus: 'withheld' }))
    await publish(ingest.url, article(id('kill'), {}))
    await withdraw(ingest.url, id('kill'), 'legal')
    // a second kill, of a story that had just run (ingest refuses pubStatus canceled: kills go through withdraw)
    await publish(ingest.url, article(id('cancel'), {}))
    await withdraw(ingest.url, id('cancel'), 'error in story')
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && !(states.get(id('kill'))?.state === 'withdrawn' && states.get(id('cancel'))?.state === 'withdrawn')) {
      await new Promise((r) => setTimeout(r, 50))
    }
    assert.deepEqual(
      [states.get(id('hold'))?.state, states.get(id('kill'))?.state, states.get(id('cancel'))?.state],
      ['withheld', 'withdrawn', 'withdrawn'],
      transport,
    )
    await client.close()
  }
})
