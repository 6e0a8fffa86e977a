// Reading Chromium's process tree from /proc: stat lines, the tree walk, roles.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ThreadTime } from './proc-tree.ts'
import { chromiumRole, cpuDelta, descendants, parseSchedstat, parseStat, threadDelta, totalCpu } from './proc-tree.ts'

test('a stat line is read from the last parenthesis on, so a comm with spaces and parentheses does not shift the fields', () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const line = '4242 (Chrome_ChildIOT) (x) S 4200 4200 1 0 -1 4194560 10 0 0 0 250 37 0 0 20 0 9 0 100 0 0\n'
  assert.deepEqual(parseStat(line), { pid: 4242, ppid: 4200, comm: 'Chrome_ChildIOT) (x', cpuUs: 2_870_000 })
  assert.equal(parseStat('garbage'), null)
})

test('the tree walk finds grandchildren and leaves out the root and unrelated processes', () => {
  const p = (pid: number, ppid: number) => ({ pid, ppid, comm: 'chromium', cpuUs: 0 })
  const procs = [p(10, 1), p(11, 10), p(12, 10), p(13, 12), p(20, 1), p(21, 20)]
  assert.deepEqual(descendants(procs, 10), [11, 12, 13])
  assert.deepEqual(descendants(procs, 13), [])
})

test("a Chromium process's role comes from its --type (and the utility's sub-type)", () => {
  assert.equal(chromiumRole('/usr/lib/chromium/chromium --headless --no-sandbox'), 'browser')
  assert.equal(chromiumRole('/usr/lib/chromium/chromium --type=renderer --lang=en-US'), 'renderer')
  assert.equal(chromiumRole('/usr/lib/chromium/chromium --type=gpu-process --use-angle=swiftshader'), 'gpu')
  assert.equal(chromiumRole('/usr/lib/chromium/chromium --type=utility --utility-sub-type=network.mojom.NetworkService'), 'network')
  assert.equal(chromiumRole('/usr/lib/chromium/chromium --type=utility --utility-sub-type=storage.mojom.StorageService'), 'other')
  assert.equal(chromiumRole('/usr/lib/chromium/chromium --type=zygote'), 'other')
})

test('CPU deltas are per role and add up', () => {
  const a = { browser: 1, renderer: 2, network: 3, gpu: 4, other: 5 }
  const b = { browser: 11, renderer: 32, network: 3, gpu: 4, other: 6 }
  assert.deepEqual(cpuDelta(a, b), { browser: 10, renderer: 30, network: 0, gpu: 0, other: 1 })
  assert.equal(totalCpu(cpuDelta(a, b)), 41)
})

test('a schedstat line is its run time in nanoseconds, then wait time and slices', () => {
  assert.equal(parseSchedstat('806728 1279976 5\n'), 806_728)
  assert.equal(parseSchedstat(''), null)
})

test('thread CPU between two snapshots: by role, the renderer main thread apart, a new thread from 0, an ended one left out', () => {
  const t = (tid: number, role: ThreadTime['role'], main: boolean, ns: number): [number, ThreadTime] => [tid, { role, main, ns }]
  const a = new Map([
    t(10, 'browser', true, 5_000_000),
    t(20, 'renderer', true, 1_000_000),
    t(21, 'renderer', false, 2_000_000),
    t(30, 'network', false, 9_000_000),
  ])
  const b = new Map([
    t(10, 'browser', true, 5_500_000),
    t(20, 'renderer', true, 4_000_000),
    t(21, 'renderer', false, 2_250_000),
    t(22, 'renderer', false, 750_000),
  ])
  assert.deepEqual(threadDelta(a, b), {
    cpu: { browser: 500, renderer: 4000, network: 0, gpu: 0, other: 0 },
    rendererMainUs: 3000,
  })
})
