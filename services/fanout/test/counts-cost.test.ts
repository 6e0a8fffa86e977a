// GET /v1/counts is public and needs no token. It walked every story of the view in the window
// (up to a week: here 60,000 stories, tens of milliseconds of the loop that delivers every kill,
// about 0.5 MB) where a page stops after MAX_SCAN looked at (red6 attack run, 2026-12-04). Counts
// now stop there too, with the default bound (snapshot.test.ts checks where the window then starts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { answerCounts, answerPage } from '../src/http/snapshot.ts'
import { MAX_SCAN } from '../src/snapshot.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'

test('an anonymous counts request looks at no more articles than a page may', async () => {
  const h = new Harness({ partitions: 1, historySize: 1000 })
  const now = h.clock.now()
  const stories = 60_000
  const weekMs = 7 * 86_400_000
  for (let i = 0; i < stories; i++)
    h.append(
      event(
        'CREATED',
        { id: `w${i}`, version: 1, category: `desk-${i % 12}`, updatedAt: now - Math.floor((i / stories) * weekMs) },
        now - 1000,
      ),
      0,
    )
  h.start()
  await h.settle()

  let looked = 0
  const latest = h.store.ledger.latest.bind(h.store.ledger)
  h.store.ledger.latest = (id: string) => {
    looked++
    return latest(id)
  }
  const publicReader = { audience: 'public' as const, expiresAt: null, reject: null }

  answerPage(new URL('http://f/v1/snapshot?channels=category:nowhere,breaking&limit=200'), publicReader, h.routeDeps(50))
  assert.ok(looked <= MAX_SCAN, `a page stops after ${MAX_SCAN} articles looked at (this holds): ${looked}`)

  looked = 0
  const body = answerCounts(new URL('http://f/v1/counts?window=604800'), publicReader, h.routeDeps(50))
  h.hub.stop()
  assert.ok(
    looked <= MAX_SCAN,
    `one anonymous /v1/counts request looked at ${looked} articles (a page stops at ${MAX_SCAN}) and answered ${Math.round(body.length / 1024)} KiB`,
  )
})
