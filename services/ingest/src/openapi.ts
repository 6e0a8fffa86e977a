// OpenAPI 3.1 description of the ingest API, served at GET /openapi.json.
import { MAX_REVISION } from '@newswire/shared'
import { entryPaths, entrySchemas } from './openapi-entries.ts'
import { correctionInput, editorial, errors, idempotencyKey, instant, problemResponse, reasonSchema, stringList } from './openapi-parts.ts'

const articleId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } }
/** A kill's reason (withdraw, erase). */
const reasonBody = {
  required: true,
  content: {
    'application/json': {
      schema: { type: 'object', required: ['reason'], properties: { reason: reasonSchema } },
    },
  },
}

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Newswire ingest API',
    version: '1.0.0',
    description:
      'Articles and the entries of live stories in over HTTP; versioned events out to Kafka (news.article-events, Avro single-object encoding). A 2xx means Kafka acknowledged the event (acks=all).',
  },
  servers: [{ url: 'http://127.0.0.1:8081' }],
  security: [{ apiKey: [] }],
  paths: {
    '/v1/articles': {
      post: {
        summary: 'Create or update an article by id',
        parameters: [idempotencyKey],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ArticleInput' } } } },
        responses: {
          '201': {
            description: 'Created (event CREATED published)',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Outcome' } } },
          },
          '200': {
            description: 'Updated (event UPDATED with changedFields) or unchanged (no event)',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Outcome' } } },
          },
          '409': problemResponse('Stale or conflicting revision, or the article was withdrawn'),
          ...errors,
        },
      },
    },
    '/v1/articles/batch': {
      post: {
        summary: 'Create or update many articles (NDJSON, one article per line; at most INGEST_BATCH_MAX_LINES lines)',
        parameters: [idempotencyKey],
        requestBody: { required: true, content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
        responses: {
          '200': {
            description: 'Per-line results in order; a bad line does not sink the others',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { summary: { type: 'object' }, results: { type: 'array', items: { type: 'object' } } },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    '/v1/articles/{id}': {
      get: {
        summary: 'Latest state of an article (needs the read scope: it includes embargoed and withheld content)',
        parameters: [articleId],
        responses: {
          '200': {
            description:
              'The latest event id, type and article, after catching up with Kafka (header Newswire-Stale: true when it could not, and answered from memory)',
          },
          '404': problemResponse('Unknown article'),
          '503': problemResponse(
            'not_ready: this instance cannot read the latest state of the article (another instance wrote it with a schema this release lacks); retry after Retry-After',
          ),
        },
      },
      patch: {
        summary: 'Partial update with JSON Merge Patch (RFC 7396): members sent replace, null removes, the rest is kept',
        description:
          'Applied to the latest version at commit time. null lifts an embargo (embargoedUntil) or clears a field (summary, url, ...); pubStatus cannot be removed; the article cannot be renamed.',
        parameters: [articleId, idempotencyKey],
        requestBody: {
          required: true,
          content: { 'application/merge-patch+json': { schema: { type: 'object', description: 'Members of ArticleInput' } } },
        },
        responses: {
          '200': {
            description: 'Updated (event UPDATED with changedFields) or unchanged (no event)',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Outcome' } } },
          },
          '404': problemResponse('Unknown article (PATCH never creates one)'),
          '409': problemResponse('Stale or conflicting revision, or the article was withdrawn'),
          ...errors,
        },
      },
    },
    '/v1/articles/{id}/withdraw': {
      post: {
        summary: 'Kill an article (pubStatus canceled): publishes WITHDRAWN. Needs the withdraw scope',
        parameters: [articleId, idempotencyKey],
        requestBody: reasonBody,
        responses: {
          '200': { description: 'Withdrawn (or already withdrawn: unchanged)' },
          '404': problemResponse('Unknown article'),
          ...errors,
        },
      },
    },
    '/v1/articles/{id}/erase': {
      post: {
        summary:
          'Erase an article (legal removal): kills it as withdraw does (WITHDRAWN, without its content; an article withdrawn with its content gets that kill again without it) unless it is erased already, and writes tombstones in news.articles for the article and every entry of the story, in one transaction. Needs the withdraw scope',
        parameters: [articleId, idempotencyKey],
        requestBody: reasonBody,
        responses: {
          '200': {
            description:
              'Erased: the kill (WITHDRAWN) and the tombstones committed; an erased one answers unchanged, its tombstones written again',
          },
          '404': problemResponse('Unknown article'),
          ...errors,
        },
      },
    },
    ...entryPaths,
    '/v1/schemas': {
      get: {
        summary: 'The Avro schemas in use with their CRC-64-AVRO fingerprints',
        security: [],
        responses: { '200': { description: 'Schemas' } },
      },
    },
    '/v1/import/scraped': {
      post: {
        summary:
          'Import a scraped page in plain text (headline, dateline, paragraphs, category line, read-more list). Creates, or updates an article this importer wrote last; never sets editorial controls',
        parameters: [
          {
            name: 'id',
            in: 'query',
            schema: { type: 'string' },
            description: 'Article id; default derived from url, headline and publication time',
          },
          { name: 'url', in: 'query', schema: { type: 'string' } },
          { name: 'urgency', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 9 } },
          { name: 'timeZone', in: 'query', schema: { type: 'string' }, description: 'IANA zone of the page times (default Asia/Dhaka)' },
          idempotencyKey,
        ],
        requestBody: { required: true, content: { 'text/plain': { schema: { type: 'string' } } } },
        responses: {
          '201': { description: 'Created' },
          '200': { description: 'Updated or unchanged' },
          '409': problemResponse('The article was withdrawn'),
          ...errors,
        },
      },
    },
  },
  components: {
    securitySchemes: {
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        description:
          'API key from INGEST_API_KEYS; scopes write, withdraw, import, read (see the README scopes table). Checked before the body is read',
      },
    },
    schemas: {
      ArticleInput: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'headline', 'language'],
        description: 'Field names of the Avro Article record. body or summary is required.',
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', maxLength: 200 },
          version: {
            type: ['integer', 'null'],
            minimum: 1,
            maximum: MAX_REVISION,
            description: `The CMS's own revision (1 to ${MAX_REVISION}, i.e. 2^52), which must grow; when absent ingest assigns 1, 2, 3...`,
          },
          url: { type: ['string', 'null'], format: 'uri' },
          language: { type: 'string', description: 'BCP 47 tag, e.g. bn, bn-BD, en' },
          headline: { type: 'string', maxLength: 1000 },
          summary: { type: ['string', 'null'] },
          body: {
            oneOf: [stringList, { type: 'string' }, { type: 'null' }],
            description: 'Paragraphs (or one string, paragraphs separated by blank lines)',
          },
          category: { type: ['string', 'null'], pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' },
          categoryLabel: { type: ['string', 'null'] },
          subjects: stringList,
          authors: stringList,
          publishedAt: instant,
          updatedAt: instant,
          urgency: { type: ['integer', 'null'], minimum: 1, maximum: 9, default: 5 },
          ...editorial,
          breaking: { type: ['boolean', 'null'] },
          dateline: { type: ['string', 'null'] },
          timeZone: { type: ['string', 'null'] },
          related: {
            type: 'array',
            items: {
              type: 'object',
              required: ['headline'],
              properties: { headline: { type: 'string' }, url: { type: ['string', 'null'] } },
            },
          },
          live: {
            type: ['boolean', 'null'],
            description:
              'A live story whose coverage runs: entries may be posted. Omitted or null: a new article is not live, an update keeps the flag (PATCH: null is refused)',
          },
          correction: correctionInput,
        },
      },
      Outcome: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          version: { type: 'integer' },
          eventId: { type: 'string', format: 'uuid' },
          type: { enum: ['CREATED', 'UPDATED', 'WITHDRAWN'] },
          changedFields: stringList,
          unchanged: { type: 'boolean' },
        },
      },
      ...entrySchemas,
      Problem: {
        type: 'object',
        description: 'RFC 9457 problem details',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          code: { type: 'string' },
          detail: { type: 'string' },
          errors: {
            type: 'array',
            items: { type: 'object', properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } },
          },
        },
      },
    },
  },
} as const
