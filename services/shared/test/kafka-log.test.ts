import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { logLevel } from 'kafkajs'
import { pino } from 'pino'
import { pinoLogCreator } from '../src/kafka.ts'

function capture(): {
  lines: { level: number; msg: string; lib: string }[]
  log: (level: number, message: string, extra?: object) => void
} {
  const lines: { level: number; msg: string; lib: string }[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)))
      cb()
    },
  })
  const entry = pinoLogCreator(pino({ level: 'trace' }, stream))(logLevel.DEBUG)
  return {
    lines,
    log: (level, message, extra = {}) =>
      entry({ namespace: 'test', level, label: '', log: { timestamp: '', logger: 'kafkajs', message, ...extra } }),
  }
}

test('kafkajs attempts it will retry are warnings; failures and other errors stay errors', () => {
  const { lines, log } = capture()
  log(logLevel.ERROR, 'Response InitProducerId(key: 22, version: 1)', { error: 'The coordinator is loading' })
  log(logLevel.ERROR, 'Failed to send messages: CONCURRENT_TRANSACTIONS', { retryCount: 0, retryTime: 5 })
  log(logLevel.ERROR, '[Consumer] Crash: KafkaJSNumberOfRetriesExceeded')
  log(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees')
  log(logLevel.WARN, 'Connection timeout')
  log(logLevel.INFO, 'Consumer has joined the group')
  assert.deepEqual(
    lines.map((l) => [pino.levels.labels[l.level], l.msg.slice(0, 20), l.lib]),
    [
      ['warn', 'Response InitProduce', 'kafkajs'],
      ['warn', 'Failed to send messa', 'kafkajs'],
      ['error', '[Consumer] Crash: Ka', 'kafkajs'],
      ['debug', 'Limiting retries for', 'kafkajs'],
      ['warn', 'Connection timeout', 'kafkajs'],
      ['debug', 'Consumer has joined ', 'kafkajs'],
    ],
  )
})
