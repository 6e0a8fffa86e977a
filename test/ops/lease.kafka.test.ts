// The broker decision npm test, npm start and npm run bench share (deploy/local/lease.ts), on a
// real broker of its own (ports 19592-19593, apart from everyone's 9092): KAFKA_BROKERS is used
// as given; unset, the local broker is started, with the JVM tuning asked for, and release()
// stops it; one already running is used and left running.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { isolatedSpec, nodePid, startCluster, stopCluster } from '../../deploy/local/broker.ts'
import { brokerSource, leaseBroker } from '../../deploy/local/lease.ts'

test('KAFKA_BROKERS is used as given; empty or unset means the local broker', async () => {
  assert.deepEqual(brokerSource({ KAFKA_BROKERS: ' a:1, b:2 ,' }), { kind: 'configured', brokers: ['a:1', 'b:2'] })
  assert.deepEqual(brokerSource({ KAFKA_BROKERS: '' }), { kind: 'local' })
  assert.deepEqual(brokerSource({}), { kind: 'local' })
  const given = await leaseBroker({ KAFKA_BROKERS: '127.0.0.1:1' })
  assert.deepEqual(given, { ...given, brokers: ['127.0.0.1:1'], started: false })
  await given.release()
})

/** The JVM options of a running node, from its command line. */
function jvmFlags(pid: number | null): string[] {
  assert.notEqual(pid, null)
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter((a) => a.startsWith('-XX:'))
}

test('unset: the local broker is started for the lease and stopped by release(); one already running is kept', async (t) => {
  // npm start and npm run bench ask for production's JVM tuning; npm test's own broker gets the default
  const spec = { ...isolatedSpec('lease-test', 19592), jvm: 'steady' as const }
  t.after(() => stopCluster(spec))
  const log = () => {}
  const first = await leaseBroker({}, { spec, log })
  assert.equal(first.started, true)
  assert.deepEqual(first.brokers, ['127.0.0.1:19592'])
  assert.notEqual(nodePid(spec, 1), null)
  const steady = jvmFlags(nodePid(spec, 1))
  assert.ok(steady.includes('-XX:+UseG1GC'), steady.join(' '))
  assert.ok(!steady.some((f) => f.startsWith('-XX:TieredStopAtLevel')), steady.join(' '))
  await first.release()
  assert.equal(nodePid(spec, 1), null, 'release() stopped the broker it started')

  const quick = isolatedSpec('lease-test', 19592)
  await startCluster(quick, { log })
  assert.deepEqual(
    jvmFlags(nodePid(quick, 1)).filter((f) => /UseSerialGC|TieredStopAtLevel|UseG1GC/.test(f)),
    ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'],
  )
  const second = await leaseBroker({}, { spec, log })
  assert.equal(second.started, false)
  await second.release()
  assert.notEqual(nodePid(spec, 1), null, 'a broker the lease did not start is left running')
})
