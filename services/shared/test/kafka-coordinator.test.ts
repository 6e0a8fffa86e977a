// The transaction-coordinator memory kafka.ts puts in front of kafkajs's lookup: one lookup per
// transactional id and cluster until a request to the coordinator fails, kafkajs's lookup for
// consumer groups. kafka-transaction.kafka.test.ts counts the requests against a real broker.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rememberingTransactionCoordinators } from '../src/kafka.ts'
import type { CoordinatorBroker, CoordinatorCluster, FindCoordinator } from '../src/kafka.ts'

class FakeBroker implements CoordinatorBroker {
  readonly nodeId: number
  fail: string | null = null
  constructor(nodeId: number) {
    this.nodeId = nodeId
  }
  async endTxn(): Promise<string> {
    if (this.fail !== null) throw Object.assign(new Error(this.fail), { type: this.fail })
    return `ended on ${this.nodeId}`
  }
}

function setup() {
  const brokers = new Map([1, 2].map((id) => [id, new FakeBroker(id)]))
  const state = { coordinator: 1, lookups: 0, found: 0, missing: new Set<number>() }
  const cluster: CoordinatorCluster = {
    async findBroker({ nodeId }) {
      state.found++
      if (state.missing.has(nodeId)) throw new Error('KafkaJSBrokerNotFound')
      return brokers.get(nodeId) as FakeBroker
    },
  }
  const original: FindCoordinator = async function (this: CoordinatorCluster) {
    state.lookups++
    return this.findBroker({ nodeId: state.coordinator })
  }
  const find = rememberingTransactionCoordinators(original)
  const txn = (groupId = 'tx-a') => find.call(cluster, { groupId, coordinatorType: 1 }) as Promise<FakeBroker>
  return { brokers, state, cluster, find, txn }
}

test('a transaction coordinator is looked up once per transactional id, then asked for by node id', async () => {
  const { state, txn } = setup()
  for (let i = 0; i < 5; i++) assert.equal(await (await txn()).endTxn(), 'ended on 1')
  assert.equal(state.lookups, 1)
  await txn('tx-b')
  assert.equal(state.lookups, 2, 'another transactional id has its own coordinator')
})

test('a failed request to the remembered coordinator makes the next call look it up again', async () => {
  const { brokers, state, txn } = setup()
  await txn()
  // the coordinator moved: the old one refuses
  state.coordinator = 2
  ;(brokers.get(1) as FakeBroker).fail = 'NOT_COORDINATOR'
  await assert.rejects((await txn()).endTxn(), /NOT_COORDINATOR/)
  assert.equal(await (await txn()).endTxn(), 'ended on 2')
  assert.equal(state.lookups, 2)
  assert.equal(await (await txn()).endTxn(), 'ended on 2')
  assert.equal(state.lookups, 2)
})

test('CONCURRENT_TRANSACTIONS (the previous commit still completing) keeps the coordinator', async () => {
  const { brokers, state, txn } = setup()
  const b = brokers.get(1) as FakeBroker
  b.fail = 'CONCURRENT_TRANSACTIONS'
  await assert.rejects((await txn()).endTxn(), /CONCURRENT_TRANSACTIONS/)
  b.fail = null
  assert.equal(await (await txn()).endTxn(), 'ended on 1')
  assert.equal(state.lookups, 1)
})

test('a remembered coordinator that left the cluster metadata is looked up again', async () => {
  const { state, txn } = setup()
  await txn()
  state.missing.add(1)
  state.coordinator = 2
  assert.equal(await (await txn()).endTxn(), 'ended on 2')
  assert.equal(state.lookups, 2)
})

test('group coordinators keep kafkajs lookup every time', async () => {
  const { state, cluster, find } = setup()
  for (let i = 0; i < 3; i++) await find.call(cluster, { groupId: 'g', coordinatorType: 0 })
  await find.call(cluster, { groupId: 'g' })
  assert.equal(state.lookups, 4)
})
