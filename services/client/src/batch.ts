// Batches: a WebSocket client may ask the fan-out for several messages in one frame (`batch=1` in
// the stream URL). A batch is one text frame holding the messages a line each: JSON text never
// contains a raw line feed, so a frame splits at every "\n" into whole messages, in order. A
// lone message is still a frame of its own, and a server that does not know the parameter ignores
// it: either way every frame reads the same. Fewer frames is less work for the reader (a phone's
// battery) when news comes in bursts.
// A browser also asks `deflate=1`: its batches compressed (permessage-deflate, which the browser
// offers and inflates itself), which costs Chromium well under half the CPU of plain frames in a
// burst. Node's readers inflate on a thread pool and pay 3-4 times more, so they do not ask.

/** The stream URL with batches asked for, compressed when `deflate`. */
export function batchUrl(url: string, deflate = false): string {
  const u = new URL(url)
  u.searchParams.set('batch', '1')
  if (deflate) u.searchParams.set('deflate', '1')
  return u.href
}

/**
 * Whether `WebSocketCtor` is a browser's own WebSocket: the global one, outside Node (ws, Node
 * 22's own) and the runtimes that pass for it (Deno, Bun: `process.versions.node`).
 */
export function browserWebSocket(WebSocketCtor: unknown): boolean {
  const g = globalThis as { WebSocket?: unknown; process?: { versions?: { node?: string } } }
  return WebSocketCtor === g.WebSocket && !g.process?.versions?.node
}

/** The messages one frame carries, in order. */
export function messagesOf(text: string): string[] {
  return text.includes('\n') ? text.split('\n') : [text]
}
