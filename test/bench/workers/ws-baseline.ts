// Baseline servers for the fan-out scenarios: no code of ours beyond the message format. They
// consume the same news.article-events topic with kafkajs (the fan-out tail's consumer settings),
// decode each record once, build the same message the fan-out sends (`event` with id, channel,
// position and the event JSON) once, and broadcast it to every connected client:
//   a "ws-send":   ws.send(buffer) per client per message (ws frames it on every send)
//   b "preframed": frame once (RFC 6455 header + payload), and per event-loop tick one
//                  socket.write per client carrying every message due in that tick
// Clients get `subscribed` on subscribe, or at once for a subscription named in the URL (`channels`,
// `id`), in the handshake's write (live only; `since` is ignored).
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createCodec, createKafka, createLogger, entryToJson, isEntryEvent, loadSchemas } from '@newswire/shared'
import { benchKafkaConfig } from '../lib/kafka.ts'
import type { Consumer } from 'kafkajs'
import { type WebSocket, WebSocketServer } from 'ws'
import { eventJson, eventMessage, subscribedMessage, wsTextFrame } from '../../../services/fanout/src/messages.ts'
import { DEV_POSITION_KEY } from '../../../services/fanout/src/config.ts'
import { PositionCodec } from '../../../services/fanout/src/position.ts'
import { entryMessageHead, entryMessageTail } from '../../../services/fanout/src/story-messages.ts'

// The baseline signs positions like the fan-out does, so both do the same work per message
const positions = new PositionCodec([DEV_POSITION_KEY])
import { serverOps } from '../lib/server-probe.ts'
import { serve } from '../lib/worker.ts'

export interface BaselineSpec {
  strategy: 'ws-send' | 'preframed'
  brokers: string[]
  topic: string
  partitions: number
  groupId: string
  /** The channel name in the messages (what the clients subscribe to) */
  channel: string
}

const codec = createCodec(loadSchemas())
const clients = new Set<WebSocket>()
const sockets = new Set<Socket>()
let consumer: Consumer | null = null
let server: http.Server | null = null
let pending: Buffer[] = []
let scheduled = false
let head: number[] = []

function subscribe(ws: WebSocket, socket: Socket, id: string | undefined, channels: string[] | undefined): void {
  clients.add(ws)
  sockets.add(socket)
  const position = positions.encode({ o: head, t: Date.now() })
  ws.send(subscribedMessage({ sub: id ?? 's1', channels: channels ?? [], position, replay: 'none' }, []))
}

function flush(): void {
  scheduled = false
  const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending)
  pending = []
  for (const s of sockets) s.write(data)
}

async function start(spec: BaselineSpec): Promise<{ url: string }> {
  head = new Array<number>(spec.partitions).fill(0)
  server = http.createServer((_req, res) => {
    res.writeHead(404)
    res.end()
  })
  const wss = new WebSocketServer({ server, path: '/v1/stream', perMessageDeflate: false, clientTracking: false, maxPayload: 16384 })
  // a subscription named in the URL is answered with the handshake, in one write, as the fan-out does
  server.prependListener('upgrade', (req: http.IncomingMessage, socket: Socket) => {
    if (req.url?.includes('?') !== true) return
    socket.cork()
    process.nextTick(() => socket.uncork())
  })
  wss.on('connection', (ws, req) => {
    const socket = (ws as unknown as { _socket: Socket })._socket
    ws.on('message', (data) => {
      let m: { type?: string; id?: string; channels?: string[] }
      try {
        m = JSON.parse(String(data)) as typeof m
      } catch {
        return
      }
      if (m.type === 'subscribe') subscribe(ws, socket, m.id, m.channels)
    })
    if (req.url?.includes('?') === true) {
      const q = new URL(req.url, 'http://b').searchParams
      const channels = q.get('channels')
      if (channels !== null) subscribe(ws, socket, q.get('id') ?? undefined, channels.split(','))
    }
    ws.on('error', () => {})
    ws.on('close', () => {
      clients.delete(ws)
      sockets.delete(socket)
    })
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const kafka = createKafka(benchKafkaConfig(spec.brokers, `bench-${spec.strategy}`), createLogger('bench-baseline', 'error'))
  const c = kafka.consumer({
    groupId: spec.groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 8 * 1024 * 1024,
    maxWaitTimeInMs: 250,
    readUncommitted: false,
  })
  consumer = c
  await c.connect()
  await c.subscribe({ topic: spec.topic, fromBeginning: false })
  const joined = new Promise<void>((resolve) => c.on(c.events.GROUP_JOIN, () => resolve()))
  await c.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 1,
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch, heartbeat }) => {
      for (const m of batch.messages) {
        if (!m.value) continue
        head[batch.partition] = Number(m.offset) + 1
        const event = codec.decode(m.value)
        const position = positions.encode({ o: head, t: Date.now() })
        // A live story's entry: the fan-out's `entry` message (live-story scenario)
        const json = isEntryEvent(event)
          ? entryMessageHead({
              sub: 'b',
              channel: spec.channel,
              position,
              storyId: event.article.id,
              created: event.type === 'ENTRY_CREATED',
              embargoed: false,
              released: false,
            }) + entryMessageTail(event, JSON.stringify(entryToJson(event.entry)))
          : eventMessage({ sub: 'b', channel: spec.channel, position }, eventJson(event))
        const payload = Buffer.from(json)
        if (spec.strategy === 'ws-send') {
          for (const ws of clients) ws.send(payload, { binary: false })
        } else {
          pending.push(wsTextFrame(payload))
          if (!scheduled) {
            scheduled = true
            setImmediate(flush)
          }
        }
      }
      await heartbeat()
    },
  })
  await joined
  return { url: `ws://127.0.0.1:${port}/v1/stream` }
}

// exit normally on SIGTERM, so --cpu-prof writes its file
process.on('SIGTERM', () => process.exit(0))

serve({
  ...serverOps,
  start: (spec: BaselineSpec) => start(spec),
  async close() {
    for (const ws of clients) ws.terminate()
    await consumer?.disconnect()
    server?.close()
    return null
  },
})
