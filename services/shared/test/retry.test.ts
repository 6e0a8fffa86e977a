import assert from 'node:assert/strict'
import { test } from 'node:test'
import { retrying } from '../src/retry.ts'

const retriable = () => Object.assign(new Error('NOT_LEADER_OR_FOLLOWER'), { retriable: true })

test('retrying: runs again on retriable errors until it succeeds', async () => {
  let calls = 0
  const v = await retrying(async () => {
    calls++
    if (calls < 3) throw retriable()
    return 'ok'
  })
  assert.equal(v, 'ok')
  assert.equal(calls, 3)
})

test('retrying: a non-retriable error is thrown at once', async () => {
  let calls = 0
  await assert.rejects(
    retrying(async () => {
      calls++
      throw new Error('TOPIC_AUTHORIZATION_FAILED')
    }),
    /TOPIC_AUTHORIZATION_FAILED/,
  )
  assert.equal(calls, 1)
})

test('retrying: gives up after the given attempts with the last error', async () => {
  let calls = 0
  await assert.rejects(
    retrying(async () => {
      calls++
      throw retriable()
    }, 2),
    /NOT_LEADER_OR_FOLLOWER/,
  )
  assert.equal(calls, 2)
})
