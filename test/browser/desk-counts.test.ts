// The dashboard's counts per category (services/fanout/web/counts.ts) against a small model: the
// stream's events, kills, holds and moves out of the view, and the server's counts answers, each
// made at some earlier moment (a request in flight while the stream moved on, or answered by a
// process a moment behind), in any order. Checked after every step:
//   K. a story the stream told killed is never counted again, whatever answer arrives after
//      (red10 attack run: a kill before the answer that still listed its story left it counted);
//   N. a story the stream gave last, live, is counted at that version's category (nothing the
//      stream said is lost to a stale answer);
//   H. nothing else is counted: not a story the stream last took out of the view without a kill
//      (held, embargoed again, left the desk), whatever answer made before arrives after (red19
//      attack run: a story moved to another desk stayed counted in its old one), nor, after a
//      `reset`, a story the reset left out (a story that left, or killed for an `embargo: false`
//      token, while the page was away), unless an answer asked since lists it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RecentCounts } from '@newswire/client'
import fc from 'fast-check'
import { type Counted, DeskCounts } from '../../services/fanout/web/counts.ts'

const NOW = 1_800_000_000_000
const IDS = ['a', 'b', 'c']
const CATEGORIES = ['news', 'sport']

type Cmd =
  | { k: 'event'; id: number; category: number }
  | { k: 'kill'; id: number }
  | { k: 'hide'; id: number; cause: 'withheld' | 'embargoed' | 'left' }
  /** The counts answer made `ago` steps back, arriving now. */
  | { k: 'answer'; ago: number }
  /** The stream's `reset`: its snapshot holds the stories of `holds` (a bit per story) the server counts. */
  | { k: 'reset'; holds: number }

const id = fc.nat(IDS.length - 1)
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('event' as const), id, category: fc.nat(CATEGORIES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('kill' as const), id }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('hide' as const),
      id,
      cause: fc.constantFrom('withheld' as const, 'embargoed' as const, 'left' as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('answer' as const), ago: fc.nat(6) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reset' as const), holds: fc.nat(2 ** IDS.length - 1) }) },
)

/** What the server holds of a story: its latest version, category, and whether the public may count it. */
interface Held {
  version: number
  category: string
  counted: boolean
}

const answerOf = (server: Map<string, Held>): RecentCounts => ({
  from: new Date(NOW - 3_600_000).toISOString(),
  to: new Date(NOW).toISOString(),
  categories: CATEGORIES.map((category) => ({ category, label: null, count: 0 })),
  articles: [...server]
    .filter(([, h]) => h.counted)
    .map(([story, h]) => ({ id: story, version: h.version, category: h.category, at: new Date(NOW - 60_000).toISOString() })),
  truncated: false,
})

test('desk counts: a kill the stream told stays out whatever counts answer comes after; what the stream said last counts', () => {
  fc.assert(
    fc.property(fc.array(cmdArb, { minLength: 1, maxLength: 60, size: 'max' }), (cmds) => {
      const counts = new DeskCounts()
      const server = new Map<string, Held>()
      /** The server's answer as it was before each step, and when the dashboard asked it. */
      const answers: { answer: RecentCounts; asked: number }[] = []
      const killed = new Set<string>()
      /** What the stream said last of each story: its version and category when live, null when hidden. */
      const last = new Map<string, { version: number; category: string } | null>()
      for (const c of cmds) {
        answers.push({ answer: answerOf(server), asked: counts.asked() })
        if (c.k === 'answer') {
          const a = answers[Math.max(0, answers.length - 1 - c.ago)]
          if (a) counts.seed(a.answer, a.asked)
        } else if (c.k === 'reset') {
          // as the dashboard does: the counts start again, then the reset's items are taken
          counts.clear()
          last.clear()
          IDS.forEach((story, i) => {
            const held = server.get(story)
            if (!held?.counted || (c.holds & (1 << i)) === 0) return
            counts.note({ id: story, version: held.version, category: held.category, label: null, at: NOW - 60_000, killed: false })
            last.set(story, { version: held.version, category: held.category })
          })
        } else {
          const story = IDS[c.id] as string
          if (killed.has(story)) continue
          const held = server.get(story)
          const version = (held?.version ?? 0) + 1
          const category = c.k === 'event' ? (CATEGORIES[c.category] as string) : (held?.category ?? 'news')
          server.set(story, { version, category, counted: c.k === 'event' })
          if (c.k === 'event') {
            const s: Counted = { id: story, version, category, label: null, at: NOW - 60_000, killed: false }
            counts.note(s)
            last.set(story, { version, category })
          } else if (c.k === 'kill') {
            killed.add(story)
            counts.withdrawn({ articleId: story, cause: 'withdrawn' })
            last.set(story, null)
          } else {
            counts.withdrawn({ articleId: story, cause: c.cause })
            last.set(story, null)
          }
        }
        const listed = new Map(counts.list(NOW).map((x) => [x.category, x.count]))
        const total = [...listed.values()].reduce((n, x) => n + x, 0)
        // K: each story counts once, in one category; kills never
        const countable = IDS.filter((s) => !killed.has(s))
        assert.ok(total <= countable.length, `K. ${total} counted, ${countable.length} not killed: ${JSON.stringify(cmds)}`)
        // N: what the stream gave last, live, is counted (at least those, per category)
        const live = new Map<string, number>()
        for (const v of last.values()) if (v) live.set(v.category, (live.get(v.category) ?? 0) + 1)
        for (const [category, n] of live)
          assert.ok((listed.get(category) ?? 0) >= n, `N. ${category}: ${listed.get(category) ?? 0} counted, the stream has ${n} live`)
        // H: at most those, and the stories the stream has not spoken of since its reset that the
        // server counts (unchanged since: every change comes on the stream)
        const unspoken = IDS.filter((s) => !last.has(s) && server.get(s)?.counted === true).length
        const given = [...live.values()].reduce((n, x) => n + x, 0)
        assert.ok(total <= given + unspoken, `H. ${total} counted, the stream has ${given} live: ${JSON.stringify(cmds)}`)
      }
    }),
    { numRuns: 2000 },
  )
})
