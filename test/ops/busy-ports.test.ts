// What `npm start` says when its ports are taken (deploy/local/busy-ports.ts, port-owner.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeBusy } from '../../deploy/local/busy-ports.ts'
import type { Busy, PortPlan } from '../../deploy/local/busy-ports.ts'
import { listeningInodes } from '../../deploy/local/port-owner.ts'

const plans: PortPlan[] = [
  { service: 'ingest', variable: 'INGEST_PORT', port: 8081 },
  { service: 'fanout', variable: 'FANOUT_PORT', port: 8082 },
]
const starter = { pid: 100, command: 'node --import tsx deploy/local/stack.ts' }

test('a running stack: both services, where they run, who started them, how to stop it or run another', () => {
  const busy: Busy[] = [
    { plan: plans[0] as PortPlan, answers: 'ingest', owner: { pid: 101, command: 'node ingest', cwd: '/src/nw', parent: starter } },
    { plan: plans[1] as PortPlan, answers: 'fanout', owner: { pid: 102, command: 'node fanout', cwd: '/src/nw', parent: starter } },
  ]
  assert.equal(
    describeBusy(busy, plans, [8181, 8282]),
    [
      'newswire: a Newswire stack is already running:',
      '  ingest   http://127.0.0.1:8081 (pid 101 in /src/nw)',
      '  fan-out  http://127.0.0.1:8082 (pid 102 in /src/nw)',
      '  started by pid 100: node --import tsx deploy/local/stack.ts',
      'Use it (npm start printed its URLs and token where it was started), stop it (kill 100),',
      'or start another stack on other ports: INGEST_PORT=8181 FANOUT_PORT=8282 npm start',
    ].join('\n'),
  )
})

test('another program on a port: named, with the way out', () => {
  const busy: Busy[] = [
    { plan: plans[1] as PortPlan, answers: null, owner: { pid: 7, command: 'python3 -m http.server 8082', cwd: '/tmp', parent: null } },
  ]
  assert.equal(
    describeBusy(busy, plans, [8181, 8182]),
    [
      'newswire: 127.0.0.1:8082 (FANOUT_PORT, for fan-out) is in use by pid 7 in /tmp: python3 -m http.server 8082',
      'Free it, or choose other ports: INGEST_PORT=8181 FANOUT_PORT=8182 npm start',
    ].join('\n'),
  )
  const unknown: Busy[] = [{ plan: plans[0] as PortPlan, answers: null, owner: null }]
  assert.match(describeBusy(unknown, plans, [8181, 8182]), /8081 \(INGEST_PORT, for ingest\) is in use by another program/)
})

test('listening sockets are read from /proc/net/tcp by port and LISTEN state', () => {
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:1F91 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1',
    '   2: 0100007F:1F92 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0',
  ].join('\n')
  assert.deepEqual(listeningInodes(table, 8081), ['4242'])
  assert.deepEqual(listeningInodes(table, 8082), ['4444'])
  assert.deepEqual(listeningInodes(table, 9092), [])
})
