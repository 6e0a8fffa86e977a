import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { categorySlug } from '../src/scraped/index.ts'

// The desk map from the task, Bengali and English labels.
const desks: readonly (readonly [string, readonly string[]])[] = [
  ['international', ['আন্তর্জাতিক', 'বিশ্ব', 'International', 'World']],
  ['national', ['জাতীয়', 'বাংলাদেশ', 'দেশ', 'National']],
  ['politics', ['রাজনীতি', 'Politics']],
  ['business', ['অর্থনীতি', 'অর্থ-বাণিজ্য', 'বাণিজ্য', 'Business', 'Economy']],
  ['sports', ['খেলা', 'খেলাধুলা', 'Sports']],
  ['entertainment', ['বিনোদন', 'Entertainment']],
  ['country', ['সারাদেশ', 'সারা দেশ', 'মফস্বল', 'Country']],
  ['capital', ['রাজধানী', 'ঢাকা', 'Capital']],
  ['education', ['শিক্ষা', 'Education']],
  ['health', ['স্বাস্থ্য', 'Health']],
  ['technology', ['প্রযুক্তি', 'তথ্যপ্রযুক্তি', 'বিজ্ঞান ও প্রযুক্তি', 'Technology', 'Science']],
  ['law', ['আইন-আদালত', 'আইন ও বিচার', 'Law']],
  ['opinion', ['মতামত', 'সম্পাদকীয়', 'Opinion']],
  ['lifestyle', ['লাইফস্টাইল', 'জীবনযাপন', 'Lifestyle']],
  ['jobs', ['চাকরি', 'Jobs']],
  ['religion', ['ধর্ম', 'Religion']],
  ['crime', ['অপরাধ', 'Crime']],
  ['weather', ['আবহাওয়া', 'Weather']],
  ['expatriates', ['প্রবাস', 'Expatriates']],
  ['campus', ['ক্যাম্পাস', 'Campus']],
]

describe('categorySlug', () => {
  it('maps the common desks', () => {
    for (const [slug, labels] of desks) {
      for (const label of labels) assert.equal(categorySlug(label), slug, label)
    }
  })

  it('ignores case, spacing, hyphen spelling, trailing punctuation and U+09DF', () => {
    assert.equal(categorySlug('  INTERNATIONAL '), 'international')
    assert.equal(categorySlug('অর্থ বাণিজ্য'), 'business')
    assert.equal(categorySlug('আইন – আদালত'), 'law')
    assert.equal(categorySlug('আন্তর্জাতিক।'), 'international')
    assert.equal(categorySlug('জাতী\u09df'), 'national')
    assert.equal(categorySlug('আবহাও\u09dfা'), 'weather')
    assert.equal(categorySlug('Science & Technology'), 'technology')
    assert.equal(categorySlug('জাতী\u200dয়'), 'national')
  })

  it('reads breadcrumbs and lists by their first known part', () => {
    assert.equal(categorySlug('International > Asia'), 'international')
    assert.equal(categorySlug('খেলা, ক্রিকেট'), 'sports')
  })

  it('slugs unknown ASCII labels and returns null for unknown non-ASCII labels', () => {
    assert.equal(categorySlug('Long Reads'), 'long-reads')
    assert.equal(categorySlug('Star Weekend!'), 'star-weekend')
    assert.equal(categorySlug('নগর পরিক্রমা'), null)
    assert.equal(categorySlug(''), null)
    assert.equal(categorySlug('---'), null)
  })
})
