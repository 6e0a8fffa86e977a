// The client commands of the models that give two connections the same stream, one on the
// per-connection path and one on the broadcast groups' (groups.test.ts, red23c-group-rights-model):
// both sides get each command alike, so any difference in what they receive is the groups' doing.
import assert from 'node:assert/strict'
import type { Conn } from '../../src/model.ts'
import type { FakeTransport, Harness, Message } from './harness.ts'

export interface PairSide {
  conn: Conn
  t: FakeTransport
}

export interface SidePair<S extends PairSide> {
  a: S
  b: S
}

/** A side's messages but the ping answers (`id: 'x'`), which the two sides are not compared on. */
export const ofS = (ms: Message[]) => ms.filter((m) => m.id !== 'x')

export function pingPair(h: Harness, p: SidePair<PairSide>): void {
  for (const side of [p.a, p.b]) if (!side.conn.closed) h.hub.handle(side.conn, { type: 'ping', id: null })
}

/** Both sides' sockets fill (a backlog past any limit) or drain. */
export function slowPair(h: Harness, p: SidePair<PairSide>, on: boolean): void {
  for (const side of [p.a, p.b]) {
    side.t.backlog = on ? 10_000 : 0
    if (!on) h.hub.drained(side.conn)
  }
}

/**
 * Both sides drop and come back, from the last position they were sent when `resume` (the same on
 * both sides, or the model has already failed), else afresh. `open` makes a side: `two` for the groups'.
 */
export function reconnectPair<S extends PairSide>(
  h: Harness,
  p: SidePair<S>,
  resume: boolean,
  open: (two: boolean, since: string | null) => S,
): void {
  const since = (side: S) =>
    resume
      ? (([...ofS(side.t.messages)].reverse().find((m) => typeof m.position === 'string')?.position as string | undefined) ?? null)
      : null
  const from = since(p.a)
  assert.equal(from, since(p.b))
  h.hub.conns.remove(p.a.conn)
  h.hub.conns.remove(p.b.conn)
  p.a = open(false, from)
  p.b = open(true, from)
}
