// Where a reader page cuts a story's text (web/story-entry.ts: a key event without a headline
// stands for itself by the start of its first paragraph), in Node: a Bengali conjunct, a letter
// with its vowel signs, an emoji with its modifier are never cut apart. The first paragraph was
// cut at 120 UTF-16 code units, which left "আশপাশ" of "আশপাশে" (its vowel sign cut off: another
// word), "ক্" of "ক্ষ" (a visible hasant) or half a surrogate pair (U+FFFD) on the public story
// page (stop 42 mutation sweep).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { cutText } from '../../services/fanout/web/format.ts'
import { KEY_EVENT_CHARS, keyEventText } from '../../services/fanout/web/story-entry.ts'

const segmenter = new Intl.Segmenter('bn', { granularity: 'grapheme' })
/** Where grapheme clusters end in `s` (0 and its length included). */
const boundaries = (s: string): Set<number> => new Set([0, ...[...segmenter.segment(s)].map((g) => g.index + g.segment.length)])

/**
 * `out` is a start of `whole` cut between clusters, with an ellipsis, in at most `max` code units;
 * or `whole` itself when it fits, or has no space to cut at (the page's CSS clips it).
 */
function assertCut(whole: string, out: string, max: number): void {
  assert.ok(out.isWellFormed(), `a lone surrogate in ${JSON.stringify(out)}`)
  const kept = out.endsWith('…') && out !== whole ? out.slice(0, -1) : out
  assert.ok(whole.startsWith(kept), `not a start of the text: ${JSON.stringify(out)}`)
  assert.ok(
    boundaries(whole).has(kept.length),
    `cut inside a cluster at ${kept.length}: ${JSON.stringify(whole.slice(kept.length - 3, kept.length + 3))}`,
  )
  if (out === whole) {
    assert.ok(whole.length <= max || !/\S\s/.test(whole.slice(0, max)), `not cut at a space: ${JSON.stringify(whole)}`)
    return
  }
  assert.ok(out.endsWith('…'), `cut without an ellipsis: ${JSON.stringify(out)}`)
  assert.ok(out.length <= max, `${out.length} code units, more than ${max}`)
}

const paragraph =
  'আপডেট: ঢাকার বন্দরে আগুন: ক্ষতিগ্রস্ত গুদাম থেকে রাসায়নিক সরিয়ে নেওয়া হচ্ছে, দমকল বাহিনীর চৌদ্দটি ইউনিট কাজ করছে, আশপাশের বাসিন্দাদের সরিয়ে নেওয়া হয়েছে'

test('a key event without a headline: its first paragraph cut between clusters, never inside one', () => {
  // 120 code units end inside "শে" of আশপাশের: cut there, the word reads আশপাশ
  assert.equal(boundaries(paragraph).has(KEY_EVENT_CHARS), false)
  const cut = keyEventText({ headline: null, body: [paragraph] })
  assertCut(paragraph, cut, KEY_EVENT_CHARS)
  assert.equal(cut, `${paragraph.slice(0, paragraph.indexOf(' আশপাশের'))}…`)
  const emoji = `${'x '.repeat(59)}x👍🏽 end`
  assertCut(emoji, keyEventText({ headline: null, body: [emoji] }), KEY_EVENT_CHARS)
  const conjuncts = `a ${'ক্ষ'.repeat(40)}`
  assertCut(conjuncts, keyEventText({ headline: null, body: [conjuncts] }), KEY_EVENT_CHARS)
  assert.equal(keyEventText({ headline: 'শিরোনাম', body: [paragraph] }), 'শিরোনাম')
  assert.equal(keyEventText({ headline: null, body: ['ছোট লেখা'] }), 'ছোট লেখা')
  assert.equal(keyEventText({ headline: null, body: [] }), '')
})

const cluster = fc.constantFrom('ক', 'ক্ষ', 'কি', 'ক্ষে', 'র‍্যা', 'স্ত্রী', 'ঁ', 'ৎ', '৫', ' ', ' ', 'a', 'é', '👍🏽', '👨‍👩‍👧', '🇧🇩')
const text = fc.oneof(
  fc.array(cluster, { maxLength: 160 }).map((a) => a.join('')),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
)

test('cutText keeps every cluster whole, for any text and bound', () => {
  fc.assert(
    fc.property(text, fc.integer({ min: 2, max: 140 }), (s, max) => assertCut(s, cutText(s, max), max)),
    { numRuns: 2000 },
  )
})
