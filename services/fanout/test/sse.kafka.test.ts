// /v1/sse: the same stream as Server-Sent Events, resumable with Last-Event-ID.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { startTestIngest, uniquePrefix } from '../../../test/helpers.ts'
import { signNewsroomToken } from '../src/index.ts'
import { article, openSse, publish, startTestFanout } from './helpers.ts'
import type { SseEvent } from './helpers.ts'

const eventIds = (all: SseEvent[]) => all.filter((e) => e.event === 'event').map((e) => e.data.event?.eventId)

describe('SSE', { concurrency: true }, () => {
  test('receives events and resumes with Last-Event-ID', async (t) => {
    const prefix = uniquePrefix()
    const ingest = await startTestIngest(t, prefix)
    const fanout = await startTestFanout(t, prefix)
    const url = `${fanout.url}/v1/sse?channels=breaking,category:international&languages=bn&maxUrgency=3`
    const a = await openSse(t, url)
    assert.equal(a.status, 200)
    await a.until((all) => all.some((e) => e.event === 'subscribed'))
    assert.match(a.raw(), /^retry: 2000\n\n/)
    const e1 = await publish(ingest.url, article('bn-1', { language: 'bn', category: 'international' }))
    await publish(ingest.url, article('en-1', { category: 'international' }))
    await a.until((all) => eventIds(all).length >= 1)
    const first = a.events.find((e) => e.event === 'event') as SseEvent
    assert.equal(first.data.event?.eventId, e1.eventId)
    assert.equal(first.id, first.data.position)
    a.close()

    const missed = []
    for (let i = 0; i < 5; i++) missed.push((await publish(ingest.url, article(`bn-m${i}`, { language: 'bn', urgency: 2 }))).eventId)
    const b = await openSse(t, url, { 'last-event-id': first.id as string })
    await b.until((all) => eventIds(all).length >= 5)
    // a live marker after the replay: nothing but the missed events came before it
    const marker = (await publish(ingest.url, article('bn-marker', { language: 'bn', urgency: 2 }))).eventId
    await b.until((all) => eventIds(all).includes(marker))
    assert.deepEqual(eventIds(b.events), [...missed, marker])
  })

  test('bad requests get HTTP problems; a bad position gets error and reset; the newsroom may use all', async (t) => {
    const prefix = uniquePrefix()
    const fanout = await startTestFanout(t, prefix)
    assert.equal((await fetch(`${fanout.url}/v1/sse`)).status, 400)
    assert.equal((await fetch(`${fanout.url}/v1/sse?channels=all`)).status, 403)
    const bad = await fetch(`${fanout.url}/v1/sse`)
    assert.equal(bad.headers.get('content-type'), 'application/problem+json')
    assert.equal(((await bad.json()) as { code: string }).code, 'bad_message')
    // a position the server did not issue: the stream opens, says why, and starts from a snapshot
    const forged = await openSse(t, `${fanout.url}/v1/sse?channels=breaking&since=zzz`)
    assert.equal(forged.status, 200)
    const got = await forged.until((all) => all.some((e) => e.event === 'reset'))
    assert.equal(got[0]?.event, 'error')
    assert.equal(got[0]?.data.code, 'invalid_position')
    assert.equal((await fetch(`${fanout.url}/v1/sse?channels=all&token=bad`)).status, 401)
    const token = await signNewsroomToken(DEV_NEWSROOM_SECRET)
    const nr = await openSse(t, `${fanout.url}/v1/sse?channels=all&token=${token}`)
    assert.equal(nr.status, 200)
    await nr.until((all) => all.some((e) => e.event === 'subscribed'))
  })
})
