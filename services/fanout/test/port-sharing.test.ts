// How FANOUT_WORKERS share the port (src/workers.ts portSharing): each worker its own socket
// (SO_REUSEPORT) where Linux and Node have it, else the primary hands connections over.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { portSharing, workerCount } from '../src/workers.ts'

test('workers bind the port themselves on Linux from Node 22.12 and 23.1; the primary holds it otherwise', () => {
  assert.equal(portSharing(2, 8082, 'linux', 'v24.22.3'), 'own')
  assert.equal(portSharing(2, 8082, 'linux', 'v22.12.0'), 'own')
  assert.equal(portSharing(2, 8082, 'linux', 'v23.1.0'), 'own')
  assert.equal(portSharing(2, 8082, 'linux', 'v23.0.0'), 'primary', '23.0 has no reusePort')
  assert.equal(portSharing(2, 8082, 'linux', 'v22.11.0'), 'primary')
  assert.equal(portSharing(2, 8082, 'linux', 'v20.20.2'), 'primary')
  assert.equal(portSharing(2, 8082, 'darwin', 'v24.22.3'), 'primary', 'macOS spreads nothing across SO_REUSEPORT sockets')
  assert.equal(portSharing(1, 8082, 'linux', 'v24.22.3'), 'primary', 'one worker is main.ts in the primary')
  assert.equal(portSharing(4, 0, 'linux', 'v24.22.3'), 'primary', 'port 0 would give each worker a port of its own')
})

test('FANOUT_WORKERS: a count, or auto for one per core (at least one); default one', () => {
  assert.equal(workerCount({ FANOUT_WORKERS: 'auto' }, 6), 6)
  assert.equal(workerCount({ FANOUT_WORKERS: ' auto ' }, 0), 1, 'a host that reports no core still runs one')
  assert.equal(workerCount({ FANOUT_WORKERS: '3' }, 6), 3)
  assert.equal(workerCount({}, 6), 1)
})
