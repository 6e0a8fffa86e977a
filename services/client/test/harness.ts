// Starting a client on the fakes (fakes.ts): a fake clock, a scripted WebSocket class, a record of what it delivered.
import { afterEach, beforeEach, type TestContext } from 'node:test'
import { type ConnectOptions, connect } from '../src/index.ts'
import { FakeClock, FakeWebSocket, record } from './fakes.ts'

export function start(t: TestContext, overrides: Partial<ConnectOptions> = {}) {
  const clock = new FakeClock()
  const client = connect('wss://news.example', {
    channels: ['breaking'],
    WebSocket: FakeWebSocket,
    transport: 'websocket',
    clock,
    random: () => 0.5,
    ...overrides,
  })
  t.after(() => client.close())
  const log = record(client)
  return { client, clock, log }
}

/** Opens the last socket and acknowledges its subscription at `position`. */
export function accept(position = 'p0', snapshot: unknown[] = []) {
  const ws = FakeWebSocket.last.open()
  const sub = ws.subscribes.at(-1)
  ws.push({ type: 'subscribed', id: sub?.id, channels: sub?.channels, position, snapshot })
  return ws
}

/**
 * Makes globalThis a browser window for the SDK's listeners (`online`, `visibilitychange`) for
 * each test of the file: events dispatched on `events()` reach them.
 */
export function windowEvents(): () => EventTarget {
  const host = globalThis as unknown as { addEventListener?: unknown; removeEventListener?: unknown }
  let events = new EventTarget()
  beforeEach(() => {
    FakeWebSocket.reset()
    events = new EventTarget()
    host.addEventListener = (type: string, fn: () => void) => events.addEventListener(type, fn)
    host.removeEventListener = (type: string, fn: () => void) => events.removeEventListener(type, fn)
  })
  afterEach(() => {
    delete host.addEventListener
    delete host.removeEventListener
  })
  return () => events
}
