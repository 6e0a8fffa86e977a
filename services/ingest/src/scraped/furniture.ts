import { keyedSet, matchKey } from './text.ts'

/** What a page line is, apart from headline/dateline/body text. */
export type LineKind =
  | { kind: 'category'; label: string }
  | { kind: 'readMore' }
  | { kind: 'readMoreItem'; text: string }
  | { kind: 'furniture' }
  | { kind: 'listEnd' }
  | { kind: 'text' }

const nfc = (names: readonly string[]): string => names.map((n) => n.normalize('NFC')).join('|')

// "বিভাগ : আন্তর্জাতিক", "Category : International", "Section: Sports"; ঃ is a typed colon.
const CATEGORY = new RegExp(`^(?:${nfc(['বিভাগ', 'ক্যাটাগরি', 'ক্যাটেগরি', 'category', 'categories', 'section'])})\\s*[:：\u0983]\\s*(.+)$`, 'iu')

const readMoreHeadings = [
  'আরও পড়ুন',
  'আরো পড়ুন',
  'আরও খবর',
  'আরো খবর',
  'আরও সংবাদ',
  'সম্পর্কিত খবর',
  'সম্পর্কিত সংবাদ',
  'সংশ্লিষ্ট খবর',
  'সংশ্লিষ্ট সংবাদ',
  'এ সম্পর্কিত আরও খবর',
  'এ সম্পর্কিত আরো খবর',
  'এই বিভাগের আরও খবর',
  'এই বিভাগের আরো খবর',
  'read more',
  'also read',
  'read also',
  'more news',
  'related',
  'related news',
  'related stories',
  'related articles',
  'see also',
  'you may also like',
  'more stories',
]
const readMoreKeys = keyedSet(readMoreHeadings)
// "আরও পড়ুন: <headline>" on one line: a related item, wherever it sits.
const READ_MORE_INLINE = new RegExp(`^(?:${nfc(readMoreHeadings)})\\s*[:：\u0983\\-–—>»]+\\s*(.+)$`, 'iu')

// Site furniture, compared as whole lines.
const furnitureKeys = keyedSet([
  'মন্তব্য করুন',
  'মন্তব্য',
  'মন্তব্য লিখুন',
  'মন্তব্যসমূহ',
  'শেয়ার করুন',
  'শেয়ার',
  'প্রিন্ট',
  'প্রিন্ট করুন',
  'বিজ্ঞাপন',
  'ফলো করুন',
  'অনুসরণ করুন',
  'সাবস্ক্রাইব করুন',
  'লিংক কপি করুন',
  'কপি লিংক',
  'লিংক কপি হয়েছে',
  'comment',
  'comments',
  'leave a comment',
  'leave a reply',
  'post a comment',
  'add a comment',
  'share',
  'share this',
  'share this article',
  'share this story',
  'print',
  'email',
  'e-mail',
  'copy link',
  'link copied',
  'follow us',
  'subscribe',
  'advertisement',
  'sponsored',
  'ad',
])
// Social network names: a line made only of these is a share bar.
const socialKeys = keyedSet([
  'facebook',
  'twitter',
  'x',
  'whatsapp',
  'linkedin',
  'messenger',
  'telegram',
  'youtube',
  'instagram',
  'google',
  'news',
  'email',
  'print',
  'share',
  'ফেসবুক',
  'টুইটার',
  'হোয়াটসঅ্যাপ',
  'লিংকডইন',
  'মেসেঞ্জার',
  'ম্যাসেঞ্জার',
  'ইউটিউব',
  'ইমেইল',
  'প্রিন্ট',
  'শেয়ার',
])
// Calls to action ("আমাদের ফেসবুক পেজে ফলো করুন", "Follow us on Google News").
const CALL_TO_ACTION_END = new RegExp(
  `(?:${nfc(['শেয়ার করুন', 'ফলো করুন', 'অনুসরণ করুন', 'সাবস্ক্রাইব করুন', 'লাইক দিন', 'লাইক করুন', 'যুক্ত হোন'])})[\\s!।.]*$`,
  'u',
)
const CALL_TO_ACTION_START = /^(?:follow us|share (?:on|via|this)|subscribe to|like us on|join (?:us|our)|sign up for)\b/i
const TAGS = new RegExp(`^(?:${nfc(['ট্যাগ', 'ট্যাগস', 'tag', 'tags', 'keywords', 'topics'])})\\s*[:：\u0983]`, 'iu')
const COMMENT_COUNT = new RegExp(`^\\d+\\s*(?:${nfc(['মন্তব্য', 'comment', 'comments'])})$`, 'iu')

// Other lists and the footer: the related list ends there.
const listEndKeys = keyedSet([
  'সর্বশেষ',
  'সর্বশেষ খবর',
  'সর্বাধিক পঠিত',
  'সর্বাধিক পঠিত খবর',
  'সর্বাধিক পঠিত সংবাদ',
  'জনপ্রিয়',
  'জনপ্রিয় খবর',
  'আলোচিত',
  'আলোচিত খবর',
  'পাঠকপ্রিয়',
  'latest',
  'latest news',
  'most read',
  'most popular',
  'popular',
  'trending',
  'top news',
  "editor's picks",
])
const FOOTER = new RegExp(
  `^(?:©|\\(c\\)|copyright\\b|all rights reserved|editor\\s*:|${nfc(['সর্বস্বত্ব', 'সম্পাদক\\s*[:ঃ]', 'সম্পাদক ও প্রকাশক', 'ভারপ্রাপ্ত সম্পাদক'])})`,
  'iu',
)

// Trailing colons, arrows and danda do not change what a heading or button is.
function lineKey(display: string): string {
  return matchKey(display).replace(/[\s:：\u0983.।!>»→›|\-–—]+$/u, '')
}

/** Classifies one display line (NFC, whitespace collapsed). */
export function classifyLine(display: string): LineKind {
  const category = CATEGORY.exec(display)
  const label = category?.[1]?.trim()
  // A long "label" is a sentence that happens to start with "Section:".
  if (label !== undefined && label.length <= 60 && label.split(' ').length <= 6) {
    return { kind: 'category', label }
  }
  const key = lineKey(display)
  if (readMoreKeys.has(key)) return { kind: 'readMore' }
  const inline = READ_MORE_INLINE.exec(display)
  if (inline?.[1] !== undefined) return { kind: 'readMoreItem', text: inline[1].trim() }
  if (isFurniture(display, key)) return { kind: 'furniture' }
  if (listEndKeys.has(key) || FOOTER.test(display)) return { kind: 'listEnd' }
  return { kind: 'text' }
}

function isFurniture(display: string, key: string): boolean {
  if (furnitureKeys.has(key) || TAGS.test(display) || COMMENT_COUNT.test(key)) return true
  const words = key.split(/[\s,|/·•]+/).filter((w) => w !== '')
  if (words.length > 0 && words.every((w) => socialKeys.has(w))) return true
  return words.length <= 10 && (CALL_TO_ACTION_END.test(key) || CALL_TO_ACTION_START.test(key))
}
