const BENGALI = /\p{Script=Bengali}/gu
const LATIN = /\p{Script=Latin}/gu

/** 'bn' when Bengali script outnumbers Latin script in `texts`, else 'en'. */
export function detectLanguage(texts: readonly string[]): 'bn' | 'en' {
  let bengali = 0
  let latin = 0
  for (const text of texts) {
    bengali += text.match(BENGALI)?.length ?? 0
    latin += text.match(LATIN)?.length ?? 0
  }
  return bengali > latin ? 'bn' : 'en'
}
