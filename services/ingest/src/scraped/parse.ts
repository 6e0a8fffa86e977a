import { categorySlug } from './categories.ts'
import { datelineShapeOf, readDatelineTimes } from './dateline.ts'
import { ScrapedParseError } from './errors.ts'
import { classifyLine } from './furniture.ts'
import type { LineKind } from './furniture.ts'
import { detectLanguage } from './language.ts'
import { cleanDisplay, matchKey, normalizeInput } from './text.ts'
import type { ParseScrapedOptions, RelatedHeadline, ScrapedArticle } from './types.ts'
import { DEFAULT_TIME_ZONE, resolveTimeZone } from './zone.ts'

interface Line {
  /** 1-based line number in the input */
  number: number
  raw: string
  display: string
  kind: LineKind
}

// Where the walk is: in the body, in a read-more list, or past both (ignoring lines).
type State = 'body' | 'related' | 'skip'

const URL = /https?:\/\/\S+/u
const URL_TAIL = /[)\]}>.,;:!?।'"’”]+$/u
const EMPTY_BRACKETS = /\(\s*\)|\[\s*\]|<\s*>/gu
const EDGE_SEPARATORS = /^[\s|:–—-]+|[\s|:–—-]+$/gu

/**
 * Parses a scraped news page in plain text: headline on the first line, an optional
 * dateline on the second, body paragraphs up to the category line (`বিভাগ :`,
 * `Category :`), then furniture and a read-more list. Pure: no I/O, no clock.
 * Throws ScrapedParseError (codes NEWSWIRE_ERR_SCRAPED_*) for empty input, a missing
 * headline or an empty body, and for an unknown `options.timeZone`.
 */
export function parseScraped(text: string, options: ParseScrapedOptions = {}): ScrapedArticle {
  if (typeof text !== 'string') throw new TypeError('parseScraped expects a string')
  const optionZone = resolveTimeZone(options.timeZone ?? DEFAULT_TIME_ZONE)
  const lines = readLines(text)
  if (lines.length === 0) {
    throw new ScrapedParseError('NEWSWIRE_ERR_SCRAPED_EMPTY', 'scraped text is empty')
  }

  // A share bar above the headline is noise, not a headline.
  let i = lines.findIndex((l) => l.kind.kind !== 'furniture')
  const head = lines[i]
  // Only an unmistakable dateline on the first line means the headline is missing.
  if (head === undefined || head.kind.kind !== 'text' || datelineShapeOf(head.raw) === 'strong') {
    const at = head ?? lines[0]
    throw new ScrapedParseError('NEWSWIRE_ERR_SCRAPED_NO_HEADLINE', `line ${at?.number} is not a headline`, at?.number)
  }
  i++

  // The dateline follows the headline; a category line or furniture may sit between.
  let j = i
  while (lines[j]?.kind.kind === 'category' || lines[j]?.kind.kind === 'furniture') j++
  const candidate = lines[j]
  const datelineLine = candidate?.kind.kind === 'text' && datelineShapeOf(candidate.raw) !== 'none' ? candidate : undefined

  const body: string[] = []
  const related: RelatedHeadline[] = []
  let label: string | null = null
  let state: State = 'body'
  let takeOne = false
  for (; i < lines.length; i++) {
    const line = lines[i] as Line
    if (line === datelineLine) continue
    const kind = line.kind
    switch (kind.kind) {
      case 'category':
        label ??= kind.label
        // A category line above the body is a label only; after it, it ends the body.
        if (state === 'body' && body.length > 0) state = 'skip'
        break
      case 'furniture':
        break
      case 'readMoreItem':
        addRelated(related, kind.text)
        break
      case 'readMore':
        // Inside the body (a category line still follows) the heading announces one link.
        if (state === 'body' && lines.slice(i + 1).some((l) => l.kind.kind === 'category')) takeOne = true
        else state = 'related'
        break
      case 'listEnd':
        state = 'skip'
        break
      case 'text':
        if (takeOne) {
          addRelated(related, line.display)
          takeOne = false
        } else if (state === 'body') body.push(line.display)
        // Lists often print each item's time under it; that is not a headline.
        else if (state === 'related' && datelineShapeOf(line.raw) !== 'strong') addRelated(related, line.display)
        break
    }
  }

  if (body.length === 0) {
    const expected = (datelineLine ?? head).number + 1
    throw new ScrapedParseError('NEWSWIRE_ERR_SCRAPED_NO_BODY', `no body text after line ${expected - 1}`, expected)
  }

  const language = detectLanguage([head.display, ...body])
  // Bengali pages come from Bangladeshi sites; only English pages take the zone option.
  const timeZone = language === 'bn' ? DEFAULT_TIME_ZONE : optionZone
  const times = datelineLine ? readDatelineTimes(datelineLine.raw, timeZone) : { publishedAt: null, updatedAt: null }
  return {
    headline: head.display,
    body,
    language,
    dateline: datelineLine ? datelineLine.raw.trim() : null,
    publishedAt: times.publishedAt,
    updatedAt: times.updatedAt,
    timeZone,
    category: label === null ? null : categorySlug(label),
    categoryLabel: label,
    related,
  }
}

function readLines(text: string): Line[] {
  return normalizeInput(text)
    .split('\n')
    .map((raw, index) => ({ number: index + 1, raw, display: cleanDisplay(raw) }))
    .filter((l) => matchKey(l.raw) !== '') // a line of zero-width chars is blank too
    .map((l) => ({ ...l, kind: classifyLine(l.display) }))
}

// "headline https://…" carries its link; a bare URL line belongs to the headline above.
function addRelated(list: RelatedHeadline[], text: string): void {
  const m = URL.exec(text)
  if (m === null) {
    list.push({ headline: text, url: null })
    return
  }
  const url = m[0].replace(URL_TAIL, '')
  const rest = (text.slice(0, m.index) + ' ' + text.slice(m.index + m[0].length)).replace(EMPTY_BRACKETS, '').replace(EDGE_SEPARATORS, '')
  const headline = cleanDisplay(rest)
  if (headline !== '') {
    list.push({ headline, url })
    return
  }
  const previous = list.at(-1)
  if (previous !== undefined && previous.url === null) previous.url = url
}
