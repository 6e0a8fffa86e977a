import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ScrapedParseError, parseScraped } from '../src/scraped/index.ts'
import type { ScrapedArticle } from '../src/scraped/index.ts'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const samplePath = path.resolve(repoRoot, 'test', 'fixtures', 'articles', 'bn-seed-russia-north-korea.txt')
const sample = readFileSync(samplePath, 'utf8')

// Written from reading the fixture, not from parser output.
const expectedHeadline = 'রাশিয়ার সঙ্গে উত্তর কোরিয়ার সম্পর্ক আরও গভীর হচ্ছে'
const expectedFirstParagraph =
  'রাশিয়ার সঙ্গে উত্তর কোরিয়ার সম্পর্ক বরাবরই গভীর। একে অপরের বন্ধু এই দুটি দেশ। আর এই সম্পর্ক আরও বেশি গভীর হয় যখন রাশিয়ার প্রেসিডেন্ট পুতিন উত্তর কোরিয়া সফরে আসেন। উত্তর কোরিয়ার সর্বোচ্চ নেতা কিম জং উনের সঙ্গে বৈঠকে একে অপরকে সহযোগীতার কথা তুলে ধরেছেন দেশ দুটি। তবে এবার আবারও এই সম্পর্ক আরও গভীরে নিয়ে যাওয়ার অঙ্গীকার করেছেন উত্তর কোরিয়ার নেতা কিম জং উন।'
const expectedLastParagraph =
  'উল্লেখ্য, চলতি বছরের জুনে পিয়ংইয়ংয়ে বৈঠক করেছেন কিম ও পুতিন। এক বছরের কম সময়ের মধ্যে এটি ছিল দুজনের মধ্যে দ্বিতীয় বৈঠক। সর্বশেষ বৈঠকে দুই পক্ষ সামরিক সহায়তা নিয়ে একটি চুক্তিতে সই করে। এই চুক্তির অন্যতম বিষয়বস্তুর হল বিপদে পড়লে বা প্রতিপক্ষের আগ্রাসন তৈরি হলে দুই দেশ একে অপরকে সহযোগীতা করবে। অর্থাৎ পারস্পরিক প্রতিরক্ষা সহযোগিতা করতে অঙ্গীকারবদ্ধ তারা।'
const expectedParagraphStarts = [
  'রাশিয়ার সঙ্গে উত্তর কোরিয়ার সম্পর্ক বরাবরই গভীর।',
  'জাপানের ঔপনিবেশিক শাসন থেকে',
  'দেশটির সংবাদমাধ্যম সূত্রে খবর,',
  'অন্যদিকে, পুতিনকে পাঠানো বার্তায়',
  'উল্লেখ্য, চলতি বছরের জুনে',
]
const expectedRelated = [
  'রবীন্দ্র বিশ্ববিদ্যালয়ের বিজ্ঞপ্তিতে ‘শিক্ষা নিয়ে গড়ব দেশ, শেখ হাসিনার বাংলাদেশ’ প্রকাশ',
  'নাম ভাঙিয়ে তদবির-টেন্ডারবাজি: সতর্ক করলেন সারজিস',
  'গুলশান থেকে ওবায়দুল কাদেরের ‘পালিত ছেলে’ গ্রেফতার',
  'আখাউড়ায় মর্টার সেল উদ্ধার',
  'বায়ুদূষণে আজ সবার শীর্ষে ঢাকা',
  'শৈলকুপায় মোটরসাইকেলের ধাক্কায় বৃদ্ধ নিহত',
  'বাবরের মুক্তির অপেক্ষায় কারাগারের সামনে নেতাকর্মীদের ভিড়',
  'ব্যাংক খাত নিপুন কারিগরের মতো যেভাবে ধ্বংস করেন এসকে সুর',
  'প্রধান উপদেষ্টার সঙ্গে আজকের বৈঠক বর্জন করবে লেবার পার্টি',
  'দেশে ফিরতে চান মডেল তিন্নি হত্যা মামলায় খালাস পাওয়া অভি',
  "দুর্নীতির মাধ্যমে পুতুলের ডব্লিউএইচও'র পদ পাওয়ার অভিযোগ: দুদকের অনুসন্ধান শুরু",
  'বাড়িতে ঢুকে সাইফ আলিকে ৬ বার ছুরিকাঘাত, হাসপাতালে ভর্তি',
  'রাজশাহী জেলা ছাত্রদল নেতার পিতা বাচ্চু সরকারের দাফন সম্পন্ন',
  'মোংলায় সড়কের ওপর রাখা পাথরের ধাক্কায় যাত্রীবাহী ভটভটিতে থাকা দুই যাত্রীর মৃত্যু, আহত ৪',
  'গাজায় ঐতিহাসিক পরাজয় ইসরাইলের',
  '১৭ বছর পর আজ দুপুরে কারামুক্ত হচ্ছেন বাবর',
  'দীর্ঘ এক যুগ পর কারামুক্ত হলেন ডেসটিনির চেয়ারম্যান',
  'আজ কুড়িগ্রামে মার্চ ফর ফেলানী, নেতৃত্বে সারজিস আলম',
  'বাংলাদেশে আসছেন পাকিস্তানের জয়েন্ট চিফস অব স্টাফ জেনারেল সাহির শমসদ',
  'গাজায় যুদ্ধবিরতি চুক্তি ইসরাইলের ‘ঐতিহাসিক পরাজয়’: হামাস',
]

function allStrings(article: ScrapedArticle): string[] {
  const out: string[] = [article.headline, article.language, article.timeZone, ...article.body]
  for (const v of [article.dateline, article.publishedAt, article.updatedAt, article.category, article.categoryLabel]) {
    if (v !== null) out.push(v)
  }
  for (const r of article.related) out.push(r.headline, ...(r.url === null ? [] : [r.url]))
  return out
}

function errorWith(code: string, line?: number): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof ScrapedParseError)
    assert.equal(err.name, 'ScrapedParseError')
    assert.equal(err.code, code)
    assert.equal(err.line, line)
    return true
  }
}

describe('parseScraped: the Bengali sample page', () => {
  const article = parseScraped(sample)

  it('reads headline, language and dateline', () => {
    assert.equal(article.headline, expectedHeadline)
    assert.equal(article.language, 'bn')
    assert.equal(article.dateline, '১৭ আগস্ট ২০২৪, ১১:৪৬ এএম | আপডেট: ১৭ আগস্ট ২০২৪, ১১:৪৬ এএম')
    assert.equal(article.timeZone, 'Asia/Dhaka')
  })

  it('resolves 11:46 AM in Dhaka to 05:46Z for published and updated', () => {
    assert.equal(article.publishedAt, '2024-08-17T05:46:00.000Z')
    assert.equal(article.updatedAt, '2024-08-17T05:46:00.000Z')
  })

  it('has exactly the five body paragraphs', () => {
    assert.equal(article.body.length, 5)
    assert.equal(article.body[0], expectedFirstParagraph)
    assert.equal(article.body[4], expectedLastParagraph)
    for (const [i, start] of expectedParagraphStarts.entries()) {
      assert.ok(article.body[i]?.startsWith(start), `paragraph ${i + 1}`)
    }
    // Kept as written, missing spaces included.
    assert.ok(article.body[1]?.endsWith('এই তথ্য জানিয়েছে দেশটির(উত্তর কোরিয়ার)সংবাদমাধ্যম।'))
  })

  it('reads the category', () => {
    assert.equal(article.category, 'international')
    assert.equal(article.categoryLabel, 'আন্তর্জাতিক')
  })

  it('lists the 20 read-more headlines in order, without URLs', () => {
    assert.equal(article.related.length, 20)
    assert.equal(article.related[0]?.headline, expectedRelated[0])
    assert.equal(article.related[19]?.headline, expectedRelated[19])
    assert.deepEqual(
      article.related,
      expectedRelated.map((headline) => ({ headline, url: null })),
    )
  })

  it('lets no furniture, category or read-more line leak into the body', () => {
    const body = article.body.join('\n')
    for (const leak of ['মন্তব্য করুন', 'আরও পড়ুন', 'বিভাগ', ...expectedRelated]) {
      assert.ok(!body.includes(leak), `body contains ${leak}`)
    }
  })

  it('returns only NFC strings', () => {
    for (const s of allStrings(article)) assert.equal(s, s.normalize('NFC'))
    assert.ok(!allStrings(article).some((s) => s.includes('\u09df')))
  })

  it('gives the same result for CRLF, CR and BOM input, and extra blank lines', () => {
    assert.deepEqual(parseScraped(sample.replace(/\n/g, '\r\n')), article)
    assert.deepEqual(parseScraped(sample.replace(/\n/g, '\r')), article)
    assert.deepEqual(parseScraped(`\ufeff${sample}\n`), article)
    assert.deepEqual(parseScraped(`\n\n${sample.replace(/\n/g, '\n\n')}\n\n`), article)
  })

  it('gives the same result from decomposed or precomposed য় input', () => {
    const precomposed = sample.replace(/\u09af\u09bc/g, '\u09df')
    assert.notEqual(precomposed, sample)
    assert.deepEqual(parseScraped(precomposed), article)
    assert.deepEqual(parseScraped(sample.normalize('NFD')), article)
  })

  it('reads Bengali pages in Asia/Dhaka whatever the timeZone option', () => {
    assert.deepEqual(parseScraped(sample, { timeZone: 'UTC' }), article)
  })
})

describe('parseScraped: page shape', () => {
  it('parses an English page of the same shape', () => {
    const page = [
      'Russia and North Korea vow deeper ties',
      '17 August 2024, 11:46 AM | Updated: 17 August 2024, 12:10 PM',
      'North Korean leader Kim Jong Un pledged closer ties with Russia.',
      '  The message   marked the anniversary of liberation.  ',
      'Share on Facebook',
      'Category : International',
      'Leave a comment',
      'Read more',
      'Dhaka air quality worst in the world',
      'Babar walks free after 17 years https://example.com/news/babar',
    ].join('\n')
    const a = parseScraped(page)
    assert.equal(a.headline, 'Russia and North Korea vow deeper ties')
    assert.equal(a.language, 'en')
    assert.equal(a.timeZone, 'Asia/Dhaka')
    assert.equal(a.publishedAt, '2024-08-17T05:46:00.000Z')
    assert.equal(a.updatedAt, '2024-08-17T06:10:00.000Z')
    assert.deepEqual(a.body, [
      'North Korean leader Kim Jong Un pledged closer ties with Russia.',
      'The message marked the anniversary of liberation.',
    ])
    assert.equal(a.category, 'international')
    assert.equal(a.categoryLabel, 'International')
    assert.deepEqual(a.related, [
      { headline: 'Dhaka air quality worst in the world', url: null },
      { headline: 'Babar walks free after 17 years', url: 'https://example.com/news/babar' },
    ])
  })

  it('uses the timeZone option for English pages', () => {
    const page = [
      'Tigers win the series',
      'Aug 17, 2024 11:46 AM',
      'Bangladesh won by six wickets.',
      'Section: Sports',
      'Comment',
      'Also read',
      'Shakib returns',
    ].join('\n')
    const dhaka = parseScraped(page)
    assert.equal(dhaka.publishedAt, '2024-08-17T05:46:00.000Z')
    assert.equal(dhaka.category, 'sports')
    assert.deepEqual(dhaka.related, [{ headline: 'Shakib returns', url: null }])
    const utc = parseScraped(page, { timeZone: 'UTC' })
    assert.equal(utc.timeZone, 'UTC')
    assert.equal(utc.publishedAt, '2024-08-17T11:46:00.000Z')
    assert.equal(parseScraped(page, { timeZone: 'Asia/Kolkata' }).publishedAt, '2024-08-17T06:16:00.000Z')
  })

  it('treats a second line that is not a dateline as body', () => {
    const a = parseScraped('শিরোনাম\nবৃহস্পতিবার (১৫ আগস্ট) এই তথ্য জানিয়েছে দেশটির সংবাদমাধ্যম।\nবিভাগ: খেলা')
    assert.equal(a.dateline, null)
    assert.equal(a.publishedAt, null)
    assert.equal(a.updatedAt, null)
    assert.deepEqual(a.body, ['বৃহস্পতিবার (১৫ আগস্ট) এই তথ্য জানিয়েছে দেশটির সংবাদমাধ্যম।'])
    assert.equal(a.category, 'sports')
  })

  it('does not take মেয়র (mayor) for মে (May) on the second line', () => {
    const a = parseScraped('শিরোনাম\nঢাকার মেয়র ১৭ জন কর্মকর্তাকে বদলি করেছেন ২০২৪ সালে।\nবিভাগ: রাজধানী')
    assert.equal(a.dateline, null)
    assert.equal(a.body.length, 1)
    assert.equal(a.category, 'capital')
  })

  it('keeps an impossible dateline as dateline with null instants', () => {
    const a = parseScraped('শিরোনাম\nপ্রকাশ: ৩১ ফেব্রুয়ারি ২০২৪, ১০:০০ এএম\nপ্রথম অনুচ্ছেদ।')
    assert.equal(a.dateline, 'প্রকাশ: ৩১ ফেব্রুয়ারি ২০২৪, ১০:০০ এএম')
    assert.equal(a.publishedAt, null)
    assert.equal(a.updatedAt, null)
    assert.deepEqual(a.body, ['প্রথম অনুচ্ছেদ।'])
  })

  it('normalizes precomposed U+09DF in display text and still matches months', () => {
    const a = parseScraped('রাশি\u09dfার খবর\n১৫ জানু\u09dfারি ২০২৫, ১০:০০ এএম\nরাশি\u09dfার প্রেসিডেন্ট।\nবিভাগ : জাতী\u09df')
    assert.equal(a.headline, 'রাশি\u09af\u09bcার খবর')
    assert.equal(a.publishedAt, '2025-01-15T04:00:00.000Z')
    assert.deepEqual(a.body, ['রাশি\u09af\u09bcার প্রেসিডেন্ট।'])
    assert.equal(a.categoryLabel, 'জাতী\u09af\u09bc')
    assert.equal(a.category, 'national')
  })

  it('keeps ZWJ in display text (র\u200d্যাব) but still recognises keys around it', () => {
    const rab = 'র\u200d্যাব'
    const a = parseScraped(`${rab} অভিযান\n১৭ আগস্ট ২০২৪, ১১:৪৬ এএম\n${rab} জানিয়েছে।\nমন্তব্য\u200c করুন\nবিভাগ : অপরাধ`)
    assert.equal(a.headline, `${rab} অভিযান`)
    assert.deepEqual(a.body, [`${rab} জানিয়েছে।`])
    assert.equal(a.category, 'crime')
  })

  it('drops furniture lines inside the body and takes inline read-more links as related', () => {
    const page = [
      'শিরোনাম',
      'প্রকাশিত: ১৭ আগস্ট ২০২৪, ১১:৪৬ এএম',
      'প্রথম অনুচ্ছেদ।',
      'শেয়ার করুন',
      'আরও পড়ুন: অন্য একটি খবর',
      'বিজ্ঞাপন',
      'দ্বিতীয় অনুচ্ছেদ।',
      'আমাদের গুগল নিউজে ফলো করুন',
      'ট্যাগ: রাশিয়া, উত্তর কোরিয়া',
      'বিভাগ : আন্তর্জাতিক',
      'মন্তব্য করুন',
      'সম্পর্কিত খবর',
      'প্রথম সম্পর্কিত খবর',
      'https://example.com/1',
      '১৬ আগস্ট ২০২৪, ০৯:০০ পিএম',
      'সর্বাধিক পঠিত',
      'এটি সম্পর্কিত নয়',
    ].join('\n')
    const a = parseScraped(page)
    assert.deepEqual(a.body, ['প্রথম অনুচ্ছেদ।', 'দ্বিতীয় অনুচ্ছেদ।'])
    assert.deepEqual(a.related, [
      { headline: 'অন্য একটি খবর', url: null },
      { headline: 'প্রথম সম্পর্কিত খবর', url: 'https://example.com/1' },
    ])
  })

  it('takes one link after a read-more heading inside the body', () => {
    const a = parseScraped('Headline\nFirst paragraph.\nAlso read\nAnother story\nSecond paragraph.\nCategory: Politics')
    assert.deepEqual(a.body, ['First paragraph.', 'Second paragraph.'])
    assert.deepEqual(a.related, [{ headline: 'Another story', url: null }])
    assert.equal(a.category, 'politics')
  })

  it('accepts a page without a category line', () => {
    const a = parseScraped('Headline\n17 August 2024\nOnly paragraph.\nRead more\nOther story')
    assert.deepEqual(a.body, ['Only paragraph.'])
    assert.equal(a.category, null)
    assert.equal(a.categoryLabel, null)
    // A date without a time is local midnight.
    assert.equal(a.publishedAt, '2024-08-16T18:00:00.000Z')
    assert.deepEqual(a.related, [{ headline: 'Other story', url: null }])
  })

  it('keeps an unknown Bengali label with a null slug', () => {
    const a = parseScraped('শিরোনাম\nপ্রথম অনুচ্ছেদ।\nবিভাগ: নগর পরিক্রমা')
    assert.equal(a.category, null)
    assert.equal(a.categoryLabel, 'নগর পরিক্রমা')
  })
})

describe('parseScraped: errors', () => {
  it('rejects empty input', () => {
    for (const text of ['', '   ', '\n\r\n\t\n', '\ufeff', '\u200b\n\u200d']) {
      assert.throws(() => parseScraped(text), errorWith('NEWSWIRE_ERR_SCRAPED_EMPTY'))
    }
  })

  it('rejects a page without a body', () => {
    assert.throws(() => parseScraped('Only a headline'), errorWith('NEWSWIRE_ERR_SCRAPED_NO_BODY', 2))
    assert.throws(
      () => parseScraped('শিরোনাম\n১৭ আগস্ট ২০২৪, ১১:৪৬ এএম\nবিভাগ : আন্তর্জাতিক\nমন্তব্য করুন\nআরও পড়ুন\nঅন্য খবর'),
      errorWith('NEWSWIRE_ERR_SCRAPED_NO_BODY', 3),
    )
  })

  it('rejects a page that starts with a dateline or a category line', () => {
    assert.throws(() => parseScraped('\n১৭ আগস্ট ২০২৪, ১১:৪৬ এএম\nপ্রথম অনুচ্ছেদ।'), errorWith('NEWSWIRE_ERR_SCRAPED_NO_HEADLINE', 2))
    assert.throws(() => parseScraped('Category: Sports\nText.'), errorWith('NEWSWIRE_ERR_SCRAPED_NO_HEADLINE', 1))
  })

  it('rejects an unknown time zone', () => {
    assert.throws(() => parseScraped(sample, { timeZone: 'Mars/Olympus' }), errorWith('NEWSWIRE_ERR_SCRAPED_TIME_ZONE'))
  })

  it('rejects a non-string with a TypeError', () => {
    assert.throws(() => parseScraped(42 as unknown as string), TypeError)
  })
})

describe('parseScraped: headlines with dates and numbers', () => {
  it('keeps a headline that names a month and numbers', () => {
    const a = parseScraped('May 2024 inflation hits 9.7 pc\nInflation rose again.\nCategory: Business')
    assert.equal(a.headline, 'May 2024 inflation hits 9.7 pc')
    assert.equal(a.category, 'business')
  })

  it('keeps short headlines with a time or a day as headlines', () => {
    assert.equal(parseScraped('সকাল ১০টায় ভোটগ্রহণ শুরু\nপ্রথম অনুচ্ছেদ।').headline, 'সকাল ১০টায় ভোটগ্রহণ শুরু')
    assert.equal(parseScraped('২১ ফেব্রুয়ারি: শহীদ দিবস\nপ্রথম অনুচ্ছেদ।').headline, '২১ ফেব্রুয়ারি: শহীদ দিবস')
  })

  it('takes a byline with a date as the dateline', () => {
    const a = parseScraped('শিরোনাম\nনিজস্ব প্রতিবেদক, ঢাকা | ১৭ আগস্ট ২০২৪, ১১:৪৬ এএম\nপ্রথম অনুচ্ছেদ।')
    assert.equal(a.dateline, 'নিজস্ব প্রতিবেদক, ঢাকা | ১৭ আগস্ট ২০২৪, ১১:৪৬ এএম')
    assert.equal(a.publishedAt, '2024-08-17T05:46:00.000Z')
    assert.deepEqual(a.body, ['প্রথম অনুচ্ছেদ।'])
  })
})
