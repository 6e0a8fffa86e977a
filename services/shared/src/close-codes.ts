// The WebSocket close codes of the stream (/v1/stream), and the SSE `close` event's `code`: one
// table for the server. The client SDK (services/client, no dependencies) keeps its own copy,
// held equal to this one by test/contracts/close-codes.test.ts. See docs/stream-design.md.
export const closeCodes = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  slowConsumer: 4008,
  badMessage: 4400,
  unauthorized: 4401,
  tooMany: 4429,
} as const

export type CloseCode = (typeof closeCodes)[keyof typeof closeCodes]
