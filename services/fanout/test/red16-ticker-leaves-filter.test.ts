// red16 attack run (2026-12-06), a case that held: an update or a correction that takes a story out
// of a filtered ticker's view (its category or language no longer the ticker's, its urgency no
// longer breaking; ingest's changedFields naming the change or not) while the reader is connected,
// offline (then resumed), offline while it is also killed, or after a hold. The ticker's own model
// (web/headlines.ts) fed by the SDK as ticker.ts feeds it ends holding nothing: the server sends a
// `withdrawn` (cause `left`, or the kill) in every case, live and on the resume.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { connect } from '../../client/src/index.ts'
import { Headlines } from '../web/headlines.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { hubSocket, Line } from './support/sdk-bridge.ts'

const T0 = 1_800_000_000_000

function ticker(t: TestContext, h: Harness, line: Line, filter: Record<string, unknown>) {
  const hl = new Headlines(5)
  const client = connect('ws://hub.test', {
    channels: ['breaking'],
    filter: { tickerFieldsOnly: true, ...filter },
    WebSocket: hubSocket(h, 'public', line),
    transport: 'websocket',
    backoff: { minMs: 1, maxMs: 5 },
    giveUpAfterMs: Number.POSITIVE_INFINITY,
  })
  t.after(() => client.close())
  client.on('error', () => {})
  client.on('event', (m) => hl.apply(m))
  client.on('withdrawn', (m) => hl.remove(m.articleId))
  client.on('reset', (m) => hl.reset(m.items))
  return { client, ids: () => hl.list().map((x) => `${x.id}@${x.article.version}:${x.article.category}/${x.article.language}`) }
}
async function until(h: Harness, done: () => boolean, n = 100): Promise<void> {
  for (let i = 0; i < n && !done(); i++) {
    await h.settle()
    await new Promise((r) => setTimeout(r, 2))
  }
}

const moves: [string, Record<string, unknown>, Record<string, unknown>, string[]][] = [
  ['category', { categories: ['international'] }, { category: 'sports' }, ['category']],
  ['language', { languages: ['bn'] }, { language: 'en' }, ['language']],
  ['urgency', {}, { urgency: 5 }, ['urgency']],
  ['category, changedFields empty', { categories: ['international'] }, { category: 'sports' }, []],
]
for (const [what, filter, change, changed] of moves)
  for (const mode of ['live', 'offline', 'offline+kill', 'held-then-moved'] as const)
    test(`a story whose ${what} takes it out of the ticker's view (${mode}) leaves the ticker`, async (t) => {
      const h = new Harness({ partitions: 1, start: T0 })
      h.start()
      const base = { id: 's', category: 'international', language: 'bn', urgency: 1 }
      h.append(event('CREATED', { ...base, version: 1 }, h.clock.now()))
      await h.settle()
      const line = new Line()
      const tk = ticker(t, h, line, filter)
      await until(h, () => tk.ids().length === 1)
      assert.equal(tk.ids().length, 1)
      if (mode !== 'live') line.down()
      await until(h, () => false, 5)
      if (mode === 'held-then-moved') {
        h.append(event('UPDATED', { ...base, version: 2, pubStatus: 'withheld' }, h.clock.now(), { changedFields: ['pubStatus'] }))
        h.append(event('UPDATED', { ...base, ...change, version: 3 }, h.clock.now(), { changedFields: ['pubStatus', ...changed] }))
      } else h.append(event('UPDATED', { ...base, ...change, version: 2 }, h.clock.now(), { changedFields: changed }))
      if (mode === 'offline+kill') h.append(event('WITHDRAWN', { ...base, ...change, version: 3, pubStatus: 'canceled' }, h.clock.now()))
      await h.tick(1000)
      line.up = true
      await until(h, () => false, 30)
      assert.equal(tk.client.state, 'connected')
      h.hub.stop()
      assert.deepEqual(tk.ids(), [], `${what} ${mode}: ${JSON.stringify(tk.ids())}`)
    })
