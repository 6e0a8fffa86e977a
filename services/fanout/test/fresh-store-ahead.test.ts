// A fresh subscription's snapshot is the ledger now, and the ledger applies a record as soon as
// the store reads it, before the live loop matches it (a backlog, or a pass still running). The
// subscription went live at once, and the live loop then matched that stretch for it as it matches
// it for readers connected all along, in log order: a reader who subscribed after this process had
// read a kill was sent the killed story's last version (its content), then the kill; one whose
// snapshot held a story was sent its older versions after the newer one, and the newest again.
// Found in the mutation sweep's fourth batch (groups.ts joinable, gk5). A record the snapshot
// already took in is now judged as a replay judges it (now: deliver.ts decideReplay), through the
// version gate of what the snapshot held.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import type { Message } from './support/harness.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import { subscribe } from './support/live-story.ts'
import { lagged, slow } from './support/slow-machine.ts'

const T = 1_800_000_000_000

/** What a client was sent, in order: the snapshot's versions, then each event's or withdrawal's. */
function sent(ms: Message[]): string[] {
  const out: string[] = []
  for (const m of ms) {
    if (m.type === 'subscribed') for (const e of m.snapshot as ArticleEvent[]) out.push(`snapshot ${e.article.id}@${e.article.version}`)
    else if (m.type === 'event') {
      const a = (m.event as ArticleEvent).article
      out.push(`event ${a.id}@${a.version}`)
    } else if (m.type === 'withdrawn') out.push(`withdrawn ${m.articleId as string}`)
  }
  return out
}

/** A process whose store has read `ahead` (after story A's v1) while its live loop has matched none of it; a public reader subscribes then. */
async function subscribedAhead(ahead: (at: number) => ArticleEvent[]): Promise<string[]> {
  const h = new Harness({ partitions: 1, start: T })
  h.start()
  h.append(event('CREATED', { id: 'A', version: 1 }, T - 1000))
  await h.settle()
  // a reader all along, written through a broadcast group the new one could join
  const before = h.connect('public')
  subscribe(h, before.conn, ['category:news'])
  await h.settle()
  for (const e of ahead(T)) {
    const log = h.log[0] as ArticleEvent[]
    log.push(e)
    h.store.append(0, log.length - 1, e)
  }
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  await h.settle()
  h.hub.stop()
  return sent(reader.t.messages)
}

/** Per article, the versions a client was sent (snapshot first), in order. */
function versionsOf(got: string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {}
  for (const g of got) {
    const m = /^(?:snapshot|event) (\w+)@(\d+)$/.exec(g)
    if (!m) continue
    const id = m[1] as string
    out[id] = [...(out[id] ?? []), Number(m[2])]
  }
  return out
}

test('a reader who subscribes after this process read a kill, not matched yet, is sent none of the killed story', async () => {
  const got = await subscribedAhead((at) => [
    event('CREATED', { id: 'B', version: 1 }, at),
    event('UPDATED', { id: 'A', version: 2, headline: 'Named the wrong man' }, at),
    event('WITHDRAWN', { id: 'A', version: 3, pubStatus: 'canceled' }, at),
  ])
  assert.deepEqual(versionsOf(got), { B: [1] }, `the killed story's content: ${JSON.stringify(got)}`)
})

test('a reader who subscribes while the live loop is behind the store is sent no version older than, or as old as, one it has', async () => {
  const got = await subscribedAhead((at) => [
    event('CREATED', { id: 'B', version: 1 }, at),
    event('UPDATED', { id: 'A', version: 2 }, at),
    event('UPDATED', { id: 'A', version: 3 }, at),
  ])
  const versions = versionsOf(got)
  for (const [id, vs] of Object.entries(versions))
    assert.ok(
      vs.every((v, i) => i === 0 || v > (vs[i - 1] as number)),
      `${id} went back or came twice: ${JSON.stringify(got)}`,
    )
  assert.deepEqual(Object.fromEntries(Object.entries(versions).map(([id, vs]) => [id, vs.at(-1)])), { A: 3, B: 1 }, 'ends on the newest')
})

test('a reader who subscribes while the live loop is behind is still sent what changes after it subscribed', async () => {
  const h = new Harness({ partitions: 1, start: T })
  h.start()
  h.append(event('CREATED', { id: 'A', version: 1 }, T - 1000))
  await h.settle()
  const log = h.log[0] as ArticleEvent[]
  const e = event('CREATED', { id: 'B', version: 1 }, T)
  log.push(e)
  h.store.append(0, log.length - 1, e)
  const reader = h.connect('public')
  subscribe(h, reader.conn, ['category:news'])
  h.append(event('UPDATED', { id: 'A', version: 2 }, T))
  h.append(event('WITHDRAWN', { id: 'B', version: 2, pubStatus: 'canceled' }, T))
  await h.settle()
  h.hub.stop()
  const got = sent(reader.t.messages)
  assert.deepEqual(versionsOf(got), { A: [1, 2] }, JSON.stringify(got))
})

test('on a slow machine, where readers join broadcast groups mid-pass, a reader who subscribes after a kill is sent none of the killed story', async (t) => {
  t.mock.method(performance, 'now', lagged)
  slow.on = true
  try {
    const got = await subscribedAhead((at) => [
      event('CREATED', { id: 'B', version: 1 }, at),
      event('CREATED', { id: 'C', version: 1 }, at),
      event('UPDATED', { id: 'A', version: 2, headline: 'Named the wrong man' }, at),
      event('WITHDRAWN', { id: 'A', version: 3, pubStatus: 'canceled' }, at),
    ])
    assert.deepEqual(versionsOf(got), { B: [1], C: [1] }, `the killed story's content: ${JSON.stringify(got)}`)
  } finally {
    slow.on = false
  }
})
