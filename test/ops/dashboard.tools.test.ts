// The Grafana dashboard and provisioning, and the metric names used by the dashboard and the alert
// rules: every one must be in the catalogue (deploy/README.md), which promtool.test.ts checks
// against the live /metrics of both services.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promtool, pyYaml } from '../../deploy/local/system.ts'
import { deployDir, firstDoc, metricNamesIn, parseYamlFiles, readCatalogue, run, unless } from './helpers.ts'

const dashboardFile = join(deployDir, 'grafana', 'dashboards', 'newswire.json')
// Grafana's variable reference, as it appears in the JSON
const dsVar = '$' + '{datasource}'

interface Target {
  expr?: string
  refId?: string
  datasource?: { type?: string; uid?: string }
}
interface Panel {
  id: number
  type: string
  title: string
  gridPos: { h: number; w: number; x: number; y: number }
  datasource?: { type?: string; uid?: string }
  targets?: Target[]
  panels?: Panel[]
}
interface Dashboard {
  uid: string
  title: string
  panels: Panel[]
  templating: { list: { name: string; type: string; query?: unknown; definition?: string }[] }
}

function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard
}

function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])])
}

function exprs(d: Dashboard): { panel: string; expr: string }[] {
  const out = allPanels(d).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })))
  for (const v of d.templating.list) if (v.definition) out.push({ panel: `variable ${v.name}`, expr: v.definition })
  return out
}

test('dashboard JSON parses and is well-formed', () => {
  const d = loadDashboard()
  assert.equal(d.uid, 'newswire-overview')
  assert.equal(d.title, 'Newswire')
  const panels = allPanels(d)
  const ids = panels.map((p) => p.id)
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique')
  assert.ok(
    d.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'),
    'a datasource variable, so any Prometheus works',
  )
  for (const p of panels) {
    assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title}: inside the 24-column grid`)
    if (p.type === 'row') continue
    assert.ok((p.targets ?? []).length > 0, `${p.title}: has queries`)
    assert.equal(p.datasource?.uid, dsVar, `${p.title}: uses the datasource variable`)
    for (const t of p.targets ?? []) {
      assert.ok(t.expr && t.expr.trim() !== '', `${p.title}: query ${t.refId} has an expression`)
      assert.equal(t.datasource?.uid, dsVar, `${p.title}: query ${t.refId} uses the datasource variable`)
    }
  }
})

test('every metric in the dashboard and the alert rules is in the catalogue', () => {
  const catalogue = readCatalogue()
  const known = new Set(catalogue.keys())
  const d = loadDashboard()
  const used = new Set<string>()
  for (const { panel, expr } of exprs(d)) {
    const names = metricNamesIn(expr, known)
    for (const n of names) {
      assert.ok(known.has(n), `dashboard panel "${panel}" uses ${n}, which is not in the catalogue`)
      used.add(n)
    }
  }
  const rules = readFileSync(join(deployDir, 'prometheus', 'rules', 'newswire.rules.yml'), 'utf8')
  for (const n of metricNamesIn(rules, known)) assert.ok(known.has(n), `alert rules use ${n}, which is not in the catalogue`)
  // What the dashboard is for: ingest rate and errors, produce latency, connections, delivery
  // rate, end-to-end latency, lag
  for (const n of [
    'newswire_ingest_http_requests_total',
    'newswire_ingest_validation_failures_total',
    'newswire_ingest_produce_duration_seconds',
    'newswire_ingest_kafka_connected',
    'newswire_fanout_connections',
    'newswire_fanout_messages_sent_total',
    'newswire_fanout_delivery_latency_seconds',
    'newswire_fanout_consumer_lag_messages',
  ]) {
    assert.ok(used.has(n), `the dashboard shows ${n}`)
  }
})

test('every dashboard query is valid PromQL (compiled by promtool as recording rules)', {
  skip: unless(promtool),
}, () => {
  const d = loadDashboard()
  const lines = ['groups:', '  - name: dashboard', '    rules:']
  exprs(d).forEach(({ expr }, i) => {
    // Grafana's variables, as Grafana would substitute them
    const promql = expr
      .replaceAll('$__rate_interval', '1m')
      .replaceAll('$instance', '.*')
      // a variable's label_values(selector, label): the selector is the PromQL part
      .replace(/^label_values\((.*), *[a-z_]+\)$/, '$1')
    lines.push(`      - record: dashboard:query_${i}`, `        expr: ${JSON.stringify(promql)}`)
  })
  const dir = mkdtempSync(join(tmpdir(), 'newswire-dashboard-'))
  try {
    writeFileSync(join(dir, 'queries.yml'), `${lines.join('\n')}\n`)
    const r = run('promtool', ['check', 'rules', 'queries.yml'], { cwd: dir })
    assert.equal(r.status, 0, r.stdout + r.stderr)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('Grafana provisioning parses and points where compose mounts the dashboards', {
  skip: unless(pyYaml),
}, () => {
  const dashboards = join(deployDir, 'grafana', 'provisioning', 'dashboards', 'newswire.yml')
  const datasources = join(deployDir, 'grafana', 'provisioning', 'datasources', 'prometheus.yml')
  const compose = join(deployDir, 'docker', 'compose.yml')
  const docs = parseYamlFiles([dashboards, datasources, compose])
  const provider = firstDoc<{ providers: { type: string; options: { path: string } }[] }>(docs, dashboards).providers[0]
  assert.equal(provider?.type, 'file')
  const ds = firstDoc<{ datasources: { type: string; url: string }[] }>(docs, datasources).datasources[0]
  assert.equal(ds?.type, 'prometheus')
  assert.equal(ds?.url, 'http://prometheus:9090')
  const grafana = firstDoc<{ services: Record<string, { volumes: string[] }> }>(docs, compose).services.grafana
  const mounts = (grafana?.volumes ?? []).map((v) => v.split(':'))
  assert.ok(
    mounts.some(([src, dst]) => src === '../grafana/dashboards' && dst === provider?.options.path),
    `compose mounts the dashboards at ${provider?.options.path}`,
  )
  assert.ok(mounts.some(([src, dst]) => src === '../grafana/provisioning' && dst === '/etc/grafana/provisioning'))
})
