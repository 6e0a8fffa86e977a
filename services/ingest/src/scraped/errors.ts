export const scrapedErrorCodes = [
  'NEWSWIRE_ERR_SCRAPED_EMPTY',
  'NEWSWIRE_ERR_SCRAPED_NO_HEADLINE',
  'NEWSWIRE_ERR_SCRAPED_NO_BODY',
  'NEWSWIRE_ERR_SCRAPED_TIME_ZONE',
] as const
export type ScrapedErrorCode = (typeof scrapedErrorCodes)[number]

/** Thrown by the scraped-page parser; classify it by `code`. `line` is 1-based in the input. */
export class ScrapedParseError extends Error {
  readonly code: ScrapedErrorCode
  readonly line?: number
  constructor(code: ScrapedErrorCode, message: string, line?: number) {
    super(message)
    this.name = 'ScrapedParseError'
    this.code = code
    if (line !== undefined) this.line = line
  }
}
