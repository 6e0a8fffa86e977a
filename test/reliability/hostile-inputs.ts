// What an attacker sends ingest (hostile-http.kafka.test.ts): fast-check generators of request
// bodies, bytes and header values that must be refused. Some draws are valid by chance; the
// tests filter those out with fc.pre, by the service's own validation or the HTTP rules.
import fc from 'fast-check'

const anyField = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.string(), fc.integer(), fc.constant(null))
const mutated = fc
  .record(
    {
      id: fc.oneof(fc.constant('fuzz-1'), fc.string({ maxLength: 250 }), anyField),
      language: fc.oneof(fc.constantFrom('en', 'bn', 'bn-BD', 'xx', 'en_US', ''), anyField),
      headline: fc.oneof(fc.string({ maxLength: 50 }), anyField),
      body: fc.oneof(fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), anyField),
      urgency: fc.oneof(fc.integer({ min: -5, max: 15 }), anyField),
      publishedAt: fc.oneof(fc.constantFrom('2024-08-17T05:46:00Z', '2024-13-45T99:00Z', 'yesterday'), anyField),
      related: fc.oneof(fc.array(fc.record({ headline: fc.string(), url: fc.string() }), { maxLength: 2 }), anyField),
      extra: anyField,
    },
    { requiredKeys: [] },
  )
  .map(({ extra, ...a }) => (extra === undefined ? a : { ...a, [`x-${typeof extra}`]: extra }))
const malformed = fc
  .tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.constantFrom('', '{', ']', ',', ':', '"', '\\', 'NaN', 'undefined', "'x'", '//'))
  .map(([v, at, junk]) => {
    const s = JSON.stringify(v) ?? 'null'
    const i = at % (s.length + 1)
    return s.slice(0, i) + junk + s.slice(i)
  })
/** Request bodies that are not a valid article: random JSON, articles with random fields, JSON with junk spliced in. */
export const hostileJsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v) ?? 'null'),
  mutated.map((v) => JSON.stringify(v)),
  malformed,
)

/** Invalid UTF-8: stray continuation and start bytes, overlong forms, encoded surrogates, past U+10FFFF, truncations. */
export const invalidUtf8 = fc.constantFrom(
  [0xff],
  [0xfe],
  [0x80],
  [0xc0, 0xaf], // overlong '/'
  [0xe0, 0x80, 0xaf], // overlong
  [0xed, 0xa0, 0x80], // UTF-8-encoded surrogate U+D800
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xe2, 0x82], // truncated
  [0xf8, 0x88, 0x80, 0x80, 0x80], // 5-byte form
  [0xc3], // truncated at the end of the string
)

const token = fc.stringMatching(/^[a-z][a-z0-9.+-]{0,15}$/)
/** Content types, most of them not JSON in UTF-8 (the test keeps those that are not). */
export const wrongishContentType = fc.oneof(
  fc.constantFrom(
    'text/plain',
    'text/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/xml',
    'application/octet-stream',
    'application/jsonx',
    'application/x-ndjson',
    'json',
    '',
    ';;;',
    'application/json; charset=latin1',
    'application/json; charset=iso-8859-1',
    'application/json; charset=utf-16',
    'application/json; charset=utf-32le',
    'application/json; charset=us-ascii',
    'application/json; charset="windows-1252"',
  ),
  fc.tuple(token, token).map(([a, b]) => `${a}/${b}`),
  token.map((cs) => `application/json; charset=${cs}`),
)

/** Idempotency-Key values, most of them invalid: too long, control or non-ASCII characters, spaces. */
export const badIdempotencyKey = fc.oneof(
  fc.string({ minLength: 201, maxLength: 400, unit: fc.constantFrom('a', 'Z', '9', '-') }),
  fc.string({ minLength: 1, maxLength: 30, unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom('a b', 'key\twith\ttab', 'ключ', 'é', 'x'.repeat(201)),
)
