// The fan-out's working objects: a connection, its subscriptions and their cursors, the socket
// seen through Transport, and the limits. Types (and a constructor), so every module of the core
// can share them without importing the hub.
import type { Credential } from './revocations.ts'
import type { AudienceScope } from './audience.ts'
import type { Channel, Filter } from './channels.ts'
import type { GapCount, Lane } from './lanes.ts'
import { audienceKey } from './position.ts'
import type { PositionFor } from './position.ts'
import { SmallMap } from './small-map.ts'
import type { ServerMessageType } from './messages.ts'
import type { QueuedMessage } from './queue.ts'
import type { CatchUp, VersionGate } from './versions.ts'
import type { Audience, Clearance } from './visibility.ts'

export type TransportKind = 'ws' | 'wsz' | 'sse'

/** What the hub needs from a socket; the WebSocket and SSE handlers (http/) implement it. */
export interface Transport {
  kind: TransportKind
  /** Bytes written but not yet handed to the kernel. */
  buffered(): number
  /**
   * Writes framed messages, in order, as one write where the transport allows, and returns the
   * bytes handed to the socket. `group`: a broadcast group's shared write, the same frames for
   * every member; only such a write may go compressed (compressed batches, http/ws-framing.ts).
   */
  write(frames: Buffer[], group?: boolean): number
  frame(type: ServerMessageType, json: string, position: string | null): Buffer
  /** Optional: frames an `event` message from its head and its already encoded tail (messages.ts), without re-encoding the event. */
  frameEvent?: ((head: string, tail: Buffer) => Buffer) | undefined
  /** `retryAfterMs`: the server's reconnect hint (SSE sends it as `retry:`). */
  close(code: number, reason: string, retryAfterMs?: number): void
}

export interface HubLimits {
  maxSubscriptionsPerConnection: number
  maxBufferedBytes: number
  maxPending: number
  slowClientMs: number
  snapshotSize: number
  maxSubscribesPer10s: number
  /** Resumes (subscribe with since) admitted per second; beyond, they queue (admission.ts). */
  resumeRate: number
  /** Resumes waiting for admission; beyond, the connection is closed with 1013 and a retry hint. */
  resumeQueue: number
}

export interface Cursor {
  o: number[]
  t: number
  r?: [number, number]
}

const noOffsets: number[] = []
Object.freeze(noOffsets)
/**
 * The cursor of a subscription that follows the live loop (or has not started): shared, and frozen
 * so nothing moves it by mistake; a resume gets a cursor of its own.
 */
export const NO_CURSOR: Cursor = { o: noOffsets, t: 0 }
Object.freeze(NO_CURSOR)

export type SubState = 'live' | 'memory' | 'kafka' | 'pending' | 'gone'

export interface Sub {
  id: string
  conn: Conn
  channels: Channel[]
  filter: Filter
  /** Whom and for which view its positions are made (position.ts positionFor). */
  who: PositionFor
  keys: string[]
  state: SubState
  cursor: Cursor
  /**
   * Started from a position the client sent: it may hold what any instance delivered before
   * that position, so a kill reaches it wherever the story may have been seen (exposure.ts).
   */
  inherited: boolean
  /** Last entry seq this subscription was matched against (dedupes across index keys). */
  mark: number
  stopReplay: (() => void) | null
  catchUp: CatchUp
  /**
   * Newest version delivered per article outside the live loop (replay, embargo releases): older
   * or equal ones are never sent again. Live events are gated once per event by the ledger.
   */
  versions: VersionGate
  /** A `story:<id>` subscription's story state (stories.ts); absent for every other channel. */
  story?: StoryFollow | null
  /** Frame key of the last channel matched live (`transport|audience|id|channel`), kept to skip rebuilding it. */
  frameKey?: { channel: string; key: string }
  /** The cursor's encoded position, when known (replay shares positions and frames through it). */
  cursorPos?: string | null
  /** The broadcast group it is written through, while it is in one (groups.ts). */
  group?: BroadcastGroup | null
  /** History seq the live loop had reached when it went live: its version gate only matters for events before. */
  liveFrom?: number
  /**
   * History seq up to which the ledger had applied what the store read when the subscription's
   * snapshot was made, while the live loop was behind it: the live loop judges a record before it
   * now, as a replay does (live.ts), and the subscription joins no group until it is past it.
   */
  takenIn?: number
  /** Id of the last group flush that wrote to it (groups.ts). */
  wrote?: number
}

/** What a `story:<id>` subscription follows, and what its client holds of it. */
export interface StoryFollow {
  id: string
  /** Latest entries its snapshots hold. */
  entries: number
  /**
   * The client shows the story (and so its entries): set by snapshots and resets, cleared by a
   * `withdrawn` of the story. Entries go only to a client that shows the story; the story coming
   * back into view is a `reset`, so the client gets its entries again.
   */
  shown: boolean
  /** History seq from which live entry events are newer than any version its gate holds (snapshots, replays, releases). */
  gateFrom: number
  /**
   * Entries whose creation a replay (or the live loop judging now) passed while the story was out
   * of view, and sent nothing of since: the client cannot hold them (stories.ts unsentHeldBack).
   */
  unsent?: Set<string>
  /**
   * An entry event was judged now while the story was out of view and the client still showed it
   * (a replay behind the record that took it out): what was left out comes with a `reset` once the
   * story is in view again (stories.ts).
   */
  missed?: boolean
  /** Whether the story, as the last story record a replay passed made it, was in view (undefined: none passed). */
  inViewThen?: boolean
  /**
   * The release watermark of the position it resumed from: a version whose embargo passed by then
   * may have been in the client's view, whatever this instance's record says (stories.ts mayHaveShown).
   */
  since?: number
  /** `transport kind|clearance|subscription id`: its part of a frame key (stories.ts). */
  frameKey?: string
}

export interface Conn {
  id: number
  audience: Audience
  /** How editorial controls apply (visibility.ts), from the audience and the token's scope. */
  clearance: Clearance
  transport: Transport
  subs: SmallMap<Sub>
  pending: QueuedMessage[]
  blockedSince: number | null
  closed: boolean
  nextSubId: number
  subscribes: number[]
  /** Token claims narrowing what this connection sees (audience.ts). */
  scope: AudienceScope
  /** Whom its positions are made for: clearance and scope (position.ts audienceKey). */
  positionAudience: string
  /** Enqueue counter (lanes.ts orders and counts by it). */
  seq: number
  /** Dropped while behind, per subscription id: sent as `gap` with the next write (null: nothing dropped). */
  gaps: Map<string, GapCount> | null
  /** Position of the last message written, per subscription id. */
  lastPosition: SmallMap<string>
  shedWhileBlocked: number
  /** Queue length right after the last relief: the next one waits until it has grown again. */
  relievedLength: number
  /** Cancels the token-expiry timer. */
  expiry: (() => void) | null
  /**
   * The token's expiry (epoch ms; Infinity: none). The writer writes nothing at or after it: the
   * timer is monotonic, and a host clock stepped ahead has passed `exp` long before it fires (red19).
   */
  expiresAt: number
  /** What a revocation may name of its token (revocations.ts); null without one. */
  credential: Credential | null
  /** Its one subscription, while that is in a broadcast group (groups.ts): nothing else is queued for it. */
  grouped?: Sub | null
}

/**
 * Live subscriptions that get exactly the same messages, each alone on its connection with
 * nothing else queued (groups.ts): an event is decided and queued once for all of them, and
 * written as one shared buffer to each member's socket.
 */
export interface BroadcastGroup {
  /** Every input of a live decision and of its frame (groups.ts groupKey). */
  key: string
  members: Set<Sub>
  /** This pass's messages, shared by every member. */
  queue: QueuedMessage[]
  /** Seq of the last entry event matched for the group (stories.ts decides once per entry; live.ts gets each group once from the index). */
  mark: number
  /** The flush writing to the members now (it may yield): who was not written yet still needs its queue. */
  flushing: GroupFlush | null
  /** The last flush that wrote to the members (what they last got is its last position). */
  written: { id: number; position: string } | null
}

/** One write of a group's queue to its members. */
export interface GroupFlush {
  queue: QueuedMessage[]
  id: number
  /** The position of its last message that carries one. */
  position: string | null
}

/** A message framed once for every connection of one transport kind that gets it. */
export interface Framed {
  data: Buffer
  lane: Lane
  position: string
  reframe: ((position: string) => Buffer) | undefined
}

/** A new connection with nothing queued or subscribed yet. */
export function newConn(id: number, audience: Audience, clearance: Clearance, scope: AudienceScope, transport: Transport): Conn {
  return {
    id,
    audience,
    clearance,
    scope,
    positionAudience: audienceKey(clearance, scope),
    transport,
    subs: new SmallMap(),
    pending: [],
    blockedSince: null,
    closed: false,
    nextSubId: 0,
    subscribes: [],
    seq: 0,
    gaps: null,
    lastPosition: new SmallMap(),
    shedWhileBlocked: 0,
    relievedLength: 0,
    expiry: null,
    expiresAt: Number.POSITIVE_INFINITY,
    credential: null,
    grouped: null,
  }
}
