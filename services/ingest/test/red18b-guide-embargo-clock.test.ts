// red18b attack run (2026-12-06): a consumer built from schemas/README.md (a partner's push sender
// and search indexer, test/support/guide-consumer.ts) releasing an embargo by its own clock. The
// guide said only "embargoedUntil: if set, do not show the article to the public before this
// instant". A kill, a hold or a new embargo written a moment before the instant can still be ahead
// of a consumer's position in the log when the instant comes (consumer lag, a restart, a
// rebalance; a replay or a snapshot read days later): the consumer then holds the draft, its clock
// says the embargo passed, and it pushes and indexes a story (or entry) that was never published.
// Newswire's fan-out had the same hole (red14: a process reading its backlog) and releases by the
// time it last knew the log read to its end; ingest answers a hiding write only once it is inside
// that end (red17-kill-stable-before-ack.test.ts). Fixed in the guide: an embargo passes for a
// consumer once it has read what was written before it, the same rule.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createCodec, loadSchemas } from '@newswire/shared'
import { GuideConsumer } from './support/guide-consumer.ts'
import type { ConsumedRecord, GuideRules } from './support/guide-consumer.ts'
import { eventRecords, stateRecords } from './support/guide-records.ts'
import { appForTest } from './support/in-process-app.ts'
import type { Call, InProcessApp } from './support/in-process-app.ts'

const codec = createCodec(loadSchemas())
const KEY = 'dev-ingest-key-1'
const SECRET = 'Qk8neverpublic'
const DAY = 86_400_000
const guide = readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'README.md'), 'utf8').replace(/\s+/g, ' ')
const asGuided: GuideRules = { deletedEntryMarkers: true, markerMs: 15 * DAY, undecodableByHeaders: true, releaseClock: true }
const byTheClock: GuideRules = { ...asGuided, releaseClock: false }

/** A draft under embargo until `until`, then the desk's write that hides it, answered before `until`. */
interface Case {
  name: string
  /** The key of what must never be public (`<id>` or `<id>/<entry id>`). */
  key: string
  write(call: Call, until: string): Promise<void>
}

const draft = (id: string, until: string, extra: object = {}) => ({
  id,
  language: 'en',
  headline: `Draft ${SECRET}`,
  body: ['x'],
  urgency: 1,
  embargoedUntil: until,
  ...extra,
})

const cases: Case[] = [
  {
    name: 'a story killed before its embargo',
    key: 'killed',
    async write(call, until) {
      await call('/v1/articles', 'POST', draft('killed', until), 201)
      await call('/v1/articles/killed/withdraw', 'POST', { reason: 'legal' }, 200)
    },
  },
  {
    name: 'a story held before its embargo',
    key: 'held',
    async write(call, until) {
      await call('/v1/articles', 'POST', draft('held', until), 201)
      await call('/v1/articles/held', 'PATCH', { pubStatus: 'withheld' }, 200)
    },
  },
  {
    name: 'a story whose embargo was moved later',
    key: 'moved',
    async write(call, until) {
      await call('/v1/articles', 'POST', draft('moved', until), 201)
      await call('/v1/articles/moved', 'PATCH', { embargoedUntil: '2099-01-01T00:00:00Z' }, 200)
    },
  },
  {
    name: 'an entry deleted before its embargo',
    key: 'live/e1',
    async write(call, until) {
      await call('/v1/articles', 'POST', { id: 'live', language: 'en', headline: 'Live: verdict', summary: 's', live: true }, 201)
      await call(
        '/v1/articles/live/entries/e1',
        'PUT',
        { headline: `Verdict ${SECRET}`, body: ['x'], keyEvent: true, embargoedUntil: until },
        201,
      )
      await call('/v1/articles/live/entries/e1', 'DELETE', { reason: 'draft' }, 200)
    },
  },
]

/** The case written to a fresh app, its embargo an hour from now (ingest's clock). */
async function written(t: { after: (fn: () => Promise<void>) => void }, c: Case): Promise<{ app: InProcessApp; until: number }> {
  const { app, call } = await appForTest(t, KEY)
  const until = Math.ceil((Date.now() + 3_600_000) / 1000) * 1000
  await c.write(call, new Date(until).toISOString())
  return { app, until }
}

const leaked = (consumer: GuideConsumer) => consumer.everShown.filter((s) => s.includes(SECRET))

test('the guide releases an embargo once what was written before it is read, not by the clock', () => {
  assert.ok(guide.includes('An embargo passes for you once you have read what was written before it'))
  assert.match(
    guide,
    /`article\.embargoedUntil`\*\*: if set, do not show the article to the public before this instant, nor before you have read what was written before it/,
  )
})

for (const c of cases) {
  test(`a consumer behind the log at the embargo: ${c.name} is never shown`, async (t) => {
    const { app, until } = await written(t, c)
    const events = eventRecords(codec, app.publisher.published)
    const draftRecords = events.slice(0, -1)
    const hiding = events.at(-1) as ConsumedRecord
    for (const rules of [asGuided, byTheClock]) {
      let clock = until - 30 * 60_000
      const consumer = new GuideConsumer(codec, 3, rules, () => clock)
      // it reads the draft half an hour ahead and is then up to date
      for (const r of draftRecords) consumer.read(r)
      consumer.caughtUp(clock)
      // the desk's write is in the log (answered long before the embargo); the consumer falls
      // behind (a restart, a rebalance) and its timer fires at the embargo
      clock = until + 1000
      consumer.tick()
      consumer.read(hiding)
      consumer.caughtUp(clock)
      const what = `${c.name}, release clock ${rules.releaseClock}`
      assert.deepEqual(leaked(consumer).length > 0, !rules.releaseClock, `${what}: ${leaked(consumer).join('; ')}`)
      assert.deepEqual(consumer.pushes.includes(`${c.key.includes('/') ? 'entry' : 'article'}:${c.key}`), !rules.releaseClock, what)
      assert.ok(!consumer.shown.has(c.key), what)
    }
  })

  test(`a rebuild a day later (the guide's replay, or a snapshot of news.articles not yet compacted): ${c.name} is never shown`, async (t) => {
    const { app, until } = await written(t, c)
    const replay = eventRecords(codec, app.publisher.published)
    const snapshot = stateRecords(codec, app.publisher.written, false)
    for (const records of [replay, snapshot]) {
      for (const rules of [asGuided, byTheClock]) {
        const clock = until + DAY
        const consumer = new GuideConsumer(codec, 3, rules, () => clock)
        // it notes where the log ends now, then reads up to there, its timers running meanwhile
        for (const r of records) {
          consumer.read(r)
          consumer.tick()
        }
        consumer.caughtUp(clock)
        const what = `${c.name}, ${records === replay ? 'replay' : 'snapshot'}, release clock ${rules.releaseClock}`
        assert.deepEqual(leaked(consumer).length > 0, !rules.releaseClock, `${what}: ${leaked(consumer).join('; ')}`)
        assert.ok(!consumer.shown.has(c.key), what)
      }
    }
  })
}

test('the release clock still releases: an embargo that passed with nothing written after it is shown once read up to it', async (t) => {
  const { app, call } = await appForTest(t, KEY)
  const until = Math.ceil((Date.now() + 3_600_000) / 1000) * 1000
  await call('/v1/articles', 'POST', draft('kept', new Date(until).toISOString()), 201)
  let clock = until - 60_000
  const consumer = new GuideConsumer(codec, 3, asGuided, () => clock)
  for (const r of eventRecords(codec, app.publisher.published)) consumer.read(r)
  consumer.caughtUp(clock)
  assert.ok(!consumer.shown.has('kept'))
  clock = until + 500
  consumer.tick()
  assert.ok(!consumer.shown.has('kept'), 'not before the log is known read past the embargo')
  consumer.caughtUp(clock)
  assert.deepEqual([...consumer.shown], ['kept'])
  assert.deepEqual(consumer.pushes, ['article:kept'])
})
