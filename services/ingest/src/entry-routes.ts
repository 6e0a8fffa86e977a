// HTTP routes for the entries of a live story, under its article:
//   PUT    /v1/articles/{id}/entries/{entryId}   create or replace an entry (write)
//   PATCH  /v1/articles/{id}/entries/{entryId}   JSON Merge Patch of an entry (write)
//   DELETE /v1/articles/{id}/entries/{entryId}   kill an entry, with a reason (withdraw)
//   POST   /v1/articles/{id}/entries/batch       NDJSON, one whole entry per line (write)
//   GET    /v1/articles/{id}/entries[/{entryId}] what is stored, held and embargoed included (read)
import type express from 'express'
import type { Request } from 'express'
import { articleToJson, entryToJson, ProblemError } from '@newswire/shared'
import type { Logger } from '@newswire/shared'
import type { EntryService } from './entries.ts'
import { validateEntry } from './entry-validate.ts'
import type { EntryInput } from './entry-validate.ts'
import { invalid } from './fields.ts'
import { bodyText, jsonTypes, mergePatchTypes, parseJson, requireType } from './http.ts'
import { answerBatch, objectBody, reasonOf, refuseNullRemovals, sendOutcome } from './routing.ts'
import type { Routing } from './routing.ts'
import type { ArticleState } from './state.ts'

export interface EntryRouteDeps {
  routing: Routing
  service: EntryService
  state: ArticleState
  freshen: (id: string) => Promise<boolean>
  batchMaxLines: number
}

/** The entry a body describes, its id taken from the path when it names none. */
function entryOf(value: unknown, entryId: string | null): EntryInput {
  if (entryId !== null && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const given = value as Record<string, unknown>
    if (Object.hasOwn(given, 'id') && given.id !== entryId) {
      throw invalid([{ field: 'id', code: 'invalid_value', message: `must be '${entryId}' as in the path: an entry cannot be renamed` }])
    }
    value = { ...given, id: entryId }
  }
  const r = validateEntry(value)
  if (!r.ok) throw invalid(r.errors)
  return r.entry
}

const params = (req: Request) => ({ storyId: String(req.params.id), entryId: String(req.params.entryId) })

export function mountEntryRoutes(app: express.Express, deps: EntryRouteDeps): void {
  const { routing, service, state } = deps
  const { route, patchRoute, context, newsroom } = routing

  /** Reads up to Kafka's end first; says so when it could not and answers from memory. */
  async function fresh(storyId: string, res: express.Response, log: Logger): Promise<void> {
    if (!(await deps.freshen(storyId))) {
      log.warn({ id: storyId }, 'read answered from memory: could not catch up with Kafka')
      res.set('Newswire-Stale', 'true')
    }
  }

  app.post(
    '/v1/articles/:id/entries/batch',
    ...route('/v1/articles/:id/entries/batch', 'write', (req, res, ctx) =>
      answerBatch(routing, req, res, ctx, deps.batchMaxLines, 'entry', (value, lineCtx) =>
        service.upsert(String(req.params.id), entryOf(value, null), lineCtx),
      ),
    ),
  )

  app.put(
    '/v1/articles/:id/entries/:entryId',
    ...route('/v1/articles/:id/entries/:entryId', 'write', async (req, res, { traceId }) => {
      requireType(req, jsonTypes, 'an entry')
      const { storyId, entryId } = params(req)
      const input = entryOf(parseJson(bodyText(req)), entryId)
      sendOutcome(res, await service.upsert(storyId, input, context(req, res, traceId, newsroom(res))))
    }),
  )

  app.patch(
    '/v1/articles/:id/entries/:entryId',
    ...patchRoute('/v1/articles/:id/entries/:entryId', async (req, res, { traceId }) => {
      requireType(req, mergePatchTypes, 'a JSON Merge Patch (RFC 7396)')
      const { storyId, entryId } = params(req)
      const given = objectBody(req, 'a merge patch of an entry')
      if (Object.hasOwn(given, 'id') && given.id !== entryId) {
        throw invalid([{ field: 'id', code: 'invalid_value', message: `must be '${entryId}' as in the path: an entry cannot be renamed` }])
      }
      refuseNullRemovals(given)
      sendOutcome(res, await service.patch(storyId, entryId, given, context(req, res, traceId, newsroom(res), given)))
    }),
  )

  app.delete(
    '/v1/articles/:id/entries/:entryId',
    ...route('/v1/articles/:id/entries/:entryId', 'withdraw', async (req, res, { traceId }) => {
      // A DELETE without a body is the usual slip: say what is missing, not which content type
      const raw: unknown = req.body
      if (!Buffer.isBuffer(raw) || raw.length === 0) {
        throw invalid([
          { field: 'reason', code: 'required', message: 'deleting an entry needs a JSON body {"reason": "…"} (1-1000 characters)' },
        ])
      }
      requireType(req, jsonTypes, 'the deletion (a JSON object with a reason)')
      const { storyId, entryId } = params(req)
      const reason = reasonOf(parseJson(bodyText(req)), 'deleting an entry')
      sendOutcome(res, await service.delete(storyId, entryId, reason, context(req, res, traceId, newsroom(res))))
    }),
  )

  app.get(
    '/v1/articles/:id/entries/:entryId',
    ...route('/v1/articles/:id/entries/:entryId', 'read', async (req, res, { log }) => {
      const { storyId, entryId } = params(req)
      await fresh(storyId, res, log)
      const stored = state.entry(storyId, entryId)
      if (stored === undefined) throw new ProblemError('not_found', `article '${storyId}' has no entry '${entryId}'`)
      res.json({ storyId, eventId: stored.eventId, type: stored.type, entry: entryToJson(stored.entry) })
    }),
  )

  app.get(
    '/v1/articles/:id/entries',
    ...route('/v1/articles/:id/entries', 'read', async (req, res, { log }) => {
      const storyId = String(req.params.id)
      await fresh(storyId, res, log)
      // unreadable here (a newer instance's schema): 503, not the story or its entries as they were
      const story = state.article(storyId)
      if (story === undefined) throw new ProblemError('not_found', `no article with id '${storyId}'`)
      const { live, pubStatus, version } = articleToJson(story.article)
      res.json({ storyId, version, live: live ?? false, pubStatus, entries: state.entries(storyId).map((e) => entryToJson(e.entry)) })
    }),
  )
}
