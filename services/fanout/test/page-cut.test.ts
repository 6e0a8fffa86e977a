// A page cut short by its scan limit (snapshot.ts MAX_SCAN) ends on the last article it looked at,
// visible or not. Found by an outside review: the cursor was readable JSON, so a public reader
// learned the id and editorial time of an embargoed or withheld story, and could aim the cut
// anywhere with a cursor of its own. Cursors are sealed now (page-cursor.ts): these check what a
// reader holds and can send, on GET /v1/snapshot and in `subscribed.more`.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Admission } from '../src/http/access.ts'
import { answerPage, type RequestError } from '../src/http/snapshot.ts'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { MAX_SCAN } from '../src/snapshot.ts'
import { Harness } from './support/harness.ts'
import { event } from './support/events.ts'
import type { Message } from './support/harness.ts'

const SECRET = 'secret-merger-acme-buys-globex'
const publicAccess: Admission = { audience: 'public', expiresAt: null, reject: null }
/** Whatever a reader can read out of a cursor: its bytes, as text. */
const readable = (cursor: string) => `${cursor} ${Buffer.from(cursor.slice(3), 'base64url').toString('latin1')}`

/** More articles than one page looks at, none matching urgency 1; the hidden one is the `hiddenAt`-th newest. */
async function bigDesk(hiddenAt: number, hidden: Record<string, unknown>) {
  const h = new Harness({ partitions: 2, historySize: 100 })
  const now = h.clock.now()
  for (let i = 0; i < MAX_SCAN + 20; i++) {
    const at = now - 1000 * (i + 1)
    const a = i === hiddenAt ? { id: SECRET, ...hidden } : { id: `pub-${String(i).padStart(6, '0')}`, urgency: 5 }
    h.append(event('CREATED', { version: 1, updatedAt: at, ...a }, now))
  }
  h.start()
  await h.settle()
  const page = (q: string) =>
    JSON.parse(answerPage(new URL(`http://f/v1/snapshot?${q}`), publicAccess, h.routeDeps(50))) as {
      items: { article: { id: string } }[]
      next: string | null
    }
  return { h, page }
}

test('a page cut by its scan limit on an embargoed or withheld story: the public cursor names nothing, and pages on past it', async () => {
  for (const hidden of [{ embargoedUntil: 1_800_000_000_000 + 3_600_000 }, { pubStatus: 'withheld' }]) {
    const { page } = await bigDesk(MAX_SCAN - 1, hidden)
    const first = page('maxUrgency=1&limit=200')
    assert.equal(first.items.length, 0)
    assert.ok(first.next !== null, 'a sparse view gets a cursor')
    assert.ok(!readable(first.next).includes('secret'), JSON.stringify(hidden))
    // the reader pages on from it to the end, and never sees the story
    const rest = page(`maxUrgency=1&limit=200&before=${first.next}`)
    assert.deepEqual([rest.items.length, rest.next], [0, null])
  }
})

test('a cursor the reader made (readable, as earlier releases gave, or altered) is refused: the cut cannot be aimed', async () => {
  const { h, page } = await bigDesk(MAX_SCAN + 10, { embargoedUntil: 1_800_000_000_000 + 3_600_000 })
  const now = h.clock.now()
  const made = `p1.${Buffer.from(JSON.stringify([now - 11_000, 'pub-000010', [0, 0], 0])).toString('base64url')}`
  const real = page('maxUrgency=1&limit=200').next as string
  const bytes = Buffer.from(real.slice(3), 'base64url')
  bytes[bytes.length - 20] = (bytes[bytes.length - 20] as number) ^ 1
  for (const before of [made, `p2.${bytes.toString('base64url')}`]) {
    assert.throws(
      () => page(`maxUrgency=1&limit=200&before=${before}`),
      (e: RequestError) => e.code === 'invalid_cursor',
    )
  }
})

test('subscribe: `more` of a public snapshot cut on an embargoed story names nothing', async () => {
  const { h } = await bigDesk(MAX_SCAN - 1, { embargoedUntil: 1_800_000_000_000 + 3_600_000 })
  const { conn, t } = h.connect('public')
  const filter = parseFilter({ maxUrgency: 1 }, 's')
  h.hub.handle(conn, { type: 'subscribe', id: 's', channels: parseChannels([], 's'), filter, since: null, catchUp: 'all' })
  await h.settle()
  const m = t.messages[0] as Message
  assert.equal(m.type, 'subscribed')
  assert.ok(typeof m.more === 'string', 'the snapshot has a cursor')
  assert.ok(!readable(m.more).includes('secret'))
})
