// What the story embed says (web/story-text.ts), in Node: the banner's sentence from what changed,
// in English and Bengali, relative times and counts from Intl in the story's language.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { changedText, newEntriesText, uiFor, updatedText } from '../../services/fanout/web/story-text.ts'

const T = Date.parse('2026-05-04T10:00:00Z')

describe('story embed words', () => {
  test('the fields a reader knows, each once, in reading order; bookkeeping is no change', () => {
    assert.equal(changedText(['body', 'headline'], 'en'), 'headline and body')
    assert.equal(changedText(['summary', 'body', 'headline'], 'en'), 'headline, summary and body')
    assert.equal(changedText(['category', 'urgency', 'body'], 'en'), 'body and details')
    assert.equal(changedText(['updatedAt', 'corrections'], 'en'), null)
    assert.equal(changedText(['headline', 'body'], 'bn'), 'শিরোনাম এবং মূল লেখা')
  })

  test('"Updated 2 min ago — headline and body changed", in the story language', () => {
    assert.equal(updatedText(T - 2 * 60_000 - 5_000, T, ['headline', 'body'], 'en'), 'Updated 2 min ago — headline and body changed')
    assert.equal(updatedText(T - 20_000, T, ['summary'], 'en'), 'Updated now — summary changed')
    assert.equal(updatedText(T - 3 * 3_600_000, T, [], 'en'), 'Updated 3 hr ago')
    assert.equal(updatedText(T - 2 * 60_000, T, ['headline', 'body'], 'bn'), '২ মিনিট আগে হালনাগাদ হয়েছে — শিরোনাম এবং মূল লেখা বদলেছে')
  })

  test('counts and the language of the words', () => {
    assert.equal(newEntriesText(1, 'en'), '1 new entry')
    assert.equal(newEntriesText(12, 'en'), '12 new entries')
    assert.equal(newEntriesText(12, 'bn'), '১২টি নতুন আপডেট')
    assert.equal(uiFor('bn'), 'bn')
    assert.equal(uiFor('bn-IN'), 'bn')
    assert.equal(uiFor('en'), 'en')
    assert.equal(uiFor('fr'), 'en', 'English where there are no words of its own')
    assert.equal(uiFor(undefined), 'en')
  })
})
