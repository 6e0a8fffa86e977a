// The browser-batch scenario's phone-like reader: the options' parsing and the DevTools commands
// each preset sends.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { networkPresets, parseCpuThrottle, parseNetwork, parsePace, phoneCommands } from './phone.ts'

test('--cpu-throttle: 1 (no throttle) when absent, a finite rate of at least 1 otherwise', () => {
  assert.equal(parseCpuThrottle(undefined), 1)
  assert.equal(parseCpuThrottle('4'), 4)
  assert.equal(parseCpuThrottle('2.5'), 2.5)
  for (const bad of ['0.5', '0', '-4', 'x', '', 'Infinity'])
    assert.throws(() => parseCpuThrottle(bad), /--cpu-throttle must be a number of at least 1/, bad)
})

test('--network: none when absent, a named preset otherwise', () => {
  assert.equal(parseNetwork(undefined), 'none')
  assert.equal(parseNetwork('fast4g'), 'fast4g')
  assert.throws(() => parseNetwork('5g'), /unknown --network '5g' \(none, devtools, fast4g, slow4g\)/)
})

test("the 4G presets are DevTools' own, in bytes per second and milliseconds", () => {
  assert.deepEqual(networkPresets.fast4g, { latency: 165, downloadThroughput: 1_012_500, uploadThroughput: 168_750 })
  assert.deepEqual(networkPresets.slow4g, { latency: 562.5, downloadThroughput: 180_000, uploadThroughput: 84_375 })
})

test('no throttle and no network preset send nothing, so the default run is the one measured before', () => {
  assert.deepEqual(phoneCommands(1, 'none'), [])
})

test('a CPU rate is one command; a network preset enables the Network domain first (without it Chromium ignores the conditions)', () => {
  assert.deepEqual(phoneCommands(4, 'none'), [{ method: 'Emulation.setCPUThrottlingRate', params: { rate: 4 } }])
  assert.deepEqual(phoneCommands(1, 'devtools'), [{ method: 'Network.enable', params: {} }])
  assert.deepEqual(phoneCommands(4, 'fast4g'), [
    { method: 'Emulation.setCPUThrottlingRate', params: { rate: 4 } },
    { method: 'Network.enable', params: {} },
    {
      method: 'Network.emulateNetworkConditions',
      params: { offline: false, latency: 165, downloadThroughput: 1_012_500, uploadThroughput: 168_750 },
    },
  ])
})

test('--pace: a preset with a rate (fast4g, slow4g) or nothing; none and devtools have no rate to pace at', () => {
  assert.equal(parsePace(undefined), null)
  assert.deepEqual(parsePace('fast4g'), { name: 'fast4g', bytesPerSecond: 1_012_500 })
  assert.deepEqual(parsePace('slow4g'), { name: 'slow4g', bytesPerSecond: 180_000 })
  assert.throws(() => parsePace('devtools'), /--pace needs a preset with a rate \(fast4g, slow4g\)/)
  assert.throws(() => parsePace('5g'), /unknown --network '5g'/)
})
