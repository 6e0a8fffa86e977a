// Compile-time checks (tsc -p tsconfig.json): the platform classes people will pass fit the
// injectable option types, in both the browser's typing (lib.dom) and the ws package's.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WebSocket as NodeWebSocket } from 'ws'
import type { ConnectOptions, EventSourceConstructor, FetchLike, WebSocketConstructor } from '../src/index.ts'

test('ws, browser WebSocket, browser EventSource and fetch fit the option types', () => {
  const fromWs: WebSocketConstructor = NodeWebSocket
  const fromDom: WebSocketConstructor | undefined = (globalThis as { WebSocket?: typeof globalThis.WebSocket }).WebSocket
  const es: EventSourceConstructor | undefined = (globalThis as { EventSource?: typeof globalThis.EventSource }).EventSource
  const fetchFn: FetchLike = globalThis.fetch
  const options: ConnectOptions = { channels: ['breaking'], WebSocket: fromWs, fetch: fetchFn, ...(es ? { EventSource: es } : {}) }
  assert.ok(options && fromDom !== null)
})
