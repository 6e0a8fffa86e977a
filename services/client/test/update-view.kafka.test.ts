// update() against the real thing: a reader widens its view, then narrows it, then a story of the
// old view is killed. Resumed from the old position (as update() once did), the new view brought
// nothing it adds and the narrowed reader kept the killed story on screen for good (red5 attack
// run). Now each change of view starts from the new view's snapshot, delivered as a reset.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { article, publish, startTestFanout, withdraw } from '../../fanout/test/helpers.ts'
import { sleep, startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { connect, older } from '../src/index.ts'

async function until(pred: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

for (const transport of ['websocket', 'sse'] as const) {
  test(`update() over ${transport}: the new view's stories come, and none of the old view's stays behind`, {
    timeout: 60_000,
  }, async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    await publish(ingest.url, article('u-pol', { category: 'politics', headline: 'Minister quotes' }))
    await publish(ingest.url, article('u-spo', { category: 'sports', headline: 'Cup final' }))

    const client = connect(fanout.url, { channels: ['category:politics'], WebSocket, transport, backoff: { minMs: 50, maxMs: 200 } })
    t.after(() => client.close())
    // what a ticker shows: events add, withdrawals remove, a reset replaces
    const shown = new Set<string>()
    let resets = 0
    client.on('event', (m) => shown.add(m.event.article.id))
    client.on('withdrawn', (m) => shown.delete(m.articleId))
    client.on('reset', (m) => {
      resets++
      shown.clear()
      for (const e of m.snapshot) shown.add(e.article.id)
    })
    await until(() => shown.has('u-pol'), 'the politics story')

    client.update(['category:sports', 'category:politics'])
    await until(() => resets === 1, "the wider view's reset")
    assert.deepEqual([...shown].sort(), ['u-pol', 'u-spo'], 'the wider view brings the sports story already there')

    client.update(['category:sports'])
    await until(() => resets === 2, "the narrower view's reset")
    assert.deepEqual([...shown], ['u-spo'], 'the politics story leaves the screen with its view')
    await withdraw(ingest.url, 'u-pol', 'legal: the quotes were fabricated')
    await withdraw(ingest.url, 'u-spo', 'legal: wrong score')
    await until(() => !shown.has('u-spo'), "the sports story's kill")
    assert.deepEqual([...shown], [], 'no killed story stays on screen')
  })
}

test("older() pages only views within the stream's, and a story paged in hears of its kill", { timeout: 60_000 }, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  // a snapshot of one: the newest, the breaking story; the sports story comes only in a page
  const fanout = await startTestFanout(t, prefix, { FANOUT_SNAPSHOT_SIZE: '1' })
  await publish(ingest.url, article('o-spo', { category: 'sports', urgency: 5, headline: 'Cup final' }))
  await publish(ingest.url, article('o-brk', { category: 'national', urgency: 1, headline: 'Breaking: quake' }))
  const breaking = connect(fanout.url, { channels: ['breaking'], WebSocket, transport: 'websocket' })
  t.after(() => breaking.close())
  await until(() => breaking.position !== null, 'the breaking stream')
  // the sports story is outside a breaking stream: its kill would never reach this client
  await assert.rejects(older(breaking, null, { channels: ['category:sports'] }), /not one of the stream's/)

  const both = connect(fanout.url, { channels: ['breaking', 'category:sports'], WebSocket, transport: 'websocket' })
  t.after(() => both.close())
  const withdrawn: string[] = []
  both.on('withdrawn', (m) => withdrawn.push(m.articleId))
  await until(() => both.position !== null, 'the wider stream')
  const page = await older(both, null, { channels: ['category:sports'] })
  assert.deepEqual(
    page.items.map((m) => m.event.article.id),
    ['o-spo'],
  )
  await withdraw(ingest.url, 'o-spo', 'legal')
  await until(() => withdrawn.includes('o-spo'), 'the kill of the story paged in')
})
