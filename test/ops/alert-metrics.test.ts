// Every metric an alert rule reads is one the services define (their metrics.ts), with no broker
// and no promtool: a metric renamed in code would leave its alert silent for good, and some alerts
// page on a promise at risk (NewswireFanoutUndecodableEvents: a kill or a hold nobody can read).
// The live check against the catalogue (promtool.kafka.tools.test.ts) needs a broker and promtool.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { Registry } from '@newswire/shared'
import { createFanoutMetrics } from '../../services/fanout/src/metrics.ts'
import { createIngestMetrics } from '../../services/ingest/src/metrics.ts'
import { deployDir } from './helpers.ts'

/** The metric names in the rule file's expressions, histogram and summary series under their family's name. */
function namesInRules(): Set<string> {
  const rules = readFileSync(join(deployDir, 'prometheus', 'rules', 'newswire.rules.yml'), 'utf8')
  const names = new Set<string>()
  for (const line of rules.split('\n').filter((l) => /^\s*expr:/.test(l)))
    for (const [name] of line.matchAll(/\bnewswire_\w+/g)) names.add(name.replace(/_(bucket|sum|count)$/, ''))
  return names
}

test('every metric an alert rule reads is defined by ingest or the fan-out', async () => {
  const registry = new Registry()
  createFanoutMetrics(registry)
  createIngestMetrics(registry)
  const defined = new Set((await registry.getMetricsAsJSON()).map((m) => m.name))
  const read = namesInRules()
  assert.ok(read.has('newswire_fanout_decode_errors_total'), 'the rule file was read')
  for (const name of read) assert.ok(defined.has(name), `an alert reads ${name}, which no service defines`)
})
