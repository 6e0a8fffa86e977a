export interface RelatedHeadline {
  headline: string
  url: string | null
}

/** A scraped news page in plain text, parsed. All strings are NFC. */
export interface ScrapedArticle {
  /** NFC, whitespace collapsed */
  headline: string
  /** paragraphs: NFC, whitespace collapsed and trimmed, empties dropped */
  body: string[]
  /** 'bn' when the text is mostly Bengali script, else 'en' */
  language: string
  /** the raw dateline line (NFC, trimmed), or null when the page has none */
  dateline: string | null
  /** ISO 8601 UTC instant, e.g. '2024-08-17T05:46:00.000Z' */
  publishedAt: string | null
  /** same; equal to publishedAt when the page has no separate update time */
  updatedAt: string | null
  /** IANA zone the dateline was read in */
  timeZone: string
  /** slug such as 'international' */
  category: string | null
  /** the category label as written, e.g. 'আন্তর্জাতিক' */
  categoryLabel: string | null
  /** the read-more list, in page order; not part of the body */
  related: RelatedHeadline[]
}

export interface ParseScrapedOptions {
  /** Zone of English pages' local times (default Asia/Dhaka); Bengali pages always use Asia/Dhaka. */
  timeZone?: string
}
