// The browser-batch verdict: CPU added up per mode over its rounds, the burst target, and an
// incomplete round never passing.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BrowserPhase, Mode } from './browser-figures.ts'
import { BURST_TARGET, DEFLATE_LINE, parseRounds, perFrameSplit, publishBrowserFigures, totals } from './browser-figures.ts'
import { Report } from './report.ts'

const quiet = () => {}

function phase(round: number, mode: Mode, kind: 'steady' | 'burst', deliveries: number, cpuUs: number, complete = true): BrowserPhase {
  return {
    round,
    mode,
    phase: kind,
    connections: 10,
    events: deliveries / 10,
    expected: deliveries,
    deliveries,
    duplicates: 0,
    complete,
    frames: deliveries,
    messages: deliveries,
    types: { event: deliveries },
    seconds: 1,
    cpu: { browser: 0, renderer: cpuUs, network: 0, gpu: 0, other: 0 },
    cpuUs,
    renderer: { taskUs: 0, scriptUs: 0 },
    rendererMainUs: 0,
    serverCpuUs: 0,
    serverBytes: deliveries * 100,
    idleUsPerS: 0,
  }
}

test("a mode's CPU per delivery is its rounds' CPU over their deliveries, not a mean of ratios", () => {
  const t = totals([phase(1, 'plain', 'burst', 1000, 100_000), phase(4, 'plain', 'burst', 3000, 500_000)])
  assert.equal(t.cpuUsPerDelivery, 150)
  assert.equal(t.deliveries, 4000)
})

test('the burst target is met at batch/plain <= 0.5 and missed above it or when a round is incomplete', () => {
  const verdict = (phases: BrowserPhase[]) => {
    const r = new Report('browser-batch', quiet)
    publishBrowserFigures(r, { connections: 10 }, phases)
    const t = r.lines.find((l) => l.target !== undefined)
    assert.equal(t?.target?.text, BURST_TARGET)
    return { ratio: t?.value, met: t?.target?.met, check: r.checkVerdict() }
  }
  const met = verdict([phase(1, 'plain', 'burst', 1000, 200_000), phase(2, 'batch', 'burst', 1000, 90_000)])
  assert.deepEqual([met.ratio, met.met, met.check], [0.45, true, null])
  const missed = verdict([phase(1, 'plain', 'burst', 1000, 200_000), phase(2, 'batch', 'burst', 1000, 110_000)])
  assert.deepEqual([missed.ratio, missed.met], [0.55, false])
  const short = verdict([phase(1, 'plain', 'burst', 1000, 200_000), phase(2, 'batch', 'burst', 1000, 10_000, false)])
  assert.deepEqual([short.ratio, short.met], [0.05, false])
})

test('without both modes there is no ratio and no target', () => {
  const r = new Report('browser-batch', quiet)
  publishBrowserFigures(r, { connections: 10 }, [phase(1, 'plain', 'burst', 1000, 200_000)])
  assert.equal(r.lines.filter((l) => l.target !== undefined).length, 0)
  assert.match(r.notes.join('\n'), /no ratio without a plain round/)
})

test('the per-frame and per-message parts of the cost follow from two modes with different frames per delivery', () => {
  // plain: 1 frame per delivery at 100 us; batch: 0.2 frames per delivery at 60 us -> 50 us a frame, 50 us a message
  const plain = { ...totals([phase(1, 'plain', 'burst', 1000, 100_000)]), framesPerDelivery: 1 }
  const batch = { ...totals([phase(2, 'batch', 'burst', 1000, 60_000)]), framesPerDelivery: 0.2 }
  assert.deepEqual(perFrameSplit(plain, batch), { perFrameUs: 50, perMessageUs: 50, floor: 0.5 })
  assert.equal(perFrameSplit(plain, { ...batch, framesPerDelivery: 0.9 }), null)
})

test('--rounds: plain, batch and deflate in any order; anything else, or nothing, is refused', () => {
  assert.deepEqual(parseRounds('plain,batch,deflate,deflate, batch ,plain'), ['plain', 'batch', 'deflate', 'deflate', 'batch', 'plain'])
  assert.throws(() => parseRounds('plain,gzip'), /unknown round 'gzip' \(plain, batch, deflate\)/)
  assert.throws(() => parseRounds(' , '), /names no round/)
})

test('deflate rounds get their own ratios against plain and the same line of 0.5, apart from the batch target', () => {
  const r = new Report('browser-batch', quiet)
  publishBrowserFigures(r, { connections: 10 }, [
    phase(1, 'plain', 'burst', 1000, 200_000),
    phase(2, 'batch', 'burst', 1000, 120_000),
    phase(3, 'deflate', 'burst', 1000, 80_000),
  ])
  const targets = r.lines.filter((l) => l.target !== undefined)
  assert.deepEqual(
    targets.map((l) => [l.labels.mode, l.target?.text, l.value, l.target?.met]),
    [
      ['batch', BURST_TARGET, 0.6, false],
      ['deflate', DEFLATE_LINE, 0.4, true],
    ],
  )
  const bytes = r.lines.find((l) => l.labels.mode === 'deflate' && l.metric === 'server_bytes_per_delivery' && l.ratio !== undefined)
  assert.equal(bytes?.ratio, 1)
})

test("under a CPU throttle the lines are drawn on Chromium's busy time: the renderer main thread's spin while it waits is left out", () => {
  // the throttle spins the main thread while it waits: 900 ms of /proc CPU in both rounds, of which
  // the tasks' time is 100 ms plain and 20 ms deflate; the other threads 100 and 60 ms
  const spun = (round: number, mode: Mode, otherUs: number, taskUs: number): BrowserPhase => ({
    ...phase(round, mode, 'burst', 1000, otherUs + 900_000),
    rendererMainUs: 900_000,
    renderer: { taskUs, scriptUs: 0 },
  })
  const phases = [spun(1, 'plain', 100_000, 100_000), spun(2, 'deflate', 60_000, 20_000)]
  const line = (throttled: boolean) => {
    const r = new Report('browser-batch', quiet)
    publishBrowserFigures(r, { connections: 10 }, phases, { throttled })
    const t = r.lines.find((l) => l.target !== undefined)
    return [t?.metric, t?.value, t?.target?.met]
  }
  assert.deepEqual(line(true), ['busy_ratio', 0.4, true])
  assert.deepEqual(line(false), ['cpu_ratio', 960 / 1000, false])
})
