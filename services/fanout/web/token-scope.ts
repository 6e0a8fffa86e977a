// What a newsroom token lets the desk see, said on the desk: a token narrowed to some desks or
// languages, or one with `embargo: false`, showed its part of the newsroom as the whole, under
// "over everything the server holds" and "embargoed (0)", to an editor checking whether anything
// of a story is under embargo or running (red21d attack run). Read from the token's claims for
// display only: the server enforces them (src/audience.ts); nothing here is trusted.

export interface TokenScope {
  desks: string[] | null
  languages: string[] | null
  embargo: boolean
}

const strings = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null)

/** The audience claims of a JWT (its payload, unverified), or null when it is none or says nothing of them. */
export function scopeOf(token: string): TokenScope | null {
  const payload = token.split('.')[1]
  if (payload === undefined) return null
  try {
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    )
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0))
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
    const scope = { desks: strings(claims.desks), languages: strings(claims.languages), embargo: claims.embargo !== false }
    return scope.desks === null && scope.languages === null && scope.embargo ? null : scope
  } catch {
    return null
  }
}

/** The desk's note of what this token does not see, '' when it sees everything. */
export function scopeText(scope: TokenScope | null): string {
  if (!scope) return ''
  const parts = [
    scope.desks && `desks ${scope.desks.length > 0 ? scope.desks.join(', ') : '(none)'}`,
    scope.languages && `languages ${scope.languages.length > 0 ? scope.languages.join(', ') : '(none)'}`,
    !scope.embargo && 'no story under embargo until it is released',
  ].filter((p): p is string => typeof p === 'string')
  return `This token sees only part of the newsroom: ${parts.join(' · ')}. Stories, states and counts here are of that part alone.`
}
