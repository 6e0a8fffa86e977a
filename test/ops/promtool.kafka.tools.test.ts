// Prometheus files and the live /metrics of both services, checked with Debian's promtool, and the
// metrics catalogue in deploy/README.md checked against what the services really export.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { WebSocket } from 'ws'
import { loadFanoutConfig, startFanout } from '@newswire/fanout'
import type { FanoutInstance } from '@newswire/fanout'
import { brokers, http, startTestIngest, testLogger, uniquePrefix } from '../helpers.ts'
import { promtool, pyYaml } from '../../deploy/local/system.ts'
import { deployDir, parseExposition, parseYamlFiles, readCatalogue, run, unless } from './helpers.ts'
import type { Family } from './helpers.ts'

const promDir = join(deployDir, 'prometheus')
const noPromtool = unless(promtool)

test('promtool check config: prometheus.yml and the rule file it loads', { skip: noPromtool }, () => {
  const r = run('promtool', ['check', 'config', 'prometheus.yml'], { cwd: promDir })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  assert.match(r.stdout + r.stderr, /SUCCESS: 1 rule files found/)
})

test('promtool check rules: every rule of the file found', { skip: noPromtool }, () => {
  const written = readFileSync(join(promDir, 'rules', 'newswire.rules.yml'), 'utf8').match(/^\s*- (alert|record): /gm) ?? []
  assert.ok(written.length >= 14, `rules in the file: ${written.length}`)
  const r = run('promtool', ['check', 'rules', 'rules/newswire.rules.yml'], { cwd: promDir })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  assert.match(r.stdout + r.stderr, new RegExp(`SUCCESS: ${written.length} rules found`))
})

test('promtool test rules: every alert fires on synthetic series', { skip: noPromtool }, () => {
  const r = run('promtool', ['test', 'rules', 'rules/newswire.rules.test.yml'], { cwd: promDir })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  assert.match(r.stdout + r.stderr, /SUCCESS/)
})

test('the rule tests expect every alert of the rule file to fire at least once', {
  skip: unless(pyYaml),
}, () => {
  const rulesFile = join(promDir, 'rules', 'newswire.rules.yml')
  const testsFile = join(promDir, 'rules', 'newswire.rules.test.yml')
  const docs = parseYamlFiles([rulesFile, testsFile])
  const rules = docs.get(rulesFile)?.[0] as { groups: { rules: { alert?: string }[] }[] }
  const tests = docs.get(testsFile)?.[0] as { tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[] }
  const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter((a): a is string => typeof a === 'string')
  const firing = new Set(
    tests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => (a.exp_alerts ?? []).length > 0).map((a) => a.alertname)),
  )
  assert.deepEqual(
    alerts.filter((a) => !firing.has(a)),
    [],
    'alerts never made to fire by newswire.rules.test.yml',
  )
})

/** Problems `promtool check metrics` reports, as [metric, problem]; asserts it could parse the input. */
function promtoolLint(text: string): [string, string][] {
  const r = run('promtool', ['check', 'metrics'], { input: text })
  // 0 = clean, 3 = lint problems found (printed one per line); anything else is a parse failure
  assert.ok(r.status === 0 || r.status === 3, `promtool check metrics exited ${r.status}: ${r.stderr}${r.stdout}`)
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim() !== '')
  return lines.map((l) => {
    const i = l.indexOf(' ')
    return [l.slice(0, i), l.slice(i + 1)]
  })
}

function wsClient(t: TestContext, url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers })
  const messages: { type: string; [k: string]: unknown }[] = []
  const waiters: (() => void)[] = []
  ws.on('message', (d) => {
    messages.push(JSON.parse(String(d)) as { type: string })
    for (const w of waiters.splice(0)) w()
  })
  ws.on('error', () => undefined)
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
  t.after(() => ws.terminate())
  const until = async (pred: (m: { type: string; [k: string]: unknown }) => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = messages.find(pred)
      if (found) return found
      if (Date.now() > deadline) throw new Error(`timed out; got ${messages.map((m) => m.type).join(',')}`)
      await Promise.race([new Promise<void>((r) => waiters.push(r)), new Promise((r) => setTimeout(r, 200))])
    }
  }
  return { ws, messages, closed, until }
}

/** Labelled metrics the exercise must give samples to. */
const exercised = {
  ingest: [
    'newswire_ingest_http_requests_total',
    'newswire_ingest_events_published_total',
    'newswire_ingest_validation_failures_total',
    'newswire_ingest_http_request_duration_seconds',
  ],
  fanout: [
    'newswire_fanout_connections',
    'newswire_fanout_connections_rejected_total',
    'newswire_fanout_subscriptions',
    'newswire_fanout_messages_sent_total',
    'newswire_fanout_bytes_sent_total',
    'newswire_fanout_wire_bytes_sent_total',
    'newswire_fanout_delivery_latency_seconds',
    'newswire_fanout_consumer_lag_messages',
    'newswire_fanout_replays_total',
  ],
}

/** The fan-out's /metrics once every exercised family has samples, or as it is after 15 s (the checks then say what is missing). */
async function metricsOnceExercised(url: string): Promise<string> {
  const end = Date.now() + 15_000
  for (;;) {
    const text = await (await fetch(`${url}/metrics`)).text()
    const families = parseExposition(text)
    if (exercised.fanout.every((n) => (families.get(n)?.samples ?? 0) > 0) || Date.now() > end) return text
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Starts ingest and fan-out in-process on one topic prefix and makes every labelled metric appear. */
async function exercisedServices(t: TestContext): Promise<{ ingestText: string; fanoutText: string; ids: string[] }> {
  const prefix = uniquePrefix()
  const ingest = await startTestIngest(t, prefix)
  const fanout: FanoutInstance = await startFanout(
    loadFanoutConfig({
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: '3',
      FANOUT_PORT: '0',
      FANOUT_ALLOWED_ORIGINS: 'http://allowed.example',
    }),
    testLogger('fanout'),
    (err) => {
      throw err
    },
  )
  t.after(() => fanout.close())

  const c = wsClient(t, fanout.wsUrl)
  await once(c.ws, 'open')
  c.ws.send(JSON.stringify({ type: 'subscribe', id: 's1', channels: ['lang:en', 'breaking'] }))
  await c.until((m) => m.type === 'subscribed')
  const sse = await fetch(`${fanout.url}/v1/sse?channels=breaking`, { headers: { origin: 'http://allowed.example' } })
  assert.equal(sse.status, 200)
  // A refused connection (Origin not allowed) for connections_rejected_total{reason}
  const refused = wsClient(t, fanout.wsUrl, { origin: 'http://evil.example' })
  await refused.closed

  const ids = [`ops-metrics-${prefix}a`, `ops-metrics-${prefix}b`]
  const traceId = `trace-${prefix.replace(/\W/g, '')}`
  for (const id of ids) {
    const r = await http(`${ingest.url}/v1/articles`, {
      method: 'POST',
      headers: { 'x-trace-id': traceId },
      json: { id, language: 'en', headline: `Metrics ${id}`, body: ['One paragraph.'], category: 'national', urgency: 3 },
    })
    assert.equal(r.status, 201, r.text)
  }
  // 404 on a concrete id (route label must stay the template), 422 for validation_failed
  assert.equal((await http(`${ingest.url}/v1/articles/${ids[0]}-missing`)).status, 404)
  assert.equal((await http(`${ingest.url}/v1/articles`, { method: 'POST', json: { id: ids[0] } })).status, 422)
  // A resume from the start for replays_total{source}
  const first = await c.until((m) => m.type === 'event' && (m.event as { article: { id: string } }).article.id === ids[0])
  await c.until((m) => m.type === 'event' && (m.event as { article: { id: string } }).article.id === ids[1])
  c.ws.send(JSON.stringify({ type: 'subscribe', id: 's2', channels: ['lang:en', 'breaking'], since: first.position }))
  await c.until((m) => m.type === 'subscribed' && m.id === 's2')
  // Gauges and the latency histogram are refreshed on the hub's tick: wait until they show
  const ingestText = await (await fetch(`${ingest.url}/metrics`)).text()
  const fanoutText = await metricsOnceExercised(fanout.url)
  await sse.body?.cancel()
  return { ingestText, fanoutText, ids: [...ids, traceId] }
}

function checkAgainstCatalogue(service: 'ingest' | 'fanout', families: Map<string, Family>, forbiddenValues: string[]): void {
  const catalogue = readCatalogue()
  const own = `newswire_${service}_`
  for (const f of families.values()) {
    const entry = catalogue.get(f.name)
    assert.ok(entry, `${service} exports ${f.name}, which deploy/README.md does not catalogue`)
    assert.ok(f.name.startsWith(own) || /^(process|nodejs)_/.test(f.name), `${f.name} on ${service} has a foreign prefix`)
    assert.equal(f.type, entry.type, `${f.name}: type ${f.type} live, ${entry.type} in the catalogue`)
    assert.ok(f.help.length > 0, `${f.name} has no HELP`)
    if (f.samples > 0) {
      const live = [...f.labels].filter((l) => l !== 'service').sort()
      if (f.name.startsWith('newswire_')) {
        assert.deepEqual(live, [...entry.labels].sort(), `${f.name}: labels ${live} live, ${entry.labels} in the catalogue`)
      } else {
        for (const l of live) assert.ok(entry.labels.includes(l), `${f.name}: label ${l} not in the catalogue`)
      }
      assert.deepEqual([...(f.values.get('service') ?? [])], [service], `${f.name}: service label`)
    }
    if (f.name.startsWith('newswire_')) {
      // Naming conventions: counters end in _total, nothing else does; units are base units
      assert.equal(f.name.endsWith('_total'), f.type === 'counter', `${f.name}: _total is for counters only`)
      assert.doesNotMatch(f.name, /_(milliseconds|ms|kilobytes|megabytes|minutes|hours)(_|$)/, `${f.name}: use base units`)
      // Bounded cardinality: no label value carries an article id or a trace id
      for (const [label, values] of f.values) {
        for (const v of values) {
          for (const bad of forbiddenValues) assert.ok(!v.includes(bad), `${f.name}{${label}="${v}"} carries a request value`)
        }
      }
    }
  }
  for (const entry of catalogue.values()) {
    if (entry.name.startsWith(own)) assert.ok(families.has(entry.name), `${entry.name} is catalogued but ${service} does not export it`)
  }
}

test('live /metrics of ingest and fan-out: promtool check metrics finds no problem in newswire_ metrics, and they match the catalogue', async (t) => {
  const { ingestText, fanoutText, ids } = await exercisedServices(t)
  const ingest = parseExposition(ingestText)
  const fanout = parseExposition(fanoutText)

  await t.test('catalogue matches ingest', () => checkAgainstCatalogue('ingest', ingest, ids))
  await t.test('catalogue matches fan-out', () => checkAgainstCatalogue('fanout', fanout, ids))
  await t.test('the exercised labelled metrics have samples', () => {
    for (const name of [...exercised.ingest, ...exercised.fanout]) {
      const f = ingest.get(name) ?? fanout.get(name)
      assert.ok(f && f.samples > 0, `${name} has no samples after the exercise`)
    }
    const routes = ingest.get('newswire_ingest_http_requests_total')?.values.get('route') ?? new Set()
    assert.ok(routes.has('/v1/articles/:id'), `route label is the template: ${[...routes]}`)
  })
  await t.test('promtool check metrics', { skip: noPromtool }, () => {
    for (const [service, text] of [
      ['ingest', ingestText],
      ['fanout', fanoutText],
    ] as const) {
      const problems = promtoolLint(text)
      const ours = problems.filter(([m]) => m.startsWith('newswire_'))
      assert.deepEqual(ours, [], `${service}: promtool problems in newswire_ metrics`)
      // Everything else it reports is in prom-client's default metrics (see the README)
      for (const [m, p] of problems) assert.match(m, /^(process|nodejs)_/, `${service}: unexpected promtool problem: ${m} ${p}`)
    }
  })
})
