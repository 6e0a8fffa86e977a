// Model-based test of the SDK's article feed (fast-check): what a site shows when it does what the
// README says (upsert each `event`, take an article down on `withdrawn`, replace everything with a
// `reset`'s items), against the fake fan-out's view as the reference. Random runs publish, update,
// hold and release (a new version runs again), and kill a few breaking stories, while the
// connection drops (a sloppy server replaying what it sent), lands on a process behind (which
// resets the reader to its own older head and then reads on), over WebSocket or SSE, with a
// duplicate filter of a few marks in some runs (`dedupeCapacity`) so that it reaches its bound.
// Versions go under embargo and are released (the same version again, `released`); half the runs
// read as a newsroom dashboard, which is sent them flagged and must show the release unflagged,
// and half as the public, told a story under embargo is out of view until its release.
// Held to: once a kill reached the site, nothing of that story is shown again (not from a replay,
// a reset or the stream); a public reader is sent nothing embargoed; once the stream is caught up,
// the site shows exactly its view, each story at its newest version (a newsroom's flagged as the
// embargo stands). A story page on the same client follows two of the stories (followArticle):
// never updated after the kill it was told of, nor given an embargoed version as the public, and
// once caught up holding the story's newest version if the view shows it, else gone. The
// follow-story model covers a live story's entries; this is the feed every ticker and front page
// reads.
// NEWSWIRE_MODEL_RUNS raises the number of runs (default 60, about 3 s).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { WebSocket } from 'ws'
import { ClientError, connect, followArticle, older } from '../src/index.ts'
import { FakeNewsServer, waitFor } from './fake-server.ts'
import { articleEvent } from './fakes.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'

const IDS = ['a', 'b', 'c', 'd'] as const
/** Two stories on each channel: a site may read both or narrow to breaking news (`update()`). */
const channelOf = (id: string) => (id === 'a' || id === 'b' ? 'breaking' : 'category:x')
const VIEWS = { both: ['breaking', 'category:x'], breaking: ['breaking'] } as const
type Hold = 'withheld' | 'embargoed'
type Kill = 'withdrawn' | 'canceled'

type Op =
  | { op: 'publish'; pick: number }
  | { op: 'hold'; pick: number; cause: Hold }
  | { op: 'kill'; pick: number; cause: Kill }
  | { op: 'drop'; overlap: number }
  | { op: 'lagDrop'; behind: number }
  | { op: 'standIn'; pick: number; off: number }
  | { op: 'view'; to: keyof typeof VIEWS }
  | { op: 'blockWebSocket'; block: boolean }
  | { op: 'embargo'; pick: number }
  | { op: 'release'; pick: number }
  | { op: 'page' }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('publish' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('hold' as const), pick: fc.nat(), cause: fc.constantFrom<Hold>('withheld', 'embargoed') }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('kill' as const), pick: fc.nat(), cause: fc.constantFrom<Kill>('withdrawn', 'canceled') }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('drop' as const), overlap: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('lagDrop' as const), behind: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('standIn' as const), pick: fc.nat(), off: fc.integer({ min: -1, max: 0 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('view' as const), to: fc.constantFrom<keyof typeof VIEWS>('both', 'breaking') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('blockWebSocket' as const), block: fc.boolean() }) },
  // a newsroom reader's: a version under embargo, then its release (the same version, flagged)
  { weight: 2, arbitrary: fc.record({ op: fc.constant('embargo' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
  // older(): a page of the newest versions, answered as of then, read whenever it lands
  { weight: 2, arbitrary: fc.constant({ op: 'page' as const }) },
)

/** A story as its newsroom has it: the newest version written, and whether the public may read it. */
interface Story {
  version: number
  state: 'none' | 'shown' | 'held' | 'killed'
  /** The newest version is under embargo (only a newsroom reader is sent it). */
  embargoed: boolean
}

/** A public reader (a ticker, a front page), or a newsroom dashboard, which is sent embargoed versions flagged. */
type Reader = 'public' | 'newsroom'

/** A page the stream's reset overtook is refused (the README: ask again); the site keeps the reset's items. */
function refusedAfterReset(err: unknown): void {
  if (err instanceof ClientError && (err.details as { reset?: boolean } | undefined)?.reset === true) return
  throw err
}

/** How often runs reached the cases the model is for (a generator that stops reaching them shows). */
const stats = {
  pages: 0,
  releasesHeard: 0,
  killsHeard: 0,
  resetsAfterKill: 0,
  heldThenRun: 0,
  boundedRuns: 0,
  standIns: 0,
  viewChanges: 0,
  /** Runs whose followers' ends were checked (none asked for a page), and followers ended absent. */
  followed: 0,
  followersAbsent: 0,
}
/** Stories a page follows with followArticle() on the same client, one on each channel. */
const FOLLOWED = ['a', 'c'] as const

/**
 * `replays`: what a resume sends again from before its position (the fake's `overlap`): events (as
 * the README says the SDK tolerates), or every frame; the latter only in the known run below: an old
 * `withdrawn` sent again after the version that lifted it at that very number takes the story down
 * for good (a server that replays withdrawals is outside what the SDK tolerates; the fan-out resumes
 * from the position and replays nothing).
 */
async function run(
  ops: Op[],
  transport: 'websocket' | 'sse' | 'auto',
  dedupeCapacity = 50_000,
  reader: Reader = 'public',
  replays: 'all' | 'events' = 'events',
): Promise<void> {
  const cleanups: (() => unknown)[] = []
  const t = { after: (fn: () => unknown) => cleanups.push(fn) }
  try {
    const server = await FakeNewsServer.start(t)
    server.overlapFrames = replays
    const stories = new Map<string, Story>(IDS.map((id) => [id, { version: 0, state: 'none', embargoed: false }]))
    const publish = (id: string) => {
      const s = stories.get(id) as Story
      if (s.state === 'killed') return
      if (s.state === 'held') stats.heldThenRun++
      s.version++
      s.state = 'shown'
      s.embargoed = false
      server.publish(channelOf(id), articleEvent(id, s.version))
    }
    // a story or two on the site's first page
    publish('a')
    publish('b')
    let view: keyof typeof VIEWS = 'both'
    const client = connect(server.url, {
      channels: [...VIEWS[view]],
      WebSocket,
      transport,
      backoff: { minMs: 5, maxMs: 20 },
      dedupeCapacity,
    })
    cleanups.push(() => client.close())
    if (dedupeCapacity < 50_000) stats.boundedRuns++
    /** What the site shows, as the README tells it to keep it: article id → version (`e`: marked embargoed). */
    const shows = new Map<string, string>()
    const killed = new Set<string>()
    const wrong: string[] = []
    client.on('event', ({ event, embargoed, released }) => {
      const { id, version } = event.article
      if (killed.has(id)) wrong.push(`${id}@${version} shown again after its kill reached the site`)
      if (embargoed && reader === 'public') wrong.push(`${id}@${version}: a public reader was sent an embargoed version`)
      if (released) stats.releasesHeard++
      shows.set(id, `${version}${embargoed ? 'e' : ''}`)
    })
    client.on('withdrawn', ({ articleId, cause }) => {
      shows.delete(articleId)
      if (cause === 'withdrawn' || cause === 'canceled') {
        if (!killed.has(articleId)) stats.killsHeard++
        killed.add(articleId)
      }
    })
    client.on('reset', ({ items }) => {
      shows.clear()
      if (killed.size > 0) stats.resetsAfterKill++
      for (const m of items) {
        const { id, version } = m.event.article
        if (killed.has(id)) wrong.push(`${id}@${version} in a reset after its kill reached the site`)
        shows.set(id, `${version}${m.embargoed ? 'e' : ''}`)
      }
    })
    client.on('error', (err) => wrong.push(err.message))
    // a story page on the same client: nothing after the kill it was told of, nothing embargoed to the public
    const followers = FOLLOWED.map((id) => {
      let killedHere = false
      const follower = followArticle(client, id, {
        update: ({ version, embargoed }) => {
          if (killedHere) wrong.push(`${id}@${version}: followArticle updated after its kill`)
          if (embargoed && reader === 'public') wrong.push(`${id}@${version}: followArticle gave the public an embargoed version`)
        },
        gone: ({ cause }) => {
          if (cause === 'withdrawn' || cause === 'canceled') killedHere = true
        },
      })
      cleanups.push(() => follower.close())
      return follower
    })
    let answered = ''
    let subscribedBeforeDrop = 0
    client.on('subscribed', ({ channels }) => {
      answered = channels.join(',')
    })
    /** The site heard everything on its view's channels (a fresh snapshot's position is the log's end). */
    const caughtUp = () => {
      // the view asked last was answered (frames of the view before it may still move the position),
      // and after the last drop the site subscribed again (until then its position is the old one's)
      if (answered !== VIEWS[view].join(',') || server.subscribes.length <= subscribedBeforeDrop) return false
      const at = Number(String(client.position ?? 'pos:-1').slice(4))
      return at >= server.log.findLastIndex((item) => (VIEWS[view] as readonly string[]).includes(item.channel)) + 1
    }
    await waitFor(caughtUp, 'the snapshot')
    const pages: Promise<void>[] = []
    for (const op of ops) {
      const id = IDS[('pick' in op ? op.pick : 0) % IDS.length] as string
      const s = stories.get(id) as Story
      switch (op.op) {
        case 'publish':
          publish(id)
          break
        case 'hold':
          // a newsroom dashboard shows a held story (as the desk holds it): the public's alone here
          if (s.state !== 'shown' || reader === 'newsroom') break
          // a hold is a version of its own (ingest numbers every change)
          s.state = 'held'
          s.version++
          server.publishFrame(channelOf(id), { type: 'withdrawn', articleId: id, version: s.version, cause: op.cause, reason: op.cause })
          break
        case 'standIn': {
          // a hold the fan-out could not decode, withdrawn at a guessed number (services/fanout
          // unreadable.ts, late-hold.ts): the record it stands for holds the story at the next
          // number, and the guess is that (the next after the version the fan-out knows) or one
          // below (the live version a late hold changes); never above, which would need the
          // fan-out to know versions written after the record. The writer's next record comes above
          if (s.state !== 'shown' || reader === 'newsroom') break
          s.state = 'held'
          s.version++
          const guess = Math.max(1, s.version + op.off)
          stats.standIns++
          server.publishFrame(channelOf(id), {
            type: 'withdrawn',
            articleId: id,
            version: guess,
            cause: 'withheld',
            reason: 'withheld',
            guess: true,
          })
          break
        }
        case 'view':
          if (op.to !== view) stats.viewChanges++
          view = op.to
          client.update([...VIEWS[view]])
          break
        case 'blockWebSocket':
          // a proxy that starts (or stops) refusing WebSocket: the SDK's next connect falls back to
          // SSE (a site that asked for WebSocket alone has no way around such a proxy)
          if (transport === 'auto') server.blockWebSocket = op.block
          break
        case 'embargo':
          // a version under embargo: the newsroom is sent it flagged; the public is told the story
          // is out of view until then (`withdrawn`, cause `embargoed`, at that version)
          if (s.state === 'killed') break
          s.version++
          s.embargoed = true
          if (reader === 'newsroom') {
            s.state = 'shown'
            server.publish(channelOf(id), articleEvent(id, s.version), { embargoed: true })
          } else {
            if (s.state === 'shown')
              server.publishFrame(channelOf(id), {
                type: 'withdrawn',
                articleId: id,
                version: s.version,
                cause: 'embargoed',
                reason: 'embargoed',
              })
            s.state = 'held'
          }
          break
        case 'release': {
          // an embargo passes (one of the stories under one): the same version again, released
          const under = [...stories].filter(([, x]) => x.embargoed && x.state !== 'killed')
          const [rid, r] = under[op.pick % Math.max(1, under.length)] ?? []
          if (rid === undefined || r === undefined) break
          r.embargoed = false
          r.state = 'shown'
          server.publish(channelOf(rid), articleEvent(rid, r.version), { released: true })
          break
        }
        case 'page':
          // not awaited: the page races the stream; the site upserts what it returns. Not with a
          // filter of a few marks: a page of the whole view pushes out the very marks its items are
          // checked against (the README's bound: a page holds at most 200 of 50,000)
          if (dedupeCapacity < 50_000) break
          stats.pages++
          pages.push(
            older(client, null).then(({ items }) => {
              for (const m of items) {
                const { id, version } = m.event.article
                if (killed.has(id)) wrong.push(`${id}@${version} from a page after its kill reached the site`)
                shows.set(id, `${version}${m.embargoed ? 'e' : ''}`)
              }
            }, refusedAfterReset),
          )
          break
        case 'kill':
          if (s.state === 'none' || s.state === 'killed') break
          s.state = 'killed'
          s.version++
          server.publishFrame(channelOf(id), { type: 'withdrawn', articleId: id, version: s.version, cause: op.cause, reason: op.cause })
          break
        case 'drop':
          // a filter at its bound forgets what it delivered, and an event sent again then is news
          // (README, Duplicates: what the bound forgets): a replay that reaches past its marks shows a
          // story its hold took down (a stop 57 soak, 1 run in 1,616), so bounded runs resume exactly
          server.overlap = dedupeCapacity < 50_000 ? 0 : op.overlap
          subscribedBeforeDrop = server.subscribes.length
          server.dropAll()
          break
        case 'lagDrop':
          // the site heard everything (on the process ahead); its reconnect lands on one behind
          await waitFor(caughtUp, 'the stream caught up')
          server.lagReset = op.behind
          subscribedBeforeDrop = server.subscribes.length
          server.dropAll()
          break
      }
      // let some frames through between operations, as a real reader would
      await new Promise((resolve) => setImmediate(resolve))
    }
    await Promise.all(pages)
    await waitFor(caughtUp, 'the stream caught up', 10_000)
    assert.deepEqual(wrong, [])
    const want = [...stories]
      .filter(([id, s]) => s.state === 'shown' && (VIEWS[view] as readonly string[]).includes(channelOf(id)))
      .map(([id, s]) => `${id}@${s.version}${s.embargoed ? 'e' : ''}`)
    assert.deepEqual(
      [...shows].map(([id, v]) => `${id}@${v}`).sort(),
      want.sort(),
      'once caught up, the site shows exactly the public view',
    )
    // a follower hears the stream alone: a page's item makes the stream's same version a duplicate
    // (one filter per client), so its end is checked in runs that asked for none
    if (!ops.some((op) => op.op === 'page')) {
      stats.followed++
      for (const f of followers) {
        const s = stories.get(f.articleId) as Story
        const shown = s.state === 'shown' && (VIEWS[view] as readonly string[]).includes(channelOf(f.articleId))
        if (f.gone?.cause === 'absent') stats.followersAbsent++
        assert.equal(f.article?.version ?? null, shown ? s.version : null, `followArticle(${f.articleId}) once caught up`)
        assert.equal(f.gone === null, shown, `followArticle(${f.articleId}) gone once caught up: ${JSON.stringify(f.gone)}`)
      }
    }
  } finally {
    for (const fn of cleanups.reverse()) await fn()
  }
}

test('a site reading the feed through the SDK shows exactly the public view, and nothing of a story after its kill', {
  timeout: 300_000,
}, async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(opArb, { minLength: 1, maxLength: 40 }),
      fc.constantFrom('websocket' as const, 'sse' as const, 'auto' as const),
      // a filter of a few marks: runs reach its bound
      fc.constantFrom(50_000, 2, 4),
      fc.constantFrom<Reader>('public', 'newsroom'),
      (ops, transport, capacity, reader) => run(ops, transport, capacity, reader),
    ),
    { numRuns: Number(process.env.NEWSWIRE_MODEL_RUNS ?? 60), includeErrorInReport: true, ...MODEL_REPLAY },
  )
  t.diagnostic(
    `pages ${stats.pages}, releases heard ${stats.releasesHeard}, kills heard ${stats.killsHeard}, resets after a kill ${stats.resetsAfterKill}, held stories run again ${stats.heldThenRun}, bounded runs ${stats.boundedRuns}, stand-ins ${stats.standIns}, view changes ${stats.viewChanges}, runs with followers checked ${stats.followed} (${stats.followersAbsent} ended absent)`,
  )
  if (!process.env.NEWSWIRE_MODEL_SEED) {
    assert.ok(stats.killsHeard > 0, 'no kill reached a site')
    assert.ok(stats.standIns > 0, 'no run stood in for a hold')
    assert.ok(stats.releasesHeard > 0, 'no release reached a newsroom')
    assert.ok(stats.followed > 0, 'no run checked its followers')
  }
})

// The run the property shrank with the fix undone (stop 56): a stand-in's guess at the unreadable
// record's own number, the writer's next record replacing it, then a server replaying both from
// before the position: the guess took the story down again, and the record, its event id
// remembered, passed for a duplicate: the site ended without a public story
test('a known run (stop 56): a stand-in and the record that replaced it, both sent again', async () => {
  await run(
    [
      { op: 'standIn', pick: 1, off: 0 },
      { op: 'publish', pick: 1 },
      { op: 'drop', overlap: 2 },
    ],
    'websocket',
    50_000,
    'public',
    'all',
  )
})
