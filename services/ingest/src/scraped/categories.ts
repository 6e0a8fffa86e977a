import { matchKey } from './text.ts'

// Desk names of Bangladeshi news sites (Bengali and English) and the slug they share.
const desks: readonly (readonly [string, readonly string[]])[] = [
  [
    'international',
    [
      'আন্তর্জাতিক',
      'বিশ্ব',
      'বিশ্বজুড়ে',
      'সারাবিশ্ব',
      'সারা বিশ্ব',
      'বিদেশ',
      'উপমহাদেশ',
      'এশিয়া',
      'মধ্যপ্রাচ্য',
      'ইউরোপ',
      'আমেরিকা',
      'আফ্রিকা',
      'international',
      'world',
      'global',
      'asia',
      'middle east',
      'europe',
      'americas',
      'subcontinent',
    ],
  ],
  ['national', ['জাতীয়', 'বাংলাদেশ', 'দেশ', 'national', 'bangladesh', 'nation']],
  ['politics', ['রাজনীতি', 'নির্বাচন', 'politics', 'election', 'elections']],
  [
    'business',
    [
      'অর্থনীতি',
      'অর্থ-বাণিজ্য',
      'অর্থ ও বাণিজ্য',
      'বাণিজ্য',
      'অর্থনীতি ও বাণিজ্য',
      'শেয়ারবাজার',
      'পুঁজিবাজার',
      'ব্যাংক',
      'business',
      'economy',
      'economics',
      'finance',
      'stock market',
    ],
  ],
  ['sports', ['খেলা', 'খেলাধুলা', 'ক্রিকেট', 'ফুটবল', 'sports', 'sport', 'cricket', 'football']],
  ['entertainment', ['বিনোদন', 'entertainment', 'showbiz']],
  ['country', ['সারাদেশ', 'সারা দেশ', 'মফস্বল', 'দেশজুড়ে', 'country', 'countryside']],
  ['capital', ['রাজধানী', 'ঢাকা', 'capital', 'dhaka', 'city']],
  ['education', ['শিক্ষা', 'education']],
  ['health', ['স্বাস্থ্য', 'health']],
  [
    'technology',
    ['প্রযুক্তি', 'তথ্যপ্রযুক্তি', 'বিজ্ঞান ও প্রযুক্তি', 'বিজ্ঞান', 'technology', 'tech', 'science', 'science and technology', 'sci tech', 'it'],
  ],
  ['law', ['আইন-আদালত', 'আইন ও বিচার', 'আইন ও আদালত', 'আদালত', 'law', 'law and order', 'court']],
  ['opinion', ['মতামত', 'সম্পাদকীয়', 'মতামত ও বিশ্লেষণ', 'কলাম', 'opinion', 'editorial', 'op ed', 'column']],
  ['lifestyle', ['লাইফস্টাইল', 'জীবনযাপন', 'জীবনধারা', 'lifestyle', 'life style', 'living']],
  ['jobs', ['চাকরি', 'চাকরির খবর', 'ক্যারিয়ার', 'jobs', 'job', 'career', 'careers']],
  ['religion', ['ধর্ম', 'ইসলাম', 'ধর্ম ও জীবন', 'religion', 'islam']],
  ['crime', ['অপরাধ', 'crime']],
  ['weather', ['আবহাওয়া', 'weather']],
  ['expatriates', ['প্রবাস', 'প্রবাসী', 'প্রবাসের খবর', 'expatriates', 'expatriate', 'probash', 'diaspora']],
  ['campus', ['ক্যাম্পাস', 'campus']],
  // Further desks common on Bangladeshi sites.
  ['agriculture', ['কৃষি', 'agriculture']],
  ['environment', ['পরিবেশ', 'প্রকৃতি ও পরিবেশ', 'environment', 'climate']],
  ['arts', ['শিল্প-সাহিত্য', 'সাহিত্য', 'শিল্প ও সাহিত্য', 'সংস্কৃতি', 'arts', 'literature', 'culture', 'art and culture']],
  ['features', ['ফিচার', 'বিশেষ প্রতিবেদন', 'feature', 'features']],
  ['travel', ['ভ্রমণ', 'পর্যটন', 'travel', 'tourism']],
]

// Keys ignore case, zero-width chars, hyphen/space spelling and '&' vs "and".
function slugKey(label: string): string {
  return matchKey(label)
    .replace(/[\s:：\u0983.,।]+$/u, '')
    .replace(/\s*&\s*/g, ' and ')
    .replace(/[\s\-–—_/]+/g, ' ')
    .trim()
}

const slugByKey = new Map<string, string>(desks.flatMap(([slug, labels]) => labels.map((l) => [slugKey(l), slug] as const)))

// Breadcrumbs and lists: "International > Asia", "খেলা, ক্রিকেট".
const LABEL_PARTS = /\s*[,>›»|]\s*|\s+\/\s+/

/**
 * Slug for a category label as written on the page ('আন্তর্জাতিক' → 'international').
 * Unknown ASCII labels become a lowercase hyphenated slug; unknown non-ASCII labels give null.
 */
export function categorySlug(label: string): string | null {
  const known = slugByKey.get(slugKey(label))
  if (known !== undefined) return known
  const parts = label.split(LABEL_PARTS).filter((p) => matchKey(p) !== '')
  for (const part of parts) {
    const slug = slugByKey.get(slugKey(part))
    if (slug !== undefined) return slug
  }
  const first = (parts[0] ?? '').normalize('NFC').trim()
  if (!/^[\x20-\x7e]+$/.test(first)) return null
  const slug = first
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return slug === '' ? null : slug
}
