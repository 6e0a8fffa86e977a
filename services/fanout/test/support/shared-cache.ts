// A shared HTTP cache as RFC 9111 lets one behave, small enough to read: what a CDN or reverse
// proxy in front of the public endpoints may store, and when it may hand a stored answer to
// another reader. Where the RFC allows a choice it takes the bolder one, so a header that only a
// timid cache would make safe is found out:
// - it stores every GET answer it may (§3): not `no-store`, not `private`; a request with
//   Authorization only when the answer says `public`, `s-maxage` or `must-revalidate` (§3.5);
//   200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501 are stored without explicit freshness
//   (heuristically cacheable, §4.2.2), any other status only with it;
// - a stored answer is selected by the exact URI and the request headers its `Vary` names (§4.1);
// - it serves a selected answer without asking while fresh (`s-maxage`, `max-age`; without
//   either, a heuristic 60 s for the statuses above, §4.2.2), unless it says `no-cache`; past
//   that, while `stale-while-revalidate` allows;
// - it validates with `If-None-Match` holding the entity tags of every answer it stores for that
//   URI, selected or not (§4.3.1: a cache may send validators of all its stored responses), and a
//   304 lets it serve the stored answer of the tag the 304 names (§4.3.3, §4.3.4), with the 304's
//   headers;
// - an answer without content (a 304 not about any stored answer) goes to the reader as it is.
import { request } from 'node:http'

export interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

interface Stored extends Answer {
  uri: string
  /** The request's headers (lower-case names), for Vary. */
  req: Record<string, string>
  storedAt: number
}

/** One request to `base`, headers as given (lower-case names). */
export function ask(base: string, uri: string, headers: Record<string, string>, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${uri}`, { method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        body += c
      })
      res.on('end', () => {
        const h: Record<string, string> = {}
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v
        resolve({ status: res.statusCode ?? 0, headers: h, body })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

const directives = (cc: string | undefined) => {
  const d = new Map<string, string>()
  for (const part of (cc ?? '').split(',')) {
    const [k, v] = part.trim().toLowerCase().split('=')
    if (k) d.set(k, (v ?? '').replace(/"/g, ''))
  }
  return d
}

const heuristic = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501])
const HEURISTIC_S = 60

export class SharedCache {
  readonly base: string
  readonly now: () => number
  readonly stored: Stored[] = []
  /** Answers served from the store (after a 304 or while fresh). */
  hits = 0

  constructor(base: string, now: () => number = Date.now) {
    this.base = base
    this.now = now
  }

  #varyMatches(s: Stored, req: Record<string, string>): boolean {
    const vary = (s.headers.vary ?? '')
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .filter((v) => v !== '')
    if (vary.includes('*')) return false
    return vary.every((name) => (s.req[name] ?? null) === (req[name] ?? null))
  }

  #fresh(s: Stored): boolean {
    const d = directives(s.headers['cache-control'])
    if (d.has('no-cache')) return false
    const life = Number(d.get('s-maxage') ?? d.get('max-age') ?? (heuristic.has(s.status) ? HEURISTIC_S : 0))
    const age = (this.now() - s.storedAt) / 1000
    return age < life || age < life + Number(d.get('stale-while-revalidate') ?? 0)
  }

  #storable(method: string, req: Record<string, string>, a: Answer): boolean {
    const d = directives(a.headers['cache-control'])
    if (method !== 'GET' || d.has('no-store') || d.has('private')) return false
    if (req.authorization !== undefined && !d.has('public') && !d.has('s-maxage') && !d.has('must-revalidate')) return false
    return heuristic.has(a.status) || d.has('max-age') || d.has('s-maxage') || a.headers.expires !== undefined
  }

  /** A reader's request through the cache; `req` header names in lower case. */
  async fetch(uri: string, req: Record<string, string> = {}, method = 'GET'): Promise<Answer & { fromCache: boolean }> {
    const forUri = this.stored.filter((s) => s.uri === uri)
    const selected = method === 'GET' || method === 'HEAD' ? forUri.find((s) => this.#varyMatches(s, req)) : undefined
    if (selected && this.#fresh(selected)) {
      this.hits++
      return { ...selected, fromCache: true }
    }
    const tags = [...new Set([...(req['if-none-match'] ?? '').split(','), ...forUri.map((s) => s.headers.etag ?? '')])]
      .map((t) => t.trim())
      .filter((t) => t !== '')
    const forwarded = { ...req }
    if (tags.length > 0) forwarded['if-none-match'] = tags.join(', ')
    const a = await ask(this.base, uri, forwarded, method)
    if (a.status === 304) {
      const tag = (a.headers.etag ?? '').replace(/^W\//, '')
      const hit = forUri.find((s) => (s.headers.etag ?? '').replace(/^W\//, '') === tag)
      const theirs = (req['if-none-match'] ?? '').split(',').some((t) => t.trim().replace(/^W\//, '') === tag)
      if (hit && !theirs) {
        Object.assign(hit.headers, a.headers)
        hit.storedAt = this.now()
        this.hits++
        return { ...hit, status: hit.status, fromCache: true }
      }
      return { ...a, fromCache: false }
    }
    if (this.#storable(method, req, a)) {
      const i = this.stored.findIndex(
        (s) => s.uri === uri && this.#varyMatches(s, req) && this.#varyMatches({ ...s, req, headers: a.headers } as Stored, s.req),
      )
      const entry: Stored = { ...a, headers: { ...a.headers }, uri, req: { ...req }, storedAt: this.now() }
      if (i >= 0) this.stored.splice(i, 1, entry)
      else this.stored.push(entry)
    }
    return { ...a, fromCache: false }
  }
}
