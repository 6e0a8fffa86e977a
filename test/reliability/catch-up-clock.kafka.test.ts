// Outside review (2026-12-04), end to end: a fan-out started after an embargoed draft was replaced before its embargo
// reads its history a partition batch at a time, with one catch-up clock for all partitions
// (services/fanout/src/store.ts append: ledger.advance(event.ingestedAt)). A later event on a partition
// fetched first moves that clock past the draft's embargo, so the draft is taken as released:
// a public reader resuming on the new instance gets the draft's text, and a public live reader
// is told of the kill of a story the public never saw. The instance that was up all along does
// neither. Takes about 80 s: the embargo must lie more than the race allowance (60 s) after the
// replacement.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { partitionOf } from '@newswire/shared'
import { article, connect, publish, startTestFanout, withdraw } from '../../services/fanout/test/helpers.ts'
import type { Msg } from '../../services/fanout/test/helpers.ts'
import { startTestIngest, uniquePrefix } from '../helpers.ts'

/** An id that lands on partition `p` of 3, as ingest keys it. */
function idOn(p: number, stem: string): string {
  for (let i = 0; ; i++) if (partitionOf(`${stem}-${i}`, 3) === p) return `${stem}-${i}`
}

const headlinesOf = (ms: Msg[], id: string) =>
  ms
    .filter((m) => m.type === 'event')
    .map((m) => (m.event as { article: { id: string; version: number; headline: string } }).article)
    .filter((a) => a.id === id)
    .map((a) => `${a.version}:${a.headline}`)

test('a fan-out started later never hands the public a replaced embargoed draft, nor the kill of a story it never saw', {
  timeout: 180_000,
}, async (t) => {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const a = await startTestFanout(t, prefix)
  // one story of each kind on every partition: whichever partition a fetch hands over first, the
  // ones after it are read with its clock
  const xs = [0, 1, 2].map((p) => idOn(p, 'draft'))
  const ys = [0, 1, 2].map((p) => idOn(p, 'held'))
  // a public reader on category:news, connected before anything was written: its position
  const first = await connect(t, a.wsUrl)
  first.send({ type: 'subscribe', id: 's', channels: ['category:news'] })
  const subscribed = await first.next((m) => m.type === 'subscribed')
  const since = subscribed.position as string
  first.ws.close()

  const embargo = new Date(Date.now() + 75_000).toISOString()
  const news = { category: 'news', embargoedUntil: embargo }
  for (const x of xs) {
    await publish(ingest.url, article(x, { ...news, headline: 'DRAFT: minister resigns (unconfirmed)' }))
    await publish(ingest.url, article(x, { ...news, headline: 'Minister resigns', version: 2 }))
  }
  for (const y of ys) {
    await publish(ingest.url, article(y, { ...news, headline: 'Held story' }))
    await publish(ingest.url, article(y, { ...news, headline: 'Held story', pubStatus: 'withheld', version: 2 }))
  }
  await new Promise((r) => setTimeout(r, Date.parse(embargo) - Date.now() + 1500))
  // anything on the partitions fetched before the draft's, after its embargo
  for (const p of [0, 1, 2]) await publish(ingest.url, article(idOn(p, 'other'), { category: 'sports' }))
  await a.settled()

  // control: the instance up all along
  const control = await connect(t, a.wsUrl)
  control.send({ type: 'subscribe', id: 's', channels: ['category:news'], since })
  await control.until((all) => xs.every((x) => headlinesOf(all, x).length > 0), 10_000)
  await new Promise((r) => setTimeout(r, 1000))
  for (const x of xs) assert.deepEqual(headlinesOf(control.messages, x), ['2:Minister resigns'], `control, ${x}`)

  // a fan-out started now (a deploy, a crashed worker, a scale-up)
  const b = await startTestFanout(t, prefix)
  await b.settled()
  const resumed = await connect(t, b.wsUrl)
  resumed.send({ type: 'subscribe', id: 's', channels: ['category:news'], since })
  const live = await connect(t, b.wsUrl)
  live.send({ type: 'subscribe', id: 'l', channels: ['category:news'] })
  await live.next((m) => m.type === 'subscribed')
  await resumed.until((all) => xs.every((x) => headlinesOf(all, x).some((h) => h.startsWith('2:'))), 10_000)
  for (const y of ys) await withdraw(ingest.url, y, 'legal: names a minor')
  await b.settled()
  await new Promise((r) => setTimeout(r, 1500))
  const problems: string[] = []
  for (const x of xs) {
    const got = headlinesOf(resumed.messages, x)
    if (got.some((h) => h.includes('DRAFT'))) problems.push(`resumed public reader got the embargoed draft of ${x}: ${JSON.stringify(got)}`)
  }
  const told = live.messages.filter((m) => m.type === 'withdrawn').map((m) => `${m.articleId}:${m.cause}:${m.reason}`)
  if (told.length > 0) problems.push(`live public reader told of a story it never saw: ${JSON.stringify(told)}`)
  assert.deepEqual(problems, [])
})
