// Batches: a WebSocket client may ask the fan-out for several messages in one frame (`batch=1` in
// the stream URL). A batch is one text frame holding the messages a line each: JSON text never
// contains a raw line feed, so a frame splits at every "\n" into whole messages, in order. A
// lone message is still a frame of its own, and a server that does not know the parameter ignores
// it: either way every frame reads the same. Fewer frames is less work for the reader (a phone's
// battery) when news comes in bursts.

/** The stream URL with batches asked for. */
export function batchUrl(url: string): string {
  const u = new URL(url)
  u.searchParams.set('batch', '1')
  return u.href
}

/** The messages one frame carries, in order. */
export function messagesOf(text: string): string[] {
  return text.includes('\n') ? text.split('\n') : [text]
}
