// Use cases behind the entry routes: create or replace an entry of a live story, patch one, delete
// (kill) one. Same machinery as articles: decided at commit time on the story's partition, one
// Kafka transaction per group commit, Idempotency-Key answers shared with articles.
import { entryToJson, ProblemError } from '@newswire/shared'
import type { Article, EntryEvent, StoryEntry } from '@newswire/shared'
import { decideEntry, decideEntryDelete, patchTarget } from './entry-decide.ts'
import type { EntryContext, EntryDecision } from './entry-decide.ts'
import { validateEntry } from './entry-validate.ts'
import type { EntryInput } from './entry-validate.ts'
import { invalid } from './fields.ts'
import { applyMergePatch } from './merge-patch.ts'
import type { EntryOutcome, Outcome, RequestContext } from './outcome.ts'
import { newEventId } from './publisher.ts'
import type { Plan } from './batch-plan.ts'
import type { StateView, Stored } from './state.ts'
import type { Submit } from './submit.ts'

export interface EntryService {
  upsert(storyId: string, input: EntryInput, ctx: RequestContext): Promise<Outcome>
  /** Applies an RFC 7396 merge patch to the latest version of the entry. */
  patch(storyId: string, entryId: string, patch: Record<string, unknown>, ctx: RequestContext): Promise<Outcome>
  delete(storyId: string, entryId: string, reason: string, ctx: RequestContext): Promise<Outcome>
}

export interface EntryServiceDeps {
  submit: Submit
  onUnchanged: () => void
  now?: () => number
}

function contextOf(storyId: string, entryId: string, story: Stored | undefined, view: StateView): EntryContext {
  return {
    storyId,
    story: story?.article,
    entryId,
    prev: view.entry(storyId, entryId)?.entry,
    // read only by a creation: an unreadable entry of the story refuses that, not a write (a kill) of another
    get nextSeq() {
      return view.nextSeq(storyId)
    },
  }
}

/** What a merge patch of an entry applies to: the entry as GET shows it, without what ingest assigns or keeps. */
function patchBase(entry: StoryEntry): Record<string, unknown> {
  const { version: _version, updatedAt: _updatedAt, seq: _seq, corrections: _corrections, ...rest } = entryToJson(entry)
  return rest
}

export function createEntryService(deps: EntryServiceDeps): EntryService {
  const now = deps.now ?? Date.now
  const { submit } = deps

  function eventOf(
    type: EntryEvent['type'],
    ctx: RequestContext,
    t: number,
    story: Article,
    entry: StoryEntry,
    extra: Partial<EntryEvent> = {},
  ): EntryEvent {
    return {
      eventId: newEventId(),
      type,
      occurredAt: entry.updatedAt,
      ingestedAt: t,
      source: ctx.actor.source,
      traceId: ctx.traceId,
      changedFields: [],
      reason: null,
      // The story as it stands: an old reader that takes this for an article event sees nothing new
      article: story,
      correction: null,
      entry,
      ...extra,
    }
  }

  function planOf(d: EntryDecision, c: EntryContext, ctx: RequestContext, t: number, reason: string | null): Plan<EntryOutcome> {
    const answer = (event: EntryEvent, status: 200 | 201): Plan<EntryOutcome> => {
      const { id, seq, version } = event.entry
      const body = { storyId: c.storyId, id, seq, version, eventId: event.eventId, type: event.type }
      return { event, result: { status, body: event.type === 'ENTRY_UPDATED' ? { ...body, changedFields: event.changedFields } : body } }
    }
    switch (d.kind) {
      case 'created':
        return answer(eventOf('ENTRY_CREATED', ctx, t, d.story, d.entry), 201)
      case 'updated':
        return answer(eventOf('ENTRY_UPDATED', ctx, t, d.story, d.entry, { changedFields: d.changedFields, correction: d.correction }), 200)
      case 'deleted':
        return answer(eventOf('ENTRY_DELETED', ctx, t, d.story, d.entry, { changedFields: ['pubStatus'], reason }), 200)
      case 'unchanged': {
        deps.onUnchanged()
        const { id, seq, version } = d.current
        return { event: null, result: { status: 200, body: { storyId: c.storyId, id, seq, version, unchanged: true } } }
      }
      case 'conflict':
        throw new ProblemError('conflict', d.message, { conflict: d.code, currentVersion: d.currentVersion })
      case 'not_found':
        throw new ProblemError('not_found', d.message)
      case 'invalid':
        throw invalid(d.errors)
    }
  }

  return {
    upsert(storyId, input, ctx) {
      return submit(storyId, ctx, (story, view) => {
        const t = now()
        const c = contextOf(storyId, input.id, story, view)
        return planOf(decideEntry(c, input, t), c, ctx, t, null)
      })
    },
    patch(storyId, entryId, patch, ctx) {
      return submit(storyId, ctx, (story, view) => {
        const t = now()
        const c = contextOf(storyId, entryId, story, view)
        const target = patchTarget(c)
        if (!target.ok) return planOf(target.refused, c, ctx, t, null)
        const doc = applyMergePatch(patchBase(target.prev), patch) as Record<string, unknown>
        // A merge patch removes a member with null; removing the embargo is lifting it, explicitly
        if (Object.hasOwn(patch, 'embargoedUntil') && patch.embargoedUntil === null) doc.embargoedUntil = null
        const merged = validateEntry(doc)
        if (!merged.ok) throw invalid(merged.errors)
        return planOf(decideEntry(c, merged.entry, t), c, ctx, t, null)
      })
    },
    delete(storyId, entryId, reason, ctx) {
      return submit(storyId, ctx, (story, view) => {
        const t = now()
        const c = contextOf(storyId, entryId, story, view)
        return planOf(decideEntryDelete(c, t), c, ctx, t, reason)
      })
    },
  }
}
