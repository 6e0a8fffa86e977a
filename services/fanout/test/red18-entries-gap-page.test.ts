// red18 attack run, 2026-12-06: an older-entries page beside a slow stream, then a gap. A page with
// the reader's stream position (`at`) leaves out the entries the process read from there on, since
// the stream brings them (story-snapshot.ts olderEntries, stop 48). A stream that falls behind
// sheds routine versions (lanes.ts) and says so with a `gap`, after which followStory asks for the
// newest page (100 entries) only. So an edit of an older entry, queued for a reader whose socket is
// behind, was left out of the page the reader asked for meanwhile, then shed: the newest page after
// the gap does not reach that far down, and the reader, paged to the end, never showed the entry
// at all. The SDK (services/client) runs against the in-process hub (support/sdk-bridge.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { connect, followStory } from '../../client/src/index.ts'
import { Harness } from './support/harness.ts'
import { Story } from './support/live-story.ts'
import { hubFetch, hubSocket, Line } from './support/sdk-bridge.ts'

/** Until `done` holds, the hub settling and real time passing (the SDK's timers and microtasks). */
async function until(h: Harness, done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) {
    await h.settle()
    await new Promise((r) => setTimeout(r, 2))
  }
  assert.ok(done(), what)
}

test('a reader that paged while its stream was behind, then got a gap, ends with every entry it may see', async (t) => {
  const h = new Harness({ partitions: 1, limits: { maxPending: 32 } })
  h.start()
  const story = new Story(h, 'Live-1')
  // a live story longer than the newest page a gap reloads (100 entries)
  for (let i = 1; i <= 105; i++) story.post(`e${i}`)
  await h.settle()

  let backlog = 0
  const Base = hubSocket(h, 'public', new Line(), undefined, () => backlog)
  const sockets: InstanceType<typeof Base>[] = []
  const client = connect('ws://hub.test', {
    channels: ['story:Live-1'],
    entries: 2,
    WebSocket: class extends Base {
      constructor(url: string) {
        super(url)
        sockets.push(this)
      }
    },
    fetch: hubFetch(h),
    transport: 'websocket',
    backoff: { minMs: 1, maxMs: 5 },
    pingIntervalMs: 0,
  })
  t.after(() => client.close())
  const follower = followStory(client, 'Live-1')
  let gaps = 0
  client.on('gap', () => gaps++)
  await until(h, () => follower.entries.length === 2, 'the snapshot came')

  // the reader's link slows down; the desk corrects the oldest entry: its `entry` waits in the queue
  backlog = 10 * 1024 * 1024
  story.edit('e1', { body: ['e1, corrected'] })
  await h.settle()
  // "Show older entries", twice, to the end, meanwhile
  await follower.older(100)
  await follower.older(100)
  assert.equal(follower.hasOlder, false)

  // more routine updates while the link is slow: the oldest routine ones are shed
  for (let i = 106; i <= 130; i++) story.post(`e${i}`)
  await h.settle()
  backlog = 0
  h.hub.drained(sockets.at(-1)?.conn as NonNullable<(typeof sockets)[number]['conn']>)
  await until(h, () => gaps > 0 && follower.entries.some((e) => e.id === 'e130'), 'the queue was written, with a gap')
  // the follower's newest page after the gap lands; then the reader pages on as far as it can
  await until(h, () => follower.entries.length >= 100, 'the newest page came')
  for (let i = 0; i < 10 && follower.hasOlder; i++) await follower.older(100)

  const shown = new Set(follower.entries.map((e) => e.id))
  const missing = Array.from({ length: 130 }, (_, i) => `e${i + 1}`).filter((id) => !shown.has(id))
  assert.deepEqual(missing, [], 'entries the reader may see and never shows')
  assert.equal(follower.entries.find((e) => e.id === 'e1')?.version, 2, 'e1 at its corrected version')
})
