// Public entry point of @newswire/client (browser and Node; no Node-only imports anywhere in src).
export { backoffCeiling, backoffDelay, defaultBackoff } from './backoff.ts'
export { Client, connect } from './client.ts'
export { closeCodes, closeDisposition, type Disposition, httpDisposition } from './close-codes.ts'
export { type EditorialState, editorialState, embargoEnd, stateReason } from './editorial.ts'
export { enableEntries } from './entry-support.ts'
export { ClientError, type ClientErrorCode, type ClientErrorDetails, clientErrorCodes } from './errors.ts'
export {
  type ArticleFollower,
  type ArticleGone,
  type ArticleGoneCause,
  type ArticleHandlers,
  type ArticleUpdate,
  followArticle,
} from './follow-article.ts'
export {
  followStory,
  type StoryEntryRemoved,
  type StoryEntryUpdate,
  type StoryEventMap,
  type StoryFollower,
  type StoryHandlers,
} from './follow-story.ts'
export { defaultOptions } from './options.ts'
export { counts, older } from './requests.ts'
export { type SseMessage, SseParser } from './sse.ts'
export { type StoryEntriesOptions, storyEntries } from './story-requests.ts'
export type {
  Correction,
  EntryMessage,
  EntryPage,
  EntryWithdrawnCause,
  EntryWithdrawnMessage,
  StoryEntry,
} from './story-types.ts'
export type {
  Article,
  ArticleEvent,
  ArticleEventType,
  BackoffOptions,
  CatchUp,
  ClientEventMap,
  ClientEventType,
  ClientFrame,
  ClientState,
  ClientStats,
  Clock,
  ConnectOptions,
  CountsOptions,
  EventSourceConstructor,
  EventSourceLike,
  FetchLike,
  FetchResponseLike,
  GapMessage,
  NewsEventMessage,
  OlderOptions,
  OlderPage,
  PageCursor,
  Position,
  RecentCounts,
  ResetMessage,
  ServerFrame,
  SseMessageEventLike,
  StateChange,
  StreamFilter,
  StreamMessage,
  StreamReaderLike,
  SubscribedInfo,
  TransportKind,
  WebSocketConstructor,
  WebSocketLike,
  WithdrawnCause,
  WithdrawnMessage,
} from './types.ts'
