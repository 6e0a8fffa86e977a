// A phone-like reader for the browser-batch scenario: the DevTools commands that slow the page's
// Chromium to a phone's CPU (Emulation.setCPUThrottlingRate: the renderer's main thread only, as
// Lighthouse's mobile runs do, at 4) and network (Network.emulateNetworkConditions). Chromium 156
// applies the network conditions to a page's WebSockets only with the Network domain enabled
// (measured: docs/benchmarks.md, "A phone-like reader"), and an enabled Network domain makes the
// renderer report every WebSocket frame to DevTools, so `devtools` (enabled, no conditions) is there
// to measure what that alone costs.

/** Bytes per second and milliseconds, as Network.emulateNetworkConditions takes them. */
export interface NetworkConditions {
  latency: number
  downloadThroughput: number
  uploadThroughput: number
}

/**
 * DevTools' own presets (devtools-frontend front_end/core/sdk/NetworkManager.ts, copied by
 * puppeteer's PredefinedNetworkConditions): nominal rates × 0.9, round trips × 2.75 or 3.75.
 * fast4g is DevTools' "Fast 4G" (9 Mbit/s down, 1.5 up, 60 ms); slow4g its "Slow 4G", which is
 * Lighthouse's mobile default (mobileSlow4G, with a CPU 4 × slower: 1.6 Mbit/s, 150 ms).
 */
export const networkPresets: Record<'none' | 'devtools' | 'fast4g' | 'slow4g', NetworkConditions | null> = {
  none: null,
  devtools: null,
  fast4g: { latency: 60 * 2.75, downloadThroughput: ((9 * 1000 * 1000) / 8) * 0.9, uploadThroughput: ((1.5 * 1000 * 1000) / 8) * 0.9 },
  slow4g: { latency: 150 * 3.75, downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9, uploadThroughput: ((750 * 1000) / 8) * 0.9 },
}
export type NetworkPreset = keyof typeof networkPresets

export interface CdpCommand {
  method: string
  params: Record<string, unknown>
}

/** --cpu-throttle R: how many times slower the page's main thread runs; 1 (none) when absent. */
export function parseCpuThrottle(text: string | undefined): number {
  if (text === undefined) return 1
  const rate = text.trim() === '' ? Number.NaN : Number(text)
  if (!Number.isFinite(rate) || rate < 1) throw new Error(`bench: --cpu-throttle must be a number of at least 1, not '${text}'`)
  return rate
}

/** --network P: a preset's name; none when absent. */
export function parseNetwork(text: string | undefined): NetworkPreset {
  if (text === undefined) return 'none'
  if (!Object.hasOwn(networkPresets, text))
    throw new Error(`bench: unknown --network '${text}' (${Object.keys(networkPresets).join(', ')})`)
  return text as NetworkPreset
}

/** What to send the page before its first connection; nothing for the default run. */
export function phoneCommands(rate: number, network: NetworkPreset): CdpCommand[] {
  const out: CdpCommand[] = []
  if (rate !== 1) out.push({ method: 'Emulation.setCPUThrottlingRate', params: { rate } })
  if (network === 'none') return out
  out.push({ method: 'Network.enable', params: {} })
  const conditions = networkPresets[network]
  if (conditions) out.push({ method: 'Network.emulateNetworkConditions', params: { offline: false, ...conditions } })
  return out
}

/** --pace P: a preset whose download rate the harness's paced link (paced-link.ts) keeps to; null when absent. */
export function parsePace(text: string | undefined): { name: NetworkPreset; bytesPerSecond: number } | null {
  if (text === undefined) return null
  const name = parseNetwork(text)
  const conditions = networkPresets[name]
  const rated = Object.keys(networkPresets).filter((k) => networkPresets[k as NetworkPreset] !== null)
  if (!conditions) throw new Error(`bench: --pace needs a preset with a rate (${rated.join(', ')}), not '${text}'`)
  return { name, bytesPerSecond: conditions.downloadThroughput }
}
