// red25b model (2026-12-07): the article channels of public readers whose views are narrower than
// everything (breaking, a category, a language, several channels at once, a filter), while stories
// move between those views, are embargoed, held, released and killed, and readers fall behind.
// The models before it each left out part of this: red22b-cut-resume's readers see everything and
// never lose history; the restart and two-process models' readers never fall behind; none had the
// live loop overrun by a burst larger than history (hub.ts #liveFellBehind: every live
// subscription replays from where the loop stood, from memory or from the log). Steps: writes
// (a story's desk, language, urgency, hold, embargo), kills, time passing over embargoes, bursts
// of writes appended at once (with 2 to 4 events of history the loop falls behind) or while a
// reader's socket is full (its queue conflated and shed, its replays paused), a link that dies as
// it drains (the reader resumes from the last position it read), readers away and back with
// catchUp `all` or `latest`. Checked, for every reader, by the README's rules ("Who sees what",
// channels and filters), not by channels.ts:
//   S. every story version it is sent is one the public may see (usable, embargo passed by the
//      server's clock) in its view; nothing of a story reaches it after it was told of its kill;
//   K. in the end, every story it was shown that was killed, it was told of;
//   E. in the end, after a last resume, it shows no story outside what the public may see in its
//      view now, and (unless a `gap` told it routine updates were shed) exactly that, each story
//      at its latest version.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ArticleEvent } from '@newswire/shared'
import fc from 'fast-check'
import { parseChannels, parseFilter } from '../src/protocol.ts'
import { Harness } from './support/harness.ts'
import type { Message } from './support/harness.ts'
import { event, freshEventIds } from './support/events.ts'
import { Reader, type Sent, visible } from './support/two-process-reader.ts'
import { type Step, stepArb, VIEWS, type View, viewMatches, CATEGORIES, LANGUAGES, STORIES, READERS } from './support/views-commands.ts'
import { MODEL_REPLAY } from '../../../test/model-replay.ts'

/** What the runs reached (each must be reached, or the generator has gone blind). */
const stats = {
  gaps: 0,
  runs: 0,
  overruns: 0,
  sheds: 0,
  cuts: 0,
  leftView: 0,
  released: 0,
  latestResumes: 0,
  kafkaReplays: 0,
  exactEnds: 0,
}

interface Slot {
  view: View
  reader: Reader
  /** A `gap` shed routine updates since its last fresh snapshot: E is then only "nothing outside". */
  lossy: boolean
  /** Steps left before it comes back (away), or null (connected), and how it catches up then. */
  awayFor: number | null
  catchUpBack: 'all' | 'latest'
  /** Every story it was sent (event or snapshot). */
  shown: Set<string>
}

async function run(steps: Step[], history: number, viewPicks: number[], maxPending: number): Promise<void> {
  freshEventIds()
  stats.runs++
  const h = new Harness({ partitions: 2, historySize: history, limits: { maxPending, slowClientMs: Number.MAX_SAFE_INTEGER } })
  h.start()
  await h.settle()
  const written = new Map<string, ArticleEvent[]>()
  const byEventId = new Map<string, ArticleEvent>()
  const trace: string[] = []
  const why = (i: number) =>
    `reader ${i} (${JSON.stringify((slots[i] as Slot).view)}): ${(slots[i] as Slot).reader.got.slice(-30).join(' ')}`
  const judge =
    (i: number) =>
    (e: Sent, now: number, w: string): void => {
      Reader.check(e, now, w)
      const full = byEventId.get(e.eventId)
      assert.ok(full, `S. an event nobody wrote: ${w}`)
      assert.ok(viewMatches((slots[i] as Slot).view, full.article), `S. ${e.article.id} v${e.article.version} outside the view: ${w}`)
    }
  const slots: Slot[] = viewPicks.map((v, i) => ({
    view: VIEWS[v % VIEWS.length] as View,
    reader: new Reader(judge(i)),
    lossy: false,
    awayFor: null,
    catchUpBack: 'all',
    shown: new Set<string>(),
  }))
  const open = (i: number, catchUp: 'all' | 'latest' = 'all') => {
    const s = slots[i] as Slot
    const { conn, t } = h.connect('public')
    s.reader.on = { proc: 0, conn, t, read: 0 }
    if (s.reader.position !== null && catchUp === 'latest') stats.latestResumes++
    h.hub.handle(conn, {
      type: 'subscribe',
      id: 's',
      channels: parseChannels(s.view.channels, 's'),
      filter: parseFilter(s.view.filter, 's'),
      since: s.reader.position,
      catchUp,
    })
  }
  /** Reads what arrived (up to `upTo` messages of it), as the SDK does. */
  const consume = (i: number, upTo = Number.POSITIVE_INFINITY) => {
    const s = slots[i] as Slot
    const on = s.reader.on
    if (!on) return
    const ms = on.t.messages as Message[]
    const end = Math.min(ms.length, on.read + upTo)
    for (let k = on.read; k < end; k++) {
      const m = ms[k] as Message
      if (m.type === 'reset' || (m.type === 'subscribed' && m.replay === 'none')) s.lossy = false
      if (m.type === 'subscribed' && m.replay === 'kafka') stats.kafkaReplays++
      if (m.type === 'gap') stats.gaps++
      if (m.type === 'gap' && ((m.shed as { routine?: number } | undefined)?.routine ?? 0) > 0) {
        s.lossy = true
        stats.sheds++
      }
      if (m.type === 'withdrawn' && m.cause === 'left') stats.leftView++
      if (m.type === 'event' && m.released === true) stats.released++
      if (m.type === 'event') {
        const e = m.event as Sent
        s.shown.add(e.article.id)
        // its embargo passed by the clock it was written at, while it was still the latest
        const next = written.get(e.article.id)?.[e.article.version]
        const until = e.article.embargoedUntil === null ? null : Date.parse(e.article.embargoedUntil)
        assert.ok(
          until === null || until <= (on.t.at[k] as number),
          `S. ${e.article.id} v${e.article.version} before its embargo: ${why(i)}`,
        )
        assert.ok(
          until === null || next === undefined || until <= next.occurredAt,
          `S. ${e.article.id} v${e.article.version} replaced under embargo: ${why(i)}`,
        )
      }
      if (m.type === 'subscribed' || m.type === 'reset') for (const e of (m.snapshot ?? []) as Sent[]) s.shown.add(e.article.id)
    }
    const all = on.t.messages
    // Reader.consume reads to the end: hand it the prefix only
    const rest = all.splice(end)
    s.reader.consume(h.clock.now(), why(i))
    all.push(...rest)
  }
  const away = (i: number) => {
    const s = slots[i] as Slot
    if (!s.reader.on) return
    consume(i)
    h.hub.conns.remove(s.reader.on.conn)
    s.reader.on = null
  }
  const write = (w: Extract<Step, { k: 'write' | 'kill' }>) => {
    // a killed story's slot takes a new story (`a`, then `a1`...): kills stay frequent, stories too
    let id = STORIES[w.story] as string
    while (written.get(id)?.at(-1)?.type === 'WITHDRAWN') id = `${STORIES[w.story]}${Number(id.slice(1) || 0) + 1}`
    const vs = written.get(id) ?? []
    const last = vs.at(-1)
    if (w.k === 'kill' && !last) return
    const version = vs.length + 1
    const now = h.clock.now()
    const e =
      w.k === 'kill'
        ? event('WITHDRAWN', { ...(last as ArticleEvent).article, version, pubStatus: 'canceled' }, now, { reason: 'legal' })
        : event(
            version === 1 ? 'CREATED' : 'UPDATED',
            {
              id,
              version,
              category: CATEGORIES[w.category] as string,
              language: LANGUAGES[w.language] as string,
              urgency: w.urgency,
              breaking: w.breaking,
              pubStatus: w.held ? 'withheld' : 'usable',
              embargoedUntil: w.embargo === null ? null : now + w.embargo,
            },
            now,
          )
    trace.push(`${id}@${version}${w.k === 'kill' ? ' kill' : ''}`)
    written.set(id, [...vs, e])
    byEventId.set(e.eventId, e)
    h.append(e)
  }
  for (const [i] of slots.entries()) open(i)
  await h.settle()
  for (const step of steps) {
    for (const [i, s] of slots.entries()) {
      if (s.awayFor === null) continue
      if (s.awayFor > 0) s.awayFor--
      else {
        s.awayFor = null
        open(i, s.catchUpBack)
      }
    }
    switch (step.k) {
      case 'write':
      case 'kill':
        write(step)
        break
      case 'tick':
        h.clock.advance(step.ms)
        break
      case 'away': {
        const s = slots[step.reader] as Slot
        if (s.awayFor !== null || s.reader.position === null) break
        away(step.reader)
        s.awayFor = step.steps
        s.catchUpBack = step.catchUp
        break
      }
      case 'burst': {
        const s = step.reader === null ? null : (slots[step.reader] as Slot)
        const on = s?.reader.on ?? null
        if (on) on.t.backlog = 10 * 1024 * 1024
        const before = h.hub.liveSeq
        for (const w of step.writes) {
          write(w)
          if (!step.together) {
            h.clock.advance(1)
            await h.settle()
          }
        }
        const first = h.store.history.firstSeq
        if (step.together && before < first) stats.overruns++
        await h.settle()
        if (on && s && step.reader !== null) {
          on.t.backlog = 0
          if (!on.t.closed) h.hub.drained(on.conn)
          await h.settle()
          if (step.keep !== null && !on.t.closed) {
            // the link dies as it drains: the rest of what was written never arrives
            if (on.t.messages.length > on.read + step.keep) stats.cuts++
            consume(step.reader, step.keep)
            h.hub.conns.remove(on.conn)
            s.reader.on = null
            open(step.reader, step.catchUp)
          }
        }
        break
      }
    }
    h.clock.advance(1)
    await h.settle()
    for (const [i, s] of slots.entries()) {
      const on = s.reader.on
      if (!on) continue
      if (on.t.backlog === 0 || on.t.closed) consume(i)
      if (on.t.closed === null) continue
      // dropped as a slow consumer (4008): what was written arrived, and the SDK resumes from it
      assert.equal(on.t.closed.code, 4008, `reader ${i} was closed: ${JSON.stringify(on.t.closed)}`)
      s.reader.on = null
      open(i)
      await h.settle()
    }
  }
  // everyone drains, reads, then reconnects from its last position (as the SDK does) and reads on
  await h.tick(1000)
  for (const [i, s] of slots.entries()) {
    if (s.reader.on) away(i)
    open(i)
  }
  await h.settle()
  const now = h.clock.now()
  for (const [i, s] of slots.entries()) {
    consume(i)
    const r = s.reader
    const w = `${why(i)}\nwritten: ${trace.join(' ')}`
    assert.equal(r.on?.t.closed ?? null, null, `reader ${i} was closed: ${w}`)
    for (const id of s.shown) {
      const last = written.get(id)?.at(-1)
      if (last?.type === 'WITHDRAWN') assert.ok(r.told.has(id), `K. reader ${i} was shown ${id} and never told of its kill: ${w}`)
    }
    const may = new Map<string, number>()
    for (const [id, vs] of written) {
      const v = visible(vs, now)
      if (v !== null && viewMatches(s.view, (vs.at(-1) as ArticleEvent).article)) may.set(id, v)
    }
    for (const [id, v] of r.shows) assert.ok(may.has(id) && (may.get(id) as number) >= v, `E. reader ${i} shows ${id} v${v}: ${w}`)
    if (s.lossy) continue
    stats.exactEnds++
    assert.deepEqual(new Map([...r.shows].sort()), new Map([...may].sort()), `E. reader ${i} shows other than the public may see: ${w}`)
  }
  h.hub.stop()
}

test('property: public readers of narrow views, falling behind and overrun, see only and exactly what the public may see in their view', async () => {
  const numRuns = Number(process.env.NEWSWIRE_MODEL_RUNS ?? 150)
  const details = await fc.check(
    fc.asyncProperty(
      fc.array(stepArb, { minLength: 5, maxLength: 40 }),
      fc.constantFrom(2, 3, 4, 1000),
      fc.array(fc.nat(VIEWS.length - 1), { minLength: READERS, maxLength: READERS }),
      fc.constantFrom(2, 2, 4),
      (steps, history, views, maxPending) => run(steps, history, views, maxPending),
    ),
    { numRuns, ...MODEL_REPLAY },
  )
  console.log('views-shed model', stats)
  if (details.failed)
    assert.fail(
      `${fc.defaultReportMessage(details)}\n${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
    )
  if (!process.env.NEWSWIRE_MODEL_SEED && numRuns >= 100)
    for (const [k, v] of Object.entries(stats)) assert.ok(v > numRuns / 30, `too few ${k}: ${v}`)
})
