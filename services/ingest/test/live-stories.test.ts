// Issue 17 rules without a broker: correction notes on article and entry updates, the live flag
// of a story, and the validation and decisions for entries (entry-validate.ts, entry-decide.ts).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ProblemError } from '@newswire/shared'
import type { Article, FieldError, StoryEntry } from '@newswire/shared'
import { addCorrection } from '../src/corrections.ts'
import { decide } from '../src/decide.ts'
import type { Actor, Current } from '../src/decide.ts'
import { decideEntry, decideEntryDelete, patchTarget } from '../src/entry-decide.ts'
import type { EntryContext } from '../src/entry-decide.ts'
import { validateEntry } from '../src/entry-validate.ts'
import type { EntryInput } from '../src/entry-validate.ts'
import { limits } from '../src/fields.ts'
import { refuseNullRemovals } from '../src/routing.ts'
import { validateArticle } from '../src/validate.ts'
import type { ArticleInput } from '../src/validate.ts'

const T0 = Date.parse('2024-08-17T05:46:00Z')
const cms: Actor = { source: 'cms', importer: false }
const importer: Actor = { source: 'import:scraper', importer: true }

function articleInput(extra: Record<string, unknown> = {}): ArticleInput {
  const r = validateArticle({ id: 'story-1', language: 'bn', headline: 'শিরোনাম', body: ['অনুচ্ছেদ'], ...extra })
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors))
  return r.article
}

function created(extra: Record<string, unknown> = {}, actor = cms): Current {
  const d = decide(undefined, articleInput(extra), T0, actor)
  assert.equal(d.kind, 'created')
  return { article: (d as { article: Article }).article, source: actor.source }
}

function entryInput(extra: Record<string, unknown> = {}): EntryInput {
  const r = validateEntry({ id: 'e1', body: ['প্রথম খবর'], ...extra })
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors))
  return r.entry
}

const fields = (value: unknown) => {
  const r = validateEntry(value)
  return r.ok ? [] : r.errors.map((e) => `${e.field}:${e.code}`)
}

describe('correction notes on article updates', () => {
  test('an update with a correction adds it to the list and names it; the event carries it', () => {
    const prev = created()
    const d = decide(prev, articleInput({ body: ['সংশোধিত'], correction: { note: 'The death toll was wrong.' } }), T0 + 1000, cms)
    assert.equal(d.kind, 'updated')
    if (d.kind !== 'updated') return
    assert.deepEqual(d.correction, { note: 'The death toll was wrong.', at: T0 + 1000 })
    assert.deepEqual(d.article.corrections, [d.correction])
    assert.deepEqual(d.changedFields, ['body', 'corrections'])
  })

  test('a correction alone is a change; the same note again (a retry) is not; `at` may be given', () => {
    const prev = created()
    const at = '2024-08-17T06:00:00+06:00'
    const first = decide(prev, articleInput({ correction: { note: 'Name corrected.', at } }), T0 + 1, cms)
    assert.ok(first.kind === 'updated')
    assert.deepEqual(first.changedFields, ['corrections'])
    assert.equal(first.article.corrections?.[0]?.at, Date.parse(at))
    const again = decide({ article: first.article, source: 'cms' }, articleInput({ correction: { note: 'Name corrected.' } }), T0 + 2, cms)
    assert.equal(again.kind, 'unchanged')
    // nothing removes a correction: an update without one keeps the list
    const plain = decide({ article: first.article, source: 'cms' }, articleInput({ headline: 'নতুন' }), T0 + 3, cms)
    assert.ok(plain.kind === 'updated' && plain.correction === null && plain.article.corrections?.length === 1)
  })

  test('a correction on a write that creates is refused: there is nothing to correct', () => {
    const d = decide(undefined, articleInput({ correction: { note: 'x' } }), T0, cms)
    assert.deepEqual(d.kind === 'invalid' && d.errors.map((e) => e.code), ['nothing_to_correct'])
  })

  test('notes are cleaned like other text, their length checked after NFC; the list is read-only', () => {
    const clean = articleInput({ correction: { note: ' \u0007Cafe\u0301 \u202Enote\n ' } })
    assert.equal(clean.correction?.note, 'Café note')
    for (const [correction, code] of [
      [{ note: '' }, 'custom'],
      [{ note: '\u0000 \u202A\t' }, 'custom'],
      [{ note: 'x'.repeat(limits.note + 1) }, 'too_big'],
      [{ note: 'ok', at: '2024-02-30T00:00:00Z' }, 'custom'],
      [{ note: 'ok', by: 'me' }, 'unknown_field'],
      ['a string', 'invalid_type'],
    ] as const) {
      const r = validateArticle({ id: 'a', language: 'en', headline: 'h', body: ['b'], correction })
      assert.ok(!r.ok, JSON.stringify(correction))
      assert.ok(
        r.errors.every((e) => e.field.startsWith('correction')),
        JSON.stringify(r.errors),
      )
      assert.ok(code === 'custom' || r.errors.some((e) => e.code === code), `${JSON.stringify(correction)}: ${JSON.stringify(r.errors)}`)
    }
    // a note that grows under NFC past the limit is refused too (U+0958 decomposes into two code units)
    const grows = validateArticle({ id: 'a', language: 'en', headline: 'h', body: ['b'], correction: { note: '\u0958'.repeat(600) } })
    assert.ok(!grows.ok)
    const ro = validateArticle({ id: 'a', language: 'en', headline: 'h', body: ['b'], corrections: [] })
    assert.deepEqual(!ro.ok && ro.errors.map((e) => `${e.field}:${e.code}`), ['corrections:read_only'])
  })

  test('at most 100 corrections are kept; a 101st is refused, the update without it still works', () => {
    const list = Array.from({ length: limits.corrections }, (_, i) => ({ note: `n${i}`, at: T0 }))
    const r = addCorrection(list, { note: 'one more', at: null }, T0, true)
    assert.equal(r.ok, false)
    assert.deepEqual(addCorrection(list, null, T0, true), { ok: true, corrections: list, added: null })
  })

  test('imports never carry a correction and keep the live flag', () => {
    assert.equal(created({ live: true }, importer).article.live, false, 'an import does not make a story live')
    const mine = { article: created({ live: true }).article, source: importer.source }
    const update = decide(mine, articleInput({ headline: 'x', live: false }), T0 + 1, importer)
    assert.ok(update.kind === 'updated' && update.article.live === true && update.correction === null)
  })
})

describe('the live flag of a story', () => {
  test('new articles are not live; omitted keeps the flag; an explicit value sets it', () => {
    assert.equal(created().article.live, false)
    const live = created({ live: true })
    assert.equal(live.article.live, true)
    const omitted = decide(live, articleInput({ headline: 'x' }), T0 + 1, cms)
    assert.ok(omitted.kind === 'updated' && omitted.article.live === true)
    const ended = decide(live, articleInput({ live: false }), T0 + 2, cms)
    assert.ok(ended.kind === 'updated')
    assert.deepEqual(ended.changedFields, ['live'])
    // null on a POST is the same as leaving it out
    assert.equal(decide(live, articleInput({ live: null }), T0 + 3, cms).kind, 'unchanged')
  })

  test('a PATCH cannot remove the flag: live null is refused naming live, as pubStatus null is', () => {
    const fieldsOf = (patch: Record<string, unknown>): string[] => {
      try {
        refuseNullRemovals(patch)
        return []
      } catch (err) {
        assert.ok(err instanceof ProblemError && err.problem.code === 'validation_failed', String(err))
        return ((err.problem as { errors?: FieldError[] }).errors ?? []).map((e) => `${e.field}:${e.code}`)
      }
    }
    assert.deepEqual(fieldsOf({ live: null }), ['live:invalid_value'])
    assert.deepEqual(fieldsOf({ pubStatus: null, live: null }), ['pubStatus:invalid_value', 'live:invalid_value'])
    assert.deepEqual(fieldsOf({ live: false, embargoedUntil: null, summary: null }), [])
  })
})

function story(extra: Partial<Article> = {}): Article {
  return { ...created({ live: true }).article, ...extra }
}

function ctx(prev: StoryEntry | undefined, extra: Partial<EntryContext> = {}): EntryContext {
  return { storyId: 'story-1', story: story(), entryId: 'e1', prev, nextSeq: 4, ...extra }
}

function createdEntry(extra: Record<string, unknown> = {}): StoryEntry {
  const d = decideEntry(ctx(undefined), entryInput(extra), T0)
  assert.equal(d.kind, 'created')
  return (d as { entry: StoryEntry }).entry
}

describe('entries: validation', () => {
  test('text is cleaned and split into paragraphs; body or headline is required', () => {
    const e = entryInput({ headline: ' Fire\u0007 contained ', body: 'First.\n\nSecond\u202E.', authors: ['Desk '] })
    assert.deepEqual([e.headline, e.body, e.authors], ['Fire contained', ['First.', 'Second.'], ['Desk']])
    assert.deepEqual(fields({ id: 'e1' }), ['body:required'])
    assert.deepEqual(validateEntry({ id: 'e1', headline: 'Only a headline' }).ok, true)
  })

  test('bad ids, canceled, unknown fields, the read-only list, impossible dates and long text are refused by field', () => {
    assert.deepEqual(fields({ id: 'a/b', body: 'x' }), ['id:invalid_format'])
    assert.deepEqual(fields({ id: 'e1', body: 'x', pubStatus: 'canceled' }), ['pubStatus:use_withdraw'])
    assert.deepEqual(fields({ id: 'e1', body: 'x', seq: 3 }), ['seq:unknown_field'])
    assert.deepEqual(fields({ id: 'e1', body: 'x', corrections: [] }), ['corrections:read_only'])
    assert.deepEqual(fields({ id: 'e1', body: 'x', publishedAt: '2024-02-30T10:00:00Z' }), ['publishedAt:custom'])
    assert.deepEqual(fields({ id: 'e1', body: 'x', version: 2 ** 52 + 1 }), ['version:too_big'])
    assert.deepEqual(fields({ id: 'e1', body: ['x'.repeat(limits.paragraph + 1)] }), ['body[0]:too_big'])
    assert.deepEqual(fields({ id: 'e1', body: 'x', headline: 'h'.repeat(limits.headline + 1) }), ['headline:too_big'])
    assert.deepEqual(fields({ id: 'e1', body: 'x', pinned: 'yes' }), ['pinned:invalid_type'])
  })
})

describe('entries: decisions', () => {
  test('created in a live story with the next seq, usable and without embargo unless told; its time defaults to now', () => {
    const e = createdEntry()
    assert.deepEqual([e.seq, e.version, e.pubStatus, e.embargoedUntil, e.publishedAt, e.updatedAt], [4, 1, 'usable', null, T0, T0])
    const held = createdEntry({
      pubStatus: 'withheld',
      embargoedUntil: '2031-01-01T00:00:00Z',
      version: 7,
      publishedAt: '2024-08-17T05:00:00Z',
    })
    assert.deepEqual(
      [held.version, held.pubStatus, held.embargoedUntil, held.publishedAt],
      [7, 'withheld', Date.parse('2031-01-01T00:00:00Z'), Date.parse('2024-08-17T05:00:00Z')],
    )
  })

  test('no story, a killed story: 404; a story that is not live takes no new entry but its entries still change', () => {
    assert.equal(decideEntry(ctx(undefined, { story: undefined }), entryInput(), T0).kind, 'not_found')
    assert.equal(decideEntry(ctx(undefined, { story: story({ pubStatus: 'canceled' }) }), entryInput(), T0).kind, 'not_found')
    const ended = story({ live: false })
    const refused = decideEntry(ctx(undefined, { story: ended }), entryInput(), T0)
    assert.ok(refused.kind === 'conflict' && refused.code === 'story_not_live')
    const prev = createdEntry()
    assert.equal(decideEntry(ctx(prev, { story: ended }), entryInput({ body: ['changed'] }), T0 + 1).kind, 'updated')
    assert.equal(decideEntryDelete(ctx(prev, { story: ended }), T0 + 2).kind, 'deleted')
    // an embargoed or held story takes entries (prepared ahead of its release)
    const held = story({ pubStatus: 'withheld', embargoedUntil: T0 + 60_000 })
    assert.equal(decideEntry(ctx(undefined, { story: held }), entryInput(), T0).kind, 'created')
  })

  test('editorial controls of an entry change only through explicit values; content replaces; the time sticks', () => {
    const prev = createdEntry({ pubStatus: 'withheld', embargoedUntil: '2031-01-01T00:00:00Z', pinned: true, keyEvent: true })
    const omitted = decideEntry(ctx(prev), entryInput({ body: ['new text'] }), T0 + 1)
    assert.ok(omitted.kind === 'updated')
    assert.deepEqual(
      [omitted.entry.pubStatus, omitted.entry.embargoedUntil, omitted.entry.publishedAt],
      ['withheld', prev.embargoedUntil, T0],
    )
    // a whole entry replaces its content: flags left out are false
    assert.deepEqual(omitted.changedFields, ['body', 'pinned', 'keyEvent'])
    const released = decideEntry(ctx(prev), entryInput({ pinned: true, keyEvent: true, pubStatus: 'usable', embargoedUntil: null }), T0 + 2)
    assert.ok(released.kind === 'updated')
    assert.deepEqual(released.changedFields, ['pubStatus', 'embargoedUntil'])
    assert.equal(released.entry.seq, prev.seq, 'the seq never changes')
    const same = decideEntry(ctx(prev), entryInput({ pinned: true, keyEvent: true, updatedAt: '2025-01-01T00:00:00Z' }), T0 + 3)
    assert.equal(same.kind, 'unchanged')
  })

  test('revisions: stale and conflicting ones are refused, newer ones win', () => {
    const prev = createdEntry({ version: 5 })
    const stale = decideEntry(ctx(prev), entryInput({ version: 4, body: ['x'] }), T0)
    assert.ok(stale.kind === 'conflict' && stale.code === 'stale_revision' && stale.currentVersion === 5)
    const clash = decideEntry(ctx(prev), entryInput({ version: 5, body: ['x'] }), T0)
    assert.ok(clash.kind === 'conflict' && clash.code === 'revision_conflict')
    assert.equal(decideEntry(ctx(prev), entryInput({ version: 5 }), T0).kind, 'unchanged')
    const newer = decideEntry(ctx(prev), entryInput({ version: 9, body: ['x'] }), T0)
    assert.ok(newer.kind === 'updated' && newer.entry.version === 9)
  })

  test('corrections of an entry: not on creation, added on update, a repeat adds nothing', () => {
    const refused = decideEntry(ctx(undefined), entryInput({ correction: { note: 'n' } }), T0)
    assert.ok(refused.kind === 'invalid')
    const prev = createdEntry()
    const fixed = decideEntry(ctx(prev), entryInput({ body: ['৪ জন'], correction: { note: 'সংখ্যা ঠিক করা হয়েছে' } }), T0 + 1)
    assert.ok(fixed.kind === 'updated')
    assert.deepEqual(fixed.changedFields, ['body', 'corrections'])
    assert.deepEqual(fixed.correction, { note: 'সংখ্যা ঠিক করা হয়েছে', at: T0 + 1 })
    const repeat = decideEntry(ctx(fixed.entry), entryInput({ body: ['৪ জন'], correction: { note: 'সংখ্যা ঠিক করা হয়েছে' } }), T0 + 2)
    assert.equal(repeat.kind, 'unchanged')
  })

  test('deleting kills the entry with its last content; twice is unchanged; a deleted entry is not revived or patched', () => {
    const prev = createdEntry()
    const d = decideEntryDelete(ctx(prev), T0 + 5)
    assert.ok(d.kind === 'deleted')
    assert.deepEqual([d.entry.pubStatus, d.entry.version, d.entry.body, d.entry.updatedAt], ['canceled', 2, prev.body, T0 + 5])
    assert.equal(decideEntryDelete(ctx(d.entry), T0 + 6).kind, 'unchanged')
    const revive = decideEntry(ctx(d.entry), entryInput({ body: ['again'] }), T0 + 7)
    assert.ok(revive.kind === 'conflict' && revive.code === 'entry_deleted')
    const patch = patchTarget(ctx(d.entry))
    assert.ok(!patch.ok && patch.refused.kind === 'conflict')
    assert.equal(decideEntryDelete(ctx(undefined), T0).kind, 'not_found')
    const missing = patchTarget(ctx(undefined))
    assert.ok(!missing.ok && missing.refused.kind === 'not_found')
  })
})
