// Attack run red7 (2026-12-05): the fan-out host's own clock stepping around an embargo. The
// ledger's clock (ledger.ts `advance`) only ever moves forward, and a version read live is judged
// released against it (`#applied`, `released: at <= now`). So one pass of the hub while the host's
// clock is wrongly ahead (a bad NTP step, a VM restored with a clock in the future, corrected a
// moment later) leaves the ledger that far ahead until the real clock catches up: every embargo
// ingest writes in that span, however long after the clock was corrected, reaches public readers
// the moment it is read, not at its embargo time. What was due during the glitch itself going out
// early cannot be helped (the server's clock decides); what is written after it can.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { answerPage } from '../src/http/snapshot.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { shown, subscribe } from './support/live-story.ts'

const START = 1_800_000_000_000
const MIN = 60_000
const HOUR = 60 * MIN

test('a host clock stepped ahead for a moment, then back, does not release embargoes written after it was corrected', async () => {
  const h = new Harness({ partitions: 2, start: START })
  h.append(event('CREATED', { id: 'before', version: 1 }, START - MIN))
  h.start()
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()

  // the host's clock jumps an hour ahead; one pass of the loop runs (any event read wakes it)
  h.clock.step(HOUR)
  h.append(event('UPDATED', { id: 'before', version: 2 }, START))
  await h.settle()
  // NTP steps it back a second later
  h.clock.step(-HOUR + 1000)
  await h.settle()

  // Ten minutes later by the (correct) clock, the desk files a story under embargo for 12:30
  await h.tick(10 * MIN)
  const embargo = START + 30 * MIN
  h.append(
    event('CREATED', { id: 'budget', version: 1, headline: 'Budget: tax rises (embargoed)', embargoedUntil: embargo }, h.clock.now()),
  )
  await h.settle()
  assert.ok(h.clock.now() < embargo, 'the embargo is still 20 minutes away on the host clock')
  assert.deepEqual(
    shown(reader.t.messages).filter((id) => id === 'budget'),
    [],
    `a public live reader got the embargoed story ${Math.round((embargo - h.clock.now()) / MIN)} min before its embargo`,
  )
  const page = JSON.parse(
    answerPage(new URL('http://f/v1/snapshot'), { audience: 'public', expiresAt: null, reject: null }, h.routeDeps(50)),
  ) as {
    items: { article: { id: string } }[]
  }
  const ids = page.items.map((i) => i.article.id)
  assert.ok(!ids.includes('budget'), `the public snapshot holds the embargoed story before its embargo: ${ids}`)

  // at the embargo time it goes out, once
  await h.tick(embargo - h.clock.now())
  assert.deepEqual(
    shown(reader.t.messages).filter((id) => id === 'budget'),
    ['budget'],
  )
  h.hub.stop()
})
