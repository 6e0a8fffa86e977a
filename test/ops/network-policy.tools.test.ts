// Who may reach the pods the kustomize base runs (deploy/k8s/base/network-policy.yaml). The metrics
// ports tell when unpublished work comes and goes (red22a: the embargo counts), so only Prometheus
// may read them; before stop 54 the base shipped no NetworkPolicy and any pod in the cluster could.
// No cluster runs here: the rendered policy is read as Kubernetes reads one (the subset it uses;
// anything else fails the test rather than pass unread) and checked against what it is meant to
// allow, over random peers, pods and ports; and the README's patch for another Prometheus renders.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { MODEL_REPLAY } from '../model-replay.ts'
import { kustomize, kustomizeCommand, pyYaml } from '../../deploy/local/system.ts'
import { deployDir, parseYamlText, run, unless } from './helpers.ts'

type Labels = Record<string, string>
interface Selector {
  matchLabels?: Labels
  matchExpressions?: { key: string; operator: string; values?: string[] }[]
}
interface Peer {
  namespaceSelector?: Selector
  podSelector?: Selector
  ipBlock?: unknown
}
interface Policy {
  kind: 'NetworkPolicy'
  metadata: { name: string }
  spec: {
    podSelector: Selector
    policyTypes: string[]
    ingress?: { ports?: { port: string | number; protocol?: string }[]; from?: Peer[] }[]
  }
}
interface Rendered {
  kind: string
  metadata: { name: string }
  spec: {
    template?: { metadata: { labels: Labels }; spec: { containers: { ports: { name: string; containerPort: number }[] }[] } }
  } & Policy['spec']
}

function render(dir: string): Rendered[] {
  const [cmd, ...args] = kustomizeCommand() ?? ['kubectl', 'kustomize']
  const r = run(cmd as string, [...args, dir])
  assert.equal(r.status, 0, r.stderr)
  return parseYamlText(r.stdout) as Rendered[]
}

function selects(s: Selector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels[k] !== v) return false
  for (const e of s.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key)
    const inValues = has && (e.values ?? []).includes(labels[e.key] as string)
    if (e.operator === 'In' && !inValues) return false
    else if (e.operator === 'NotIn' && inValues) return false
    else if (e.operator === 'Exists' && !has) return false
    else if (e.operator === 'DoesNotExist' && has) return false
    else if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) throw new Error(`operator ${e.operator} not read here`)
  }
  return true
}

interface Pod {
  namespace: string
  labels: Labels
}

/** May `from` open a TCP connection to `to`'s container port `port` (name, number), by these policies? */
function allowed(policies: Policy[], policyNamespace: string, from: Pod, to: Pod, port: { name: string; number: number }): boolean {
  const applying = policies.filter(
    (p) => to.namespace === policyNamespace && p.spec.policyTypes.includes('Ingress') && selects(p.spec.podSelector, to.labels),
  )
  if (applying.length === 0) return true
  return applying.some((p) =>
    (p.spec.ingress ?? []).some((rule) => {
      const portOk =
        !rule.ports?.length || rule.ports.some((q) => (q.protocol ?? 'TCP') === 'TCP' && (q.port === port.name || q.port === port.number))
      const peerOk =
        !rule.from?.length ||
        rule.from.some((peer) => {
          if (peer.ipBlock !== undefined) throw new Error('ipBlock peers are not read here')
          const nsOk = peer.namespaceSelector
            ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': from.namespace })
            : from.namespace === policyNamespace
          return nsOk && (peer.podSelector ? selects(peer.podSelector, from.labels) : true)
        })
      return portOk && peerOk
    }),
  )
}

/** The intent: the service ports are open to all; `metrics` answers only the named Prometheus. */
const meant = (from: Pod, port: string, prometheus: Pod) =>
  port === 'http' ||
  (from.namespace === prometheus.namespace && from.labels['app.kubernetes.io/name'] === prometheus.labels['app.kubernetes.io/name'])

function checkPolicy(objects: Rendered[], prometheus: Pod): void {
  const policies = objects.filter((o): o is Rendered & Policy => o.kind === 'NetworkPolicy')
  assert.ok(policies.length > 0, 'the base ships a NetworkPolicy')
  const deployments = objects.filter((o) => o.kind === 'Deployment')
  assert.equal(deployments.length, 2)
  const here = 'newswire'
  const targets = deployments.flatMap((d) => {
    const tpl = d.spec.template
    assert.ok(tpl)
    const ports = tpl.spec.containers.flatMap((c) => c.ports)
    assert.deepEqual(ports.map((p) => p.name).sort(), ['http', 'metrics'], d.metadata.name)
    return ports.map((p) => ({ pod: { namespace: here, labels: tpl.metadata.labels }, port: { name: p.name, number: p.containerPort } }))
  })
  const names = ['prometheus', 'grafana', 'newswire-fanout', 'newswire-ingest', 'debug-shell']
  const namespaces = [prometheus.namespace, here, 'monitoring', 'tenant-a', 'kube-system']
  fc.assert(
    fc.property(
      fc.constantFrom(...namespaces),
      fc.constantFrom(...names),
      fc.dictionary(fc.constantFrom('app', 'role', 'app.kubernetes.io/component'), fc.constantFrom('prometheus', 'metrics', 'x')),
      fc.constantFrom(...targets),
      (namespace, name, extra, target) => {
        const from = { namespace, labels: { ...extra, 'app.kubernetes.io/name': name } }
        assert.equal(
          allowed(policies, here, from, target.pod, target.port),
          meant(from, target.port.name, prometheus),
          `${JSON.stringify(from)} → ${target.pod.labels['app.kubernetes.io/name']}:${target.port.name}`,
        )
      },
    ),
    { numRuns: 400, ...MODEL_REPLAY },
  )
}

test('the base lets only Prometheus reach the metrics ports, and everyone the service ports', { skip: unless(pyYaml, kustomize) }, () => {
  checkPolicy(render(join(deployDir, 'k8s', 'base')), { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } })
})

test("deploy/README.md's patch for a Prometheus elsewhere, as written, moves the metrics ports to it alone", {
  skip: unless(pyYaml, kustomize),
}, () => {
  const readme = readFileSync(join(deployDir, 'README.md'), 'utf8')
  const recipe = /`(patches: \[\{target: \{kind: NetworkPolicy[^`]+\])`/.exec(readme)?.[1]?.replace(/\s*\n\s*/g, ' ')
  assert.ok(recipe, 'deploy/README.md gives the overlay its patch')
  const dir = mkdtempSync(join(tmpdir(), 'newswire-overlay-'))
  try {
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      `resources: [${JSON.stringify(relative(dir, join(deployDir, 'k8s', 'base')))}]\n${recipe}\n`,
    )
    checkPolicy(render(dir), { namespace: 'observability', labels: { 'app.kubernetes.io/name': 'prometheus' } })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
