// A Deployment the HPA scales must not name its replicas (red22a attack run, 2026-12-07). The
// fan-out's said `replicas: 2` beside its HorizontalPodAutoscaler: every `kubectl apply -k` (each
// rollout of a new image) set it back to 2 at once, wherever the HPA had taken it (up to 10),
// closing the streams of every pod above 2 together with 1012, past the HPA's one-pod-per-5-minutes
// scale-down and the PodDisruptionBudget (which guards evictions, not scaling): a reconnect storm
// that the remaining two met with 1013 and retry hints while their readers waited for kills.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { kustomize, kustomizeCommand, pyYaml } from '../../deploy/local/system.ts'
import { deployDir, parseYamlText, run, unless } from './helpers.ts'

interface Rendered {
  kind: string
  metadata: { name: string }
  spec: { replicas?: number; scaleTargetRef?: { kind: string; name: string }; minReplicas?: number }
}

test('no Deployment that an autoscaler scales names its replica count (red22a)', { skip: unless(pyYaml, kustomize) }, () => {
  const [cmd, ...args] = kustomizeCommand() ?? ['kubectl', 'kustomize']
  const r = run(cmd as string, [...args, join(deployDir, 'k8s', 'base')])
  assert.equal(r.status, 0, r.stderr)
  const objects = parseYamlText(r.stdout) as Rendered[]
  const scaled = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef)
  assert.ok(scaled.length > 0, 'the base has an autoscaler')
  for (const target of scaled) {
    const dep = objects.find((o) => o.kind === target?.kind && o.metadata.name === target?.name)
    assert.ok(dep, `${target?.kind}/${target?.name} is in the base`)
    assert.equal(dep.spec.replicas, undefined, `${dep.metadata.name} names replicas: an apply would undo the autoscaler at once`)
  }
  // the ones no autoscaler scales keep theirs (ingest: 2 for availability)
  const ingest = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'newswire-ingest')
  assert.equal(ingest?.spec.replicas, 2)
})
