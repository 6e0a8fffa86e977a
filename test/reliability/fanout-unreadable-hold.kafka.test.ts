// A change the fan-out cannot decode may be a hold (a legal withhold, a new embargo): it cannot
// tell which. Before, anything but a kill or an entry's deletion was skipped, and a story the
// newsroom withheld stayed public, live, in snapshots and on every instance started meanwhile, for
// as long as the fan-out could not read it (a deploy in the wrong order). It now fails closed as a
// hold (services/fanout/src/unreadable.ts), on a real broker here: the record written as a newer
// ingest writes it, to both topics.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEV_NEWSROOM_SECRET, topicNames } from '@newswire/shared'
import { signNewsroomToken } from '../../services/fanout/src/index.ts'
import { article, connect, drain, publish, startTestFanout } from '../../services/fanout/test/helpers.ts'
import { startTestIngest, uniquePrefix } from '../helpers.ts'
import { writeUnreadable } from './unreadable.ts'

type Item = { article: { id: string; version: number; pubStatus: string } }
const ids = (items: Item[]) => items.map((i) => i.article.id)

test('a change the fan-out cannot decode withholds the story from the public, live, on reload and on instances started later', async (t) => {
  const prefix = uniquePrefix()
  const topics = topicNames(prefix)
  const ingest = await startTestIngest(t, prefix)
  const a = await startTestFanout(t, prefix)
  const id = 'poison-hold-1'
  await publish(ingest.url, article(id))
  await a.settled()
  const reader = await connect(t, a.wsUrl)
  reader.send({ type: 'subscribe', id: 's', channels: ['category:national'] })
  const subscribed = await reader.next((m) => m.type === 'subscribed')
  assert.ok(JSON.stringify(subscribed.snapshot).includes(id), 'the reader sees the story')
  const position = subscribed.position as string
  const token = await signNewsroomToken(DEV_NEWSROOM_SECRET)
  const desk = await connect(t, a.wsUrl, { token })
  desk.send({ type: 'subscribe', id: 's', channels: ['all'] })
  await desk.next((m) => m.type === 'subscribed')

  // the newsroom withholds it (a court order); the fan-out cannot read the record
  await writeUnreadable(t, topics, id, { type: 'UPDATED', article: { pubStatus: 'withheld' } })
  await publish(ingest.url, article('poison-hold-after'))
  await drain(a, reader, ingest.url)

  const told = reader.messages.filter((m) => m.type === 'withdrawn' && m.articleId === id)
  assert.deepEqual(
    told.map((m) => m.cause),
    ['withheld'],
    'the live public reader is told it is withheld',
  )
  const held = await desk.next(
    (m) => m.type === 'event' && (m.event as Item).article.id === id && (m.event as Item).article.version === 2,
    10_000,
  )
  assert.equal((held.event as Item).article.pubStatus, 'withheld', 'the newsroom sees it withheld, as the public does not see it')

  const snapshot = async (url: string, auth = '') =>
    ((await (await fetch(`${url}/v1/snapshot?channels=category:national&limit=200${auth}`)).json()) as { items: Item[] }).items
  const reload = await snapshot(a.url)
  assert.ok(ids(reload).includes('poison-hold-after'), 'the snapshot is current')
  assert.ok(!ids(reload).includes(id), 'a public reload does not list it')
  const deskReload = await snapshot(a.url, `&token=${token}`)
  assert.equal(deskReload.find((i) => i.article.id === id)?.article.pubStatus, 'withheld', 'a newsroom reload lists it withheld')

  // instances started later: from news.articles alone, and with the records in memory
  for (const history of ['1', '50000']) {
    const b = await startTestFanout(t, prefix, { FANOUT_HISTORY_SIZE: history })
    await b.settled()
    const listed = await snapshot(b.url)
    assert.ok(ids(listed).includes('poison-hold-after'), `history ${history}: the snapshot is current`)
    assert.ok(!ids(listed).includes(id), `history ${history}: a new instance lists it to the public`)
    // a reader who saw it resumes there from before the hold: told, or told to start over without it
    const back = await connect(t, b.wsUrl)
    back.send({ type: 'subscribe', id: 's', channels: ['category:national'], since: position })
    await back.until((all) => all.some((m) => m.type === 'reset' || (m.type === 'withdrawn' && m.articleId === id)), 10_000)
    const reset = back.messages.find((m) => m.type === 'reset')
    if (reset) assert.ok(!JSON.stringify(reset).includes(id), `history ${history}: a reset lists the withheld story`)
  }
})
