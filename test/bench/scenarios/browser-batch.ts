// browser-batch (issue #18, "fewer frames for the reader"): the reader that pays per message,
// measured. M WebSocket connections from one headless Chromium page (lib/browser-page.ts) to the
// real fan-out, subscribed to `breaking`, Bengali article events (about 2 KB as JSON) from Kafka
// in a steady phase and a burst. Rounds alternate plain connections (one message per frame) and
// `?batch=1` ones (several per frame, unpacked with the SDK's messagesOf) on the same server, so
// drift hits both (and `deflate` rounds: compressed batches, `?batch=1&deflate=1`); every
// round reads Chromium's CPU (every thread of every Chromium process, by role, to the ns), the page
// renderer's main-thread time, and the fan-out's CPU and bytes written around each phase, per
// delivery. --cpu-throttle, --network and --pace make the page a phone-like reader (lib/phone.ts,
// lib/paced-link.ts).
import { loadavg } from 'node:os'
import type { ServerUnderTest } from '../lib/fanout-bench.ts'
import { sleep, Source, startFanoutServer } from '../lib/fanout-bench.ts'
import { bengaliFont, chromium, ensureSystem } from '../../../deploy/local/system.ts'
import { BrowserReader } from '../lib/browser-reader.ts'
import type { Driver, RendererTime } from '../lib/browser-reader.ts'
import { drivers } from '../lib/browser-reader.ts'
import { type BrowserPhase, type Mode, parseRounds, publishBrowserFigures } from '../lib/browser-figures.ts'
import { encodedSizes } from '../lib/fixture.ts'
import { PacedLink } from '../lib/paced-link.ts'
import { networkPresets, parseCpuThrottle, parseNetwork, parsePace, phoneCommands } from '../lib/phone.ts'
import { createTopics, deleteTopics, withAdmin } from '../lib/kafka.ts'
import { threadDelta, totalCpu } from '../lib/proc-tree.ts'
import type { Scenario, ScenarioContext } from '../lib/scenario.ts'
import { num } from '../lib/scenario.ts'

const scenario: Scenario = {
  name: 'browser-batch',
  summary: 'a headless Chromium reader on M connections: client CPU per delivery, batches (?batch=1) vs one message per frame',
  options: {
    connections: { type: 'string' },
    burst: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    partitions: { type: 'string' },
    channel: { type: 'string' },
    driver: { type: 'string' },
    payload: { type: 'string' },
    deflate: { type: 'boolean', default: false },
    'deflate-level': { type: 'string' },
    'cpu-throttle': { type: 'string' },
    network: { type: 'string' },
    pace: { type: 'string' },
    'keep-topics': { type: 'boolean', default: false },
  },
  help: `  --connections M           WebSocket connections in the page (default 200; --quick 50; Chromium opens at
                            most 255 per profile: past that they fail with 1006)
  --burst K                 events in each round's burst, published at once (default 200; --quick 50)
  --rate R                  events/s of each round's steady phase (default 20)
  --duration S              seconds of each round's steady phase (default 5; --quick 1)
  --rounds LIST             the rounds in order, plain, batch or deflate (default plain,batch,batch,plain:
                            ABBA, so a linear drift hits both modes alike; --quick plain,batch). deflate:
                            compressed batches (FANOUT_BATCH_DEFLATE, on by default), connections asking
                            ?batch=1&deflate=1 get their group's batches compressed with permessage-deflate,
                            once per write for all of them (services/fanout/src/http/ws-framing.ts)
  --partitions N            partitions of the bench topics (default 6)
  --channel C               the connections' channel (default breaking)
  --driver D                cdp (default): Chromium started directly, driven over a bare DevTools connection
                            (Runtime.evaluate, Performance); playwright: driven by playwright-core, which
                            enables the Network domain, so Chromium also copies every WebSocket frame into a
                            DevTools event for it (not a reader's cost; for comparison)
  --payload P               all (default): the six article variants in turn (about 1.3-2.5 KB a message);
                            brief: only the shortest (headline and 120 characters of the lead), to split
                            Chromium's cost per message into a part per byte and a part per message
  --deflate                 the fan-out offers permessage-deflate (FANOUT_PERMESSAGE_DEFLATE=true; Chromium
                            always asks for it): every message compressed for its connection, one message
                            a frame in both modes (a compressed connection is not batched); not with
                            deflate rounds
  --deflate-level L         zlib level of deflate rounds (FANOUT_BATCH_DEFLATE_LEVEL; default the fan-out's, 1);
                            0: stored blocks, as many bytes as batch rounds through Chromium's inflate path
  --cpu-throttle R          a phone's CPU: the page's main thread R times slower (Emulation.setCPUThrottlingRate;
                            4 is Lighthouse's mobile rate). Chromium's throttler spins that thread while it
                            holds it back, so its /proc CPU is wall time: the targets are then drawn on
                            chromium_busy_us_per_delivery (that thread by its tasks' time, the rest from /proc)
  --network P               a phone's network (Network.emulateNetworkConditions): none (default), fast4g
                            (DevTools' Fast 4G: 9 Mbit/s down x 0.9, 165 ms), slow4g (DevTools' Slow 4G,
                            Lighthouse's mobile default: 1.6 Mbit/s x 0.9, 562.5 ms), devtools (no conditions:
                            what the Network domain they need costs alone: it reports every frame to DevTools)
  --pace P                  a phone's download rate without DevTools: the page connects through a relay in the
                            harness that hands it the fan-out's bytes at preset P's rate (fast4g, slow4g), a
                            few KB every 5 ms, shared by the page's connections (lib/paced-link.ts)
  --keep-topics             keep the bench-browser-* topics
Chromium: /usr/bin/chromium (never a downloaded browser). CPU is the run time of every thread of
every Chromium process under this harness (browser, renderer, network service, GPU, others), from
/proc/<pid>/task/<tid>/schedstat (ns; a thread that ends during a phase is left out).`,
  maxSeconds: (v) => (v.quick ? 120 : v['cpu-throttle'] !== undefined || v.network !== undefined || v.pace !== undefined ? 1800 : 900),

  async run(ctx) {
    const v = ctx.values
    const quick = v.quick === true
    const { report } = ctx
    const m = num(v, 'connections', quick ? 50 : 200)
    const burst = num(v, 'burst', quick ? 50 : 200)
    const rate = num(v, 'rate', 20)
    const durationS = num(v, 'duration', quick ? 1 : 5)
    const rounds = parseRounds(typeof v.rounds === 'string' ? v.rounds : quick ? 'plain,batch' : 'plain,batch,batch,plain')
    if (rounds.includes('deflate') && v.deflate === true)
      throw new Error('bench: --deflate compresses every connection; deflate rounds need it off')
    const partitions = num(v, 'partitions', 6)
    const channel = typeof v.channel === 'string' ? v.channel : 'breaking'
    const driver = (typeof v.driver === 'string' ? v.driver : 'cdp') as Driver
    if (!drivers.includes(driver)) throw new Error(`bench: unknown driver '${driver}' (${drivers.join(', ')})`)
    if (m < 1 || burst < 1) throw new Error('bench: --connections and --burst must be at least 1')
    const cpuThrottle = parseCpuThrottle(typeof v['cpu-throttle'] === 'string' ? v['cpu-throttle'] : undefined)
    const network = parseNetwork(typeof v.network === 'string' ? v.network : undefined)
    const pace = parsePace(typeof v.pace === 'string' ? v.pace : undefined)
    if (pace && network !== 'none') throw new Error('bench: --pace and --network each shape the link; give one')

    // as `npm test` does for its browser files: on a fresh machine, install Debian's Chromium first
    ensureSystem([chromium, bengaliFont], (line) => report.note(line))
    const payload = typeof v.payload === 'string' ? v.payload : 'all'
    if (payload !== 'all' && payload !== 'brief') throw new Error(`bench: unknown --payload '${payload}' (all, brief)`)
    const variants = payload === 'brief' ? [0] : undefined
    const sizes = encodedSizes().filter((_, i) => variants === undefined || variants.includes(i))
    report.note(
      `events: Avro from the Bengali sample, payload ${payload}, ${Math.min(...sizes)}-${Math.max(...sizes)} B encoded (urgency 1; connections on ${channel})`,
    )
    const prefix = `bench-browser-${ctx.runId}.`
    const topics = await withAdmin(ctx.brokers, (admin) => createTopics(admin, ctx.brokers, prefix, partitions))
    const source = new Source(ctx)
    let server: ServerUnderTest | null = null
    let reader: BrowserReader | null = null
    let link: PacedLink | null = null
    const phases: BrowserPhase[] = []
    try {
      await source.init({ mode: 'kafka', brokers: ctx.brokers, topic: topics.events, urgency: 1, ...(variants ? { variants } : {}) })
      const env: Record<string, string> = {}
      if (v.deflate === true) env.FANOUT_PERMESSAGE_DEFLATE = 'true'
      if (typeof v['deflate-level'] === 'string') env.FANOUT_BATCH_DEFLATE_LEVEL = String(num(v, 'deflate-level', 1))
      server = await startFanoutServer(ctx, prefix, partitions, { maxConnections: m, env })
      if (pace) {
        const u = new URL(server.wsUrl)
        link = await PacedLink.start({ host: u.hostname, port: Number(u.port) }, pace.bytesPerSecond)
        report.note(`paced link: the page's connections get the fan-out's bytes at ${pace.bytesPerSecond} B/s (${pace.name})`)
      }
      reader = await BrowserReader.launch(driver)
      await reader.emulate(phoneCommands(cpuThrottle, network))
      if (cpuThrottle !== 1 || network !== 'none')
        report.note(`a phone-like page: CPU ${cpuThrottle} x slower, network ${network} ${JSON.stringify(networkPresets[network])}`)
      report.note(
        `Chromium ${reader.version()} (headless, /usr/bin/chromium, driven by ${driver}); ${m} connections in one page; rounds ${rounds.join(',')}; steady ${rate}/s for ${durationS} s, burst ${burst} at once; topics ${prefix}*`,
      )
      for (const [i, mode] of rounds.entries()) {
        if (ctx.signal.aborted) break
        const wsUrl = link ? link.url(server.wsUrl) : server.wsUrl
        phases.push(...(await runRound(ctx, server, reader, source, { round: i + 1, mode, m, burst, rate, durationS, channel, wsUrl })))
        await sleep(500)
      }
    } finally {
      await reader?.close().catch((err: unknown) => report.note(`chromium: ${String(err)}`))
      await link?.close()
      await server?.stop().catch((err: unknown) => report.note(`fanout: ${err instanceof Error ? err.message : String(err)}`))
      await source.stop()
      if (v['keep-topics'] !== true)
        await withAdmin(ctx.brokers, (admin) => deleteTopics(admin, [prefix])).catch((err: unknown) =>
          report.note(`could not delete bench topics: ${err instanceof Error ? err.message : String(err)}`),
        )
    }
    const phone = {
      ...(cpuThrottle !== 1 ? { cpu_throttle: cpuThrottle } : {}),
      ...(network !== 'none' ? { network } : {}),
      ...(pace ? { pace: pace.name } : {}),
    }
    publishBrowserFigures(report, { connections: m, driver, ...phone }, phases, { throttled: cpuThrottle !== 1 })
    return 0
  },
}

async function runRound(
  ctx: ScenarioContext,
  server: ServerUnderTest,
  reader: BrowserReader,
  source: Source,
  o: { round: number; mode: Mode; m: number; burst: number; rate: number; durationS: number; channel: string; wsUrl: string },
): Promise<BrowserPhase[]> {
  const { report, signal } = ctx
  const url = o.mode === 'deflate' ? `${o.wsUrl}?deflate=1` : o.wsUrl
  const conn = await reader.connect(url, o.m, o.mode !== 'plain', [o.channel], 60_000)
  report.note(`round ${o.round} (${o.mode}): load ${loadavg()[0]?.toFixed(2)}; extensions ${JSON.stringify(conn.extensions)}`)
  if (conn.failed > 0) report.note(`round ${o.round} (${o.mode}): ${conn.failed} connections failed: ${JSON.stringify(conn.errors)}`)
  if (conn.connected === 0) throw new Error(`bench: round ${o.round}: no connection opened: ${JSON.stringify(conn.errors)}`)
  await probe(reader, source, `p${o.round}`, signal)
  // Chromium's own idle CPU with the connections open, for the record: the phases' figures include it
  const idle0 = totalCpu(reader.cpu())
  const idleT0 = performance.now()
  await sleep(1000)
  const idleUsPerS = (totalCpu(reader.cpu()) - idle0) / ((performance.now() - idleT0) / 1000)

  const phase = async (kind: 'steady' | 'burst', count: number, rate: number): Promise<BrowserPhase> => {
    const tag = `${kind === 'steady' ? 's' : 'b'}${o.round}`
    await reader.track(tag, count)
    const threads0 = reader.threads()
    const r0 = await reader.rendererTime()
    const s0 = await server.cpu()
    const w0 = (await server.io()).wchar
    const t0 = performance.now()
    const sent = await source.run({ phases: [{ tag, count }], rate }, (count / Math.max(rate, 1)) * 1000 + 60_000)
    const complete = await reader.waitComplete(60_000)
    const seconds = (performance.now() - t0) / 1000
    const { cpu, rendererMainUs } = threadDelta(threads0, reader.threads())
    const r1 = await reader.rendererTime()
    const serverCpuUs = (await server.cpu()) - s0
    const serverBytes = (await server.io()).wchar - w0
    const c = await reader.counts()
    if (Object.keys(sent.errorKinds).length > 0) report.note(`round ${o.round} ${kind}: publish errors ${JSON.stringify(sent.errorKinds)}`)
    return {
      round: o.round,
      mode: o.mode,
      phase: kind,
      connections: c.connections,
      events: count,
      expected: c.connections * count,
      deliveries: c.distinct,
      duplicates: c.duplicates,
      complete,
      frames: c.frames,
      messages: c.messages,
      types: c.types,
      seconds,
      cpu,
      cpuUs: totalCpu(cpu),
      renderer: diffTime(r0, r1),
      rendererMainUs,
      serverCpuUs,
      serverBytes,
      idleUsPerS,
    }
  }

  const steady = await phase('steady', Math.max(1, Math.round(o.rate * o.durationS)), o.rate)
  await sleep(500)
  const burst = await phase('burst', o.burst, 0)
  await reader.disconnect()
  return [steady, burst]
}

/** Publishes single probe events until every connection has one (the fan-out's consumer is live). */
async function probe(reader: BrowserReader, source: Source, tag: string, signal: AbortSignal): Promise<void> {
  await reader.track(tag, 1)
  for (let attempt = 0; attempt < 20 && !signal.aborted; attempt++) {
    // later probes re-use seq 0: connections that got one are complete; the rest wait for theirs
    await source.run({ phases: [{ tag, count: 1 }], rate: 0, seqBase: 0 }, 30_000)
    if (await reader.waitComplete(3000)) return
  }
  const c = await reader.counts()
  throw new Error(`bench: probe: only ${c.complete} of ${c.connections} connections received an event; is the fan-out consuming?`)
}

const diffTime = (a: RendererTime, b: RendererTime): RendererTime => ({ taskUs: b.taskUs - a.taskUs, scriptUs: b.scriptUs - a.scriptUs })

export default scenario
