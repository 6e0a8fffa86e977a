// `catchUp: latest` on a `story:` channel: a reader resuming is brought to each entry's latest
// version only, as it is for articles (deliver.ts decideReplay), never the edits in between
// (story-deliver.ts decideEntryReplay). Mutation campaign 2026-12-05, mutant S6 (`catchUp` ignored
// for entries) survived every fan-out unit test.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { client, entryMsgs, lastPosition, setup } from './support/live-story.ts'

for (const catchUp of ['latest', 'all'] as const) {
  test(`a story reader resuming with catchUp ${catchUp} gets ${catchUp === 'latest' ? "each entry's latest version only" : 'every version'}`, async () => {
    const { h, story } = await setup()
    story.post('e1')
    await h.settle()
    const away = await client(h)
    const since = lastPosition(away.t.messages)
    h.hub.conns.remove(away.conn)
    story.edit('e1', { body: ['second'] })
    story.edit('e1', { body: ['third'] })
    await h.settle()
    const back = await client(h, {}, ['story:Live-1'], { since, catchUp })
    const versions = entryMsgs(back.t.messages).map((m) => `${m.entry.id} v${m.entry.version}`)
    assert.deepEqual(versions, catchUp === 'latest' ? ['e1 v3'] : ['e1 v2', 'e1 v3'])
    h.hub.stop()
  })
}
