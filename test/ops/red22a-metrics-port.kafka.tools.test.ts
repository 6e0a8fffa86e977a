// /metrics where readers are (red22a attack run, 2026-12-07). Both services served /metrics on the
// port their Service exposes, the one an ingress, a load balancer or a CDN routes to readers and
// CMSes (an ingress for `/` takes it along): the fan-out's newswire_fanout_embargoed_held moved
// 0 -> 1 the moment an embargoed story was read, and back when it was released or killed, for any
// anonymous GET; history_events moved for every withheld write. The services are started here as
// the rendered base starts them (production, its ConfigMap and env), an embargoed story is written,
// and the service port must not answer /metrics while the metrics port does.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { kustomize, kustomizeCommand, pyYaml } from '../../deploy/local/system.ts'
import { brokers, uniquePrefix } from '../helpers.ts'
import { deployDir, freePort, mountRevocationList, parseYamlText, run, startService, unless } from './helpers.ts'
import type { ServiceProcess } from './helpers.ts'

interface EnvVar {
  name: string
  value?: string
  valueFrom?: { secretKeyRef?: { key: string } }
}
interface Rendered {
  kind: string
  metadata: { name: string; annotations?: Record<string, string> }
  data?: Record<string, string>
  spec?: {
    ports?: { targetPort: string | number }[]
    template: {
      metadata: { annotations: Record<string, string> }
      spec: { containers: { env: EnvVar[]; ports: { name: string; containerPort: number }[] }[] }
    }
  }
}

// What the Secret holds in a real deployment (stand-ins production accepts)
const secrets: Record<string, string> = {
  INGEST_API_KEYS: 'cms:Zq3v9LrT0xW7pK2mN8bY4cH6aJ5sD1fG:*',
  NEWSROOM_JWT_SECRET: 'f8Kd02LmQv7Xr1Tz9Wb4Nc6Hy3Js5Pa0',
  FANOUT_POSITION_KEY: 'u4Gt7Rk1Ze9Wq2Lp6Xm0Vb3Nh8Jc5Sd1',
}

function render(): Rendered[] {
  const [cmd, ...args] = kustomizeCommand() ?? ['kubectl', 'kustomize']
  const r = run(cmd as string, [...args, join(deployDir, 'k8s', 'base')])
  assert.equal(r.status, 0, r.stderr)
  return parseYamlText(r.stdout) as Rendered[]
}

/** The container's environment as the base gives it, then this machine's broker, topics and ports. */
function envOf(objects: Rendered[], service: 'ingest' | 'fanout', prefix: string, port: number, metricsPort: number) {
  const dep = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `newswire-${service}`)
  const c = dep?.spec?.template.spec.containers[0]
  assert.ok(dep?.spec && c)
  const env: Record<string, string> = { ...objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'newswire-config')?.data }
  for (const e of c.env) env[e.name] = e.value ?? secrets[e.valueFrom?.secretKeyRef?.key ?? ''] ?? ''
  assert.equal(env.NODE_ENV, 'production')
  mountRevocationList(objects, env)
  const V = service.toUpperCase()
  // the base's metrics port: the one Prometheus is told to scrape, and one no Service routes to
  const metrics = c.ports.find((p) => p.name === 'metrics')
  assert.ok(metrics, 'a metrics port')
  assert.equal(dep.spec.template.metadata.annotations['prometheus.io/port'], String(metrics.containerPort))
  assert.equal(env[`${V}_METRICS_PORT`], String(metrics.containerPort))
  const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === `newswire-${service}`)
  for (const p of svc?.spec?.ports ?? [])
    assert.ok(p.targetPort !== 'metrics' && p.targetPort !== metrics.containerPort, 'the Service routes no metrics')
  return {
    ...env,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_REPLICATION_FACTOR: '1',
    KAFKA_PARTITIONS: '3',
    KAFKA_TOPIC_PREFIX: prefix,
    [`${V}_HOST`]: '127.0.0.1',
    [`${V}_PORT`]: String(port),
    [`${V}_METRICS_PORT`]: String(metricsPort),
  }
}

async function metricsOf(url: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`${url}/metrics`)
  return { status: r.status, text: await r.text() }
}

test('an embargoed story moves no metric a reader can fetch from the service ports of the base (red22a)', {
  skip: unless(pyYaml, kustomize),
}, async (t) => {
  const objects = render()
  const prefix = uniquePrefix()
  const [ip, im, fp, fm] = [await freePort(), await freePort(), await freePort(), await freePort()]
  const started: ServiceProcess[] = []
  t.after(async () => {
    for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM')
    await Promise.all(started.map((p) => p.exited))
  })
  const ingest = await startService('ingest', envOf(objects, 'ingest', prefix, ip, im), ip)
  started.push(ingest)
  const fanout = await startService('fanout', envOf(objects, 'fanout', prefix, fp, fm), fp)
  started.push(fanout)

  const key = (secrets.INGEST_API_KEYS as string).split(':')[1]
  const r = await fetch(`${ingest.url}/v1/articles`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 'red22a-metrics-embargoed',
      language: 'en',
      headline: 'Held until tomorrow',
      body: ['Not yet.'],
      category: 'national',
      urgency: 3,
      embargoedUntil: new Date(Date.now() + 3_600_000).toISOString(),
    }),
  })
  assert.equal(r.status, 201, await r.text())

  // Prometheus, on the metrics port, sees the held story (so the check below can fail)
  const held = /^newswire_fanout_embargoed_held\{[^}]*\} 1$/m
  const deadline = Date.now() + 15_000
  let scraped = await metricsOf(`http://127.0.0.1:${fm}`)
  while (!held.test(scraped.text) && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 200))
    scraped = await metricsOf(`http://127.0.0.1:${fm}`)
  }
  assert.match(scraped.text, held)
  assert.match((await metricsOf(`http://127.0.0.1:${im}`)).text, /^newswire_ingest_events_published_total\{[^}]*type="CREATED"[^}]*\} 1$/m)

  // A reader on the service ports (where the Service, an ingress or a CDN sends it) gets none of it
  for (const url of [fanout.url, ingest.url]) {
    const m = await metricsOf(url)
    assert.equal(m.status, 404, `${url}/metrics answered ${m.status}`)
    assert.doesNotMatch(m.text, /newswire_|process_|nodejs_/)
  }
  // the probes stay on the service port (the base's probes name it)
  assert.equal((await fetch(`${fanout.url}/readyz`)).status, 200)
  assert.equal((await fetch(`${ingest.url}/readyz`)).status, 200)
  // and the metrics port serves the ops routes only
  assert.equal((await fetch(`http://127.0.0.1:${fm}/v1/snapshot`)).status, 404)
})
