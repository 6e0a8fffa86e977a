// The article id `newswire import` gives a file: its name, so re-importing the file updates its
// article. A name that is not an id already was made one by turning every other run into '-':
// a Bengali name became '' and then `file-<now>`, a new article on every import, and names
// differing only in their Bengali letters (`খবর-1`, `খেলা-1`) one article, the second file
// replacing the first's text; a name in NFD (as macOS writes it) another id than in NFC (red23d
// attack run). Pure: no I/O.
import { createHash } from 'node:crypto'

/** As ingest accepts an id (fields.ts), at most 200 characters. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/

/** Room left for the readable part before `-<hash>`. */
const READABLE = 150

/**
 * The id of a file named `name` (no folder, no extension): the name when it is an id; an ASCII
 * name as it always was (its '-' for other characters: ids already imported stay theirs); else its
 * readable ASCII part and a hash of its NFC form, so the same name in any normalization is one
 * id and different names are different ids.
 */
export function importIdOf(name: string): string {
  const nfc = name.normalize('NFC')
  if (ID.test(nfc)) return nfc
  const old = nfc.replace(/[^A-Za-z0-9._:-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '')
  // printable ASCII: the old mapping, kept so re-imports of such files still reach their articles
  if (/^[\x20-\x7e]*$/.test(nfc) && old !== '') return old
  const readable = old.replace(/-+$/, '')
  const hash = createHash('sha256').update(nfc, 'utf8').digest('hex').slice(0, 16)
  return readable === '' ? `file-${hash}` : `${readable.slice(0, READABLE)}-${hash}`
}

/** A page's address as WHATWG URL reads it (host in lower case and punycode, path percent-encoded), without its fragment. */
function pageAddress(url: string): string {
  try {
    const u = new URL(url)
    u.hash = ''
    return u.href
  } catch {
    return url // refused by validation, which names the field
  }
}

/**
 * The id of a scraped page imported without one: its address, headline and publication time, so a
 * re-import updates it. The address is read as the page it names: the same page written with its
 * Bengali path raw or percent-encoded, its host in capitals or a `#fragment` was another article,
 * left live by the kill of the first (red23d attack run). The headline is the cleaned one (NFC).
 */
export function scrapedIdOf(url: string | undefined, headline: string, publishedAt: string | null): string {
  const address = url === undefined ? '' : pageAddress(url)
  return `scraped-${createHash('sha256')
    .update(`${address}\n${headline}\n${publishedAt ?? ''}`)
    .digest('hex')
    .slice(0, 20)}`
}
