// The OpenAPI paths and schemas of live-story entries (entry-routes.ts), merged into openapi.ts.
import { MAX_REVISION } from '@newswire/shared'
import { correctionInput, errors, idempotencyKey, instant, problemResponse, reasonSchema, stringList } from './openapi-parts.ts'

const storyId = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'The story (article) id' }
const entryId = {
  name: 'entryId',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', maxLength: 200 },
  description: 'The entry id, chosen by the source, unique within the story',
}
const outcome = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/EntryOutcome' } } },
})
const notFound = problemResponse('No such story, the story was killed (its entries went with it), or no such entry')
const conflict = problemResponse(
  '`conflict` says which: story_not_live (a new entry in a story that is not live), entry_deleted, stale_revision, revision_conflict',
)

export const entryPaths = {
  '/v1/articles/{id}/entries': {
    get: {
      summary: 'Every entry of a live story in seq order, held, embargoed and deleted ones included (read scope)',
      parameters: [storyId],
      responses: {
        '200': { description: '{storyId, version, live, pubStatus, entries: [StoryEntry as JSON]} after catching up with Kafka' },
        '404': problemResponse('Unknown story'),
      },
    },
  },
  '/v1/articles/{id}/entries/batch': {
    post: {
      summary: 'Create or replace many entries of one story (NDJSON, one whole entry with its id per line; PUT semantics)',
      parameters: [storyId, idempotencyKey],
      requestBody: { required: true, content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
      responses: {
        '200': { description: 'Per-line results in order, as for the article batch; a bad line does not sink the others' },
        ...errors,
      },
    },
  },
  '/v1/articles/{id}/entries/{entryId}': {
    get: {
      summary: 'Latest state of one entry (read scope)',
      parameters: [storyId, entryId],
      responses: { '200': { description: '{storyId, eventId, type, entry}' }, '404': problemResponse('Unknown story or entry') },
    },
    put: {
      summary: 'Create an entry of a live story, or replace it (the whole entry): ENTRY_CREATED or ENTRY_UPDATED',
      description:
        'The story must exist, not be killed, and (for a new entry) be live. Editorial controls left out keep their value; content fields left out are cleared.',
      parameters: [storyId, entryId, idempotencyKey],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/EntryInput' } } } },
      responses: {
        '201': outcome('Created (ENTRY_CREATED published)'),
        '200': outcome('Updated (ENTRY_UPDATED with changedFields) or unchanged (no event)'),
        '404': notFound,
        '409': conflict,
        ...errors,
      },
    },
    patch: {
      summary: 'Partial update of an entry with JSON Merge Patch (RFC 7396); never creates one',
      parameters: [storyId, entryId, idempotencyKey],
      requestBody: {
        required: true,
        content: { 'application/merge-patch+json': { schema: { type: 'object', description: 'Members of EntryInput' } } },
      },
      responses: {
        '200': outcome('Updated (ENTRY_UPDATED) or unchanged'),
        '404': notFound,
        '409': conflict,
        ...errors,
      },
    },
    delete: {
      summary: 'Kill an entry (pubStatus canceled): publishes ENTRY_DELETED. Needs the withdraw scope and a reason',
      parameters: [storyId, entryId, idempotencyKey],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'object', required: ['reason'], properties: { reason: reasonSchema } },
          },
        },
      },
      responses: {
        '200': outcome('Deleted (ENTRY_DELETED), or already deleted: unchanged'),
        '404': notFound,
        ...errors,
      },
    },
  },
}

export const entrySchemas = {
  EntryInput: {
    type: 'object',
    additionalProperties: false,
    description: 'Field names of the Avro StoryEntry record. body or headline is required. seq and corrections are kept by ingest.',
    properties: {
      id: { type: 'string', description: 'Optional in PUT (the path names it); required on batch lines' },
      version: {
        type: ['integer', 'null'],
        minimum: 1,
        maximum: MAX_REVISION,
        description: `The source's own revision of the entry (1 to ${MAX_REVISION}), which must grow; when absent ingest assigns 1, 2, 3...`,
      },
      headline: { type: ['string', 'null'], maxLength: 1000 },
      body: {
        oneOf: [stringList, { type: 'string' }, { type: 'null' }],
        description: 'Paragraphs (or one string, paragraphs separated by blank lines)',
      },
      authors: stringList,
      pinned: { type: ['boolean', 'null'] },
      keyEvent: { type: ['boolean', 'null'] },
      publishedAt: { ...instant, description: 'The time readers see; sticks once set; default the first updatedAt, else now' },
      updatedAt: instant,
      pubStatus: {
        enum: ['usable', 'withheld', null],
        description:
          'Editorial control. Omitted or null: a new entry is usable, an update keeps the current status. canceled is refused: use DELETE',
      },
      embargoedUntil: {
        ...instant,
        description: "Editorial control of the entry (the story's own embargo applies too). Omitted: kept (new: none). null lifts it",
      },
      correction: correctionInput,
    },
  },
  EntryOutcome: {
    type: 'object',
    properties: {
      storyId: { type: 'string' },
      id: { type: 'string' },
      seq: { type: 'integer', description: 'The entry’s place in its story, in creation order; never changes' },
      version: { type: 'integer' },
      eventId: { type: 'string', format: 'uuid' },
      type: { enum: ['ENTRY_CREATED', 'ENTRY_UPDATED', 'ENTRY_DELETED'] },
      changedFields: stringList,
      unchanged: { type: 'boolean' },
    },
  },
}
