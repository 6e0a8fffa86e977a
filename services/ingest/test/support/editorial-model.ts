// Reference model of ingest's write rules for the property tests (issue 14): which key may do
// what, how each field of an update is treated, and which versions the events carry. Written
// from services/ingest/README.md, not from the implementation: the tests compare the two.
import fc from 'fast-check'

export const MAX_REVISION = 2 ** 52

/** Test keys and the scopes INGEST_API_KEYS gives them (see apiKeysEnv). `forged` is unknown. */
export const keys = {
  dev: { key: 'model-key-dev-0001', scopes: ['write', 'withdraw', 'import', 'read'] },
  cms: { key: 'model-key-cms-0001', scopes: ['write'] },
  scraper: { key: 'model-key-scraper-1', scopes: ['import'] },
  scraper2: { key: 'model-key-scraper-2', scopes: ['import'] },
  legal: { key: 'model-key-legal-001', scopes: ['withdraw'] },
  desk: { key: 'model-key-desk-0001', scopes: ['read'] },
  forged: { key: 'model-key-forged-01', scopes: [] },
} as const
export type KeyName = keyof typeof keys
export const keyNames = Object.keys(keys) as KeyName[]

export const apiKeysEnv = keyNames
  .filter((k) => k !== 'forged')
  .map((k) => `${k}:${keys[k].key}:${keys[k].scopes.join('+')}`)
  .join(',')

export type Status = 'usable' | 'withheld'
/** Embargo instants as GET shows them: past, near and far future. */
export const embargoes = ['2020-01-01T00:00:00.000Z', '2030-06-01T12:00:00.000Z', '2099-12-31T23:59:00.000Z'] as const

/**
 * Other spellings a source may send of the same instants (an offset, `-00:00`, no seconds, a
 * fraction): each must be read as the instant it names, on every path (red12b attack run). And
 * instants a fraction of a millisecond before them: an embargo is read as the first millisecond at
 * or after the instant it names, never the one before it (red16c attack run).
 */
export const embargoSpellings: Readonly<Record<string, (typeof embargoes)[number]>> = {
  '2030-06-01T18:00:00+06:00': '2030-06-01T12:00:00.000Z',
  '2030-06-01T12:00-00:00': '2030-06-01T12:00:00.000Z',
  '2030-06-01T07:00:00.0000-05:00': '2030-06-01T12:00:00.000Z',
  '2100-01-01T05:59:00+06:00': '2099-12-31T23:59:00.000Z',
  '2019-12-31T23:00:00-01:00': '2020-01-01T00:00:00.000Z',
  '2030-06-01T11:59:59.9999999Z': '2030-06-01T12:00:00.000Z',
  '2099-12-31T23:58:59.999000001Z': '2099-12-31T23:59:00.000Z',
}

/** The instant an embargo spelling names, as GET shows it. */
export const embargoShown = (e: string | null): string | null => (e === null ? null : (embargoSpellings[e] ?? e))

/** How a POST is sent: alone, or as the one line of an NDJSON batch (which must decide it the same way). */
export type Via = 'single' | 'batch'

/**
 * A revision as the CMS sends it, relative to the stored version when it runs. `spelled`: the
 * next one written `N.0`, read exactly; `rounded`: `N.99999999999999999`, which JSON.parse reads
 * as the next one, N + 1, though it is no whole number (refused, 422).
 */
export type RevisionSpec = 'none' | 'stale' | 'same' | 'next' | 'jump' | 'max' | 'absurd' | 'spelled' | 'rounded'

/** `revision` (what revisionOf gives for `spec`) as the CMS writes it in its JSON. */
export function revisionLiteral(spec: RevisionSpec, revision: number): string {
  if (spec === 'spelled') return `${revision}.0`
  if (spec === 'rounded') return `${revision - 1}.99999999999999999`
  return String(revision)
}

/** A revision ingest must refuse (422) before it reads any state. */
export const badRevision = (spec: RevisionSpec, revision: number | undefined): boolean =>
  spec === 'rounded' || (revision !== undefined && (revision < 1 || revision > MAX_REVISION))

export type Op =
  | {
      kind: 'post'
      key: KeyName
      id: number
      headline: number
      summary: string | null
      urgency: number
      pubStatus: Status | 'canceled' | null | undefined
      embargoedUntil: string | null | undefined
      revision: RevisionSpec
      via: Via
      /** `pubStatus` named a second time in the body, with this value (red13b): refused, 422 */
      twice: Status | undefined
    }
  | {
      kind: 'patch'
      key: KeyName
      id: number
      headline: number | undefined
      summary: string | null | undefined
      urgency: number | undefined
      pubStatus: Status | 'canceled' | null | undefined
      embargoedUntil: string | null | undefined
      twice: Status | undefined
    }
  | { kind: 'import'; key: KeyName; id: number; variant: 0 | 1 }
  | { kind: 'withdraw'; key: KeyName; id: number }
  /** Legal removal (red12b): a withdrawal without the content, which then shows none of it. */
  | { kind: 'erase'; key: KeyName; id: number }

export const has = (k: KeyName, scope: string): boolean => (keys[k].scopes as readonly string[]).includes(scope)

/** Mostly a key allowed to do `scope`, sometimes any key (a wrong scope, a forged key). */
function keyFor(scope: string): fc.Arbitrary<KeyName> {
  const allowed = keyNames.filter((k) => has(k, scope))
  return fc.oneof({ arbitrary: fc.constantFrom(...allowed), weight: 3 }, { arbitrary: fc.constantFrom(...keyNames), weight: 1 })
}

export const opArb: fc.Arbitrary<Op> = (() => {
  const id = fc.integer({ min: 0, max: 2 })
  const status = fc.constantFrom<Status | 'canceled'>('usable', 'usable', 'withheld', 'withheld', 'canceled')
  const embargo = fc.constantFrom<string | null>(null, ...embargoes, ...Object.keys(embargoSpellings))
  const urgency = fc.constantFrom(1, 3, 5, 5, 5, 5, 12)
  // now and then a body names pubStatus again: a hold then a release, or the reverse (red13b)
  const twice = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 9 },
    { arbitrary: fc.constantFrom<Status>('usable', 'withheld'), weight: 1 },
  )
  const post = fc.record({
    kind: fc.constant('post' as const),
    key: keyFor('write'),
    id,
    headline: fc.integer({ min: 0, max: 2 }),
    summary: fc.constantFrom<string | null>(null, 'A summary.'),
    urgency,
    pubStatus: fc.option(fc.option(status, { nil: null }), { nil: undefined }),
    embargoedUntil: fc.option(embargo, { nil: undefined }),
    revision: fc.constantFrom<RevisionSpec>(
      'none',
      'none',
      'none',
      'none',
      'none',
      'none',
      'stale',
      'same',
      'next',
      'jump',
      'max',
      'absurd',
      'spelled',
      'rounded',
    ),
    via: fc.constantFrom<Via>('single', 'single', 'batch'),
    twice,
  })
  const patch = fc.record({
    kind: fc.constant('patch' as const),
    key: keyFor('write'),
    id,
    headline: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    summary: fc.option(fc.constantFrom<string | null>(null, 'A summary.', 'Another summary.'), { nil: undefined }),
    urgency: fc.option(urgency, { nil: undefined }),
    pubStatus: fc.option(fc.option(status, { freq: 8, nil: null }), { nil: undefined }),
    embargoedUntil: fc.option(embargo, { nil: undefined }),
    twice,
  })
  const imp = fc.record({ kind: fc.constant('import' as const), key: keyFor('import'), id, variant: fc.constantFrom<0 | 1>(0, 1) })
  const withdraw = fc.record({ kind: fc.constant('withdraw' as const), key: keyFor('withdraw'), id })
  const erase = fc.record({ kind: fc.constant('erase' as const), key: keyFor('withdraw'), id })
  return fc.oneof(
    { arbitrary: post, weight: 4 },
    { arbitrary: patch, weight: 4 },
    { arbitrary: imp, weight: 2 },
    { arbitrary: withdraw, weight: 1 },
    { arbitrary: erase, weight: 1 },
  )
})()

/**
 * A newer ingest instance (a deploy under way) writes the next version of an article, in a schema
 * this one can decode or not. It only edits what exists and is not killed; what it changes is not
 * the model's concern, so the content stays.
 */
export interface NewerOp {
  kind: 'newer'
  id: number
  decodable: boolean
}

export const newerArb: fc.Arbitrary<NewerOp> = fc.record({
  kind: fc.constant('newer' as const),
  id: fc.integer({ min: 0, max: 2 }),
  decodable: fc.boolean(),
})

/** What the model knows of one article: the fields a step can change. */
export interface ModelArticle {
  version: number
  pubStatus: Status | 'canceled'
  embargoedUntil: string | null
  /** The event source of the latest version: key name, or import:<key name>. */
  source: string
  headline: string
  summary: string | null
  urgency: number
  /** The body: a POST's, or an imported page's (which also brings category, dateline, ...). */
  body: string
}

/** An event the model expects in news.article-events. */
export interface ModelEvent {
  type: 'CREATED' | 'UPDATED' | 'WITHDRAWN'
  version: number
  pubStatus: Status | 'canceled'
  embargoedUntil: string | null
  source: string
}

export interface Expected {
  status: number
  /** The problem code for 4xx answers. */
  code?: string
  event?: ModelEvent
}

export const headlineOf = (h: number): string => `Headline number ${h}`
export const pageOf = (variant: 0 | 1): string =>
  `Port reopens after storm\n17 August 2024, 9:15 AM\nShips moved again on ${variant === 0 ? 'Saturday' : 'Sunday'}.\nCategory : National\n`
export const IMPORTED_HEADLINE = 'Port reopens after storm'

/** The revision a spec stands for against the stored version (0 when none is stored). */
export function revisionOf(spec: RevisionSpec, stored: number): number | undefined {
  switch (spec) {
    case 'none':
      return undefined
    case 'stale':
      return stored - 1
    case 'same':
      return stored
    case 'next':
    case 'spelled':
    case 'rounded':
      return stored + 1
    case 'jump':
      return stored + 7
    case 'max':
      return MAX_REVISION
    case 'absurd':
      return 9007199254740990
  }
}

type Content = Pick<ModelArticle, 'headline' | 'summary' | 'urgency' | 'body' | 'pubStatus' | 'embargoedUntil'>

function sameContent(a: Content, b: Content): boolean {
  return (
    a.headline === b.headline &&
    a.summary === b.summary &&
    a.urgency === b.urgency &&
    a.body === b.body &&
    a.pubStatus === b.pubStatus &&
    a.embargoedUntil === b.embargoedUntil
  )
}

/** The scope an op needs: an erasure is a withdrawal's. */
export const scopeOf = (op: Op): string =>
  op.kind === 'post' || op.kind === 'patch' ? 'write' : op.kind === 'erase' ? 'withdraw' : op.kind

/** A body that names a member twice means whatever its reader picks: refused (README "Errors"). */
export const namedTwice = (op: Op): boolean => (op.kind === 'post' || op.kind === 'patch') && op.twice !== undefined

/** What an erasure leaves of an article: the kill, without its text (README "Erase"). */
const erased = (a: ModelArticle): ModelArticle => ({ ...a, headline: '', summary: null, body: '' })

/**
 * Applies `op` to `articles` (when accepted) and returns what ingest must answer. `sent`: the
 * revision a POST carried when it is resent as it was (an Idempotency-Key retry); by default the
 * one its spec gives against the stored version now.
 */
export function step(articles: Map<number, ModelArticle>, op: Op, sent?: { revision: number | undefined }): Expected {
  const scope = scopeOf(op)
  if (op.key === 'forged') return { status: 401, code: 'unauthorized' }
  if (!has(op.key, scope)) return { status: 403, code: 'forbidden' }
  if (namedTwice(op)) return { status: 422, code: 'validation_failed' }
  const current = articles.get(op.id)
  const refuse = (status: number, code: string): Expected => ({ status, code })
  const update = (next: ModelArticle): Expected => commit(articles, op.id, next, current === undefined ? 'CREATED' : 'UPDATED')
  switch (op.kind) {
    case 'erase': {
      if (current === undefined) return refuse(404, 'not_found')
      // erased already: unchanged; withdrawn with its content: that kill again without it (red26a)
      if (current.pubStatus === 'canceled' && current.headline === '') return { status: 200 }
      return commit(
        articles,
        op.id,
        erased({ ...current, version: current.version + 1, pubStatus: 'canceled', source: op.key }),
        'WITHDRAWN',
      )
    }
    case 'withdraw': {
      if (current === undefined) return refuse(404, 'not_found')
      if (current.pubStatus === 'canceled') return { status: 200 }
      return commit(articles, op.id, { ...current, version: current.version + 1, pubStatus: 'canceled', source: op.key }, 'WITHDRAWN')
    }
    case 'import': {
      if (current?.pubStatus === 'canceled') return refuse(409, 'conflict')
      const source = `import:${op.key}`
      if (current !== undefined && current.source !== source) return refuse(403, 'forbidden')
      // Editorial controls: the defaults on creation, kept on update
      const next = {
        headline: IMPORTED_HEADLINE,
        summary: null,
        urgency: 5,
        body: `page ${op.variant}`,
        pubStatus: current?.pubStatus ?? 'usable',
        embargoedUntil: current?.embargoedUntil ?? null,
      }
      if (current !== undefined && sameContent(current, next)) return { status: 200 }
      return update({ ...next, version: (current?.version ?? 0) + 1, source })
    }
    case 'post': {
      const revision = sent === undefined ? revisionOf(op.revision, current?.version ?? 0) : sent.revision
      if (op.urgency > 9 || op.pubStatus === 'canceled' || badRevision(op.revision, revision)) return refuse(422, 'validation_failed')
      if (current?.pubStatus === 'canceled') return refuse(409, 'conflict')
      const next = {
        headline: headlineOf(op.headline),
        summary: op.summary,
        urgency: op.urgency,
        body: 'post body',
        // Omitted (or a null status) keeps the current value; explicit values replace it
        pubStatus: op.pubStatus ?? current?.pubStatus ?? 'usable',
        embargoedUntil: op.embargoedUntil === undefined ? (current?.embargoedUntil ?? null) : embargoShown(op.embargoedUntil),
      }
      if (current === undefined) return update({ ...next, version: revision ?? 1, source: op.key })
      const same = sameContent(current, next)
      if (revision !== undefined && (revision < current.version || (revision === current.version && !same))) return refuse(409, 'conflict')
      if (same) return { status: 200 }
      return update({ ...next, version: revision ?? current.version + 1, source: op.key })
    }
    case 'patch': {
      if (op.pubStatus === null) return refuse(422, 'validation_failed')
      if (current === undefined) return refuse(404, 'not_found')
      if (current.pubStatus === 'canceled') return refuse(409, 'conflict')
      if ((op.urgency ?? 5) > 9 || op.pubStatus === 'canceled') return refuse(422, 'validation_failed')
      // Only the members the patch names change; null removes (a summary; an embargo: lifted)
      const next = {
        headline: op.headline === undefined ? current.headline : headlineOf(op.headline),
        summary: op.summary === undefined ? current.summary : op.summary,
        urgency: op.urgency ?? current.urgency,
        body: current.body,
        pubStatus: op.pubStatus ?? current.pubStatus,
        embargoedUntil: op.embargoedUntil === undefined ? current.embargoedUntil : embargoShown(op.embargoedUntil),
      }
      if (sameContent(current, next)) return { status: 200 }
      return update({ ...next, version: current.version + 1, source: op.key })
    }
  }
}

function commit(articles: Map<number, ModelArticle>, id: number, next: ModelArticle, type: ModelEvent['type']): Expected {
  articles.set(id, next)
  const status = type === 'CREATED' ? 201 : 200
  return {
    status,
    event: { type, version: next.version, pubStatus: next.pubStatus, embargoedUntil: next.embargoedUntil, source: next.source },
  }
}

/**
 * `step` on an instance that cannot read the latest state of the articles in `unreadable`: what is
 * refused before the state is read (the key, its scope, the request itself) is refused as before;
 * anything decided on the state is refused with 503 `not_ready`, and changes nothing (README
 * "What a 503 means").
 */
export function stepOver(
  articles: Map<number, ModelArticle>,
  unreadable: ReadonlySet<number>,
  op: Op,
  sent?: { revision: number | undefined },
): Expected {
  if (!unreadable.has(op.id)) return step(articles, op, sent)
  const scope = scopeOf(op)
  if (op.key === 'forged') return { status: 401, code: 'unauthorized' }
  if (!has(op.key, scope)) return { status: 403, code: 'forbidden' }
  if (namedTwice(op)) return { status: 422, code: 'validation_failed' }
  if (op.kind === 'post') {
    const revision = sent === undefined ? revisionOf(op.revision, articles.get(op.id)?.version ?? 0) : sent.revision
    if (op.urgency > 9 || op.pubStatus === 'canceled' || badRevision(op.revision, revision))
      return { status: 422, code: 'validation_failed' }
  }
  if (op.kind === 'patch' && op.pubStatus === null) return { status: 422, code: 'validation_failed' }
  return { status: 503, code: 'not_ready' }
}

/** The newer instance's write (NewerOp): the article's next version, or null when it writes nothing. */
export function newer(articles: Map<number, ModelArticle>, unreadable: Set<number>, op: NewerOp): ModelArticle | null {
  const current = articles.get(op.id)
  if (current === undefined || current.pubStatus === 'canceled') return null
  const next = { ...current, version: current.version + 1 }
  articles.set(op.id, next)
  if (op.decodable) unreadable.delete(op.id)
  else unreadable.add(op.id)
  return next
}
