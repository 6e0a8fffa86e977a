// What the story embed says, in English and Bengali: the update banner's sentences ("Updated 2 min
// ago — headline and body changed"), the live feed's labels. Relative times and numbers come from
// Intl in the story's language (format.ts), so Bengali gets "২ মিনিট আগে" and Bengali digits. Pure.
import { formatNumber, formatRelative, localeFor } from './format.ts'

export type Ui = 'en' | 'bn'

interface Words {
  updated: (ago: string, fields: string | null) => string
  correction: string
  withdrawn: string
  unavailable: string
  reload: string
  dismiss: string
  newEntries: (n: string, one: boolean) => string
  live: string
  ended: string
  summary: string
  keyEvents: string
  keyEvent: string
  allKeys: (n: string) => string
  fewerKeys: string
  edited: string
  older: string
  start: string
  reconnecting: string
  by: string
  /** The story's fields as a reader names them; the rest are "details". */
  fields: Record<'headline' | 'summary' | 'body' | 'other', string>
}

const words: Record<Ui, Words> = {
  en: {
    updated: (ago, fields) => `Updated ${ago}${fields ? ` — ${fields} changed` : ''}`,
    correction: 'Correction',
    withdrawn: 'This story has been withdrawn',
    unavailable: 'This story is not available at the moment',
    reload: 'Reload',
    dismiss: 'Dismiss',
    newEntries: (n, one) => `${n} new ${one ? 'entry' : 'entries'}`,
    live: 'Live',
    ended: 'Live coverage has ended',
    summary: 'Summary',
    keyEvents: 'Key events',
    keyEvent: 'Key event',
    allKeys: (n) => `Show all ${n} key events`,
    fewerKeys: 'Show fewer',
    edited: 'Updated',
    older: 'Show older entries',
    start: 'Start of the coverage',
    reconnecting: 'reconnecting…',
    by: 'By',
    fields: { headline: 'headline', summary: 'summary', body: 'body', other: 'details' },
  },
  bn: {
    updated: (ago, fields) => `${ago} হালনাগাদ হয়েছে${fields ? ` — ${fields} বদলেছে` : ''}`,
    correction: 'সংশোধনী',
    withdrawn: 'এই খবরটি প্রত্যাহার করা হয়েছে',
    unavailable: 'খবরটি এই মুহূর্তে পাওয়া যাচ্ছে না',
    reload: 'আবার লোড করুন',
    dismiss: 'বন্ধ করুন',
    newEntries: (n) => `${n}টি নতুন আপডেট`,
    live: 'সরাসরি',
    ended: 'সরাসরি সম্প্রচার শেষ হয়েছে',
    summary: 'সারসংক্ষেপ',
    keyEvents: 'গুরুত্বপূর্ণ ঘটনা',
    keyEvent: 'গুরুত্বপূর্ণ',
    allKeys: (n) => `${n}টি গুরুত্বপূর্ণ ঘটনাই দেখুন`,
    fewerKeys: 'কম দেখুন',
    edited: 'হালনাগাদ',
    older: 'আগের আপডেট দেখুন',
    start: 'সম্প্রচারের শুরু',
    reconnecting: 'আবার সংযোগ হচ্ছে…',
    by: 'লিখেছেন',
    fields: { headline: 'শিরোনাম', summary: 'সারাংশ', body: 'মূল লেখা', other: 'বিবরণ' },
  },
}

/** The embed's language: Bengali for `bn` stories (or pages that ask for it), else English. */
export const uiFor = (language: string | null | undefined): Ui => (localeFor(language).startsWith('bn') ? 'bn' : 'en')

export const wordsFor = (ui: Ui): Words => words[ui]

/** "headline and body", "details": what a reader would call the changed fields, each once, in reading order. */
export function changedText(fields: Iterable<string>, ui: Ui): string | null {
  const w = words[ui].fields
  const named = new Set<string>()
  for (const f of fields) {
    if (f === 'headline' || f === 'summary' || f === 'body') named.add(f)
    // bookkeeping a reader does not see is not a change to them
    else if (f !== 'updatedAt' && f !== 'corrections' && f !== 'version') named.add('other')
  }
  const order = (['headline', 'summary', 'body', 'other'] as const).filter((f) => named.has(f)).map((f) => w[f])
  if (order.length === 0) return null
  try {
    return new Intl.ListFormat(localeFor(ui), { type: 'conjunction' }).format(order)
  } catch {
    return order.join(', ')
  }
}

/** "Updated 2 min ago — headline and body changed", in the story's language. */
export function updatedText(at: number, now: number, fields: Iterable<string>, ui: Ui): string {
  return words[ui].updated(formatRelative(at, now, ui), changedText(fields, ui))
}

export function newEntriesText(n: number, ui: Ui): string {
  return words[ui].newEntries(formatNumber(n, ui), n === 1)
}
