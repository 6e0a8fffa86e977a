// The example Secret applied as is (red22a attack run, 2026-12-07): `kubectl apply -f
// deploy/k8s/examples/secret.example.yaml` with the base gave both services values anyone who
// reads the repository knows, and they started: a newsroom token signed with its
// NEWSROOM_JWT_SECRET read every embargoed story, its ingest key wrote and killed stories. Each
// service is started here as the rendered base starts it (command, ConfigMap, env, the Secret's
// values) and must refuse to, naming the variable.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { kustomize, kustomizeCommand, pyYaml } from '../../deploy/local/system.ts'
import { deployDir, firstDoc, parseYamlFiles, parseYamlText, repoRoot, run, unless } from './helpers.ts'

interface EnvVar {
  name: string
  value?: string
  valueFrom?: { secretKeyRef?: { name: string; key: string } }
}
interface Rendered {
  kind: string
  metadata: { name: string }
  data?: Record<string, string>
  spec?: { template: { spec: { containers: { command: string[]; env: EnvVar[] }[] } } }
}

const secretFile = join(deployDir, 'k8s', 'examples', 'secret.example.yaml')

test('each service started as the base starts it, on the example Secret, refuses to start (red22a)', {
  skip: unless(pyYaml, kustomize),
}, async (t) => {
  const [cmd, ...args] = kustomizeCommand() ?? ['kubectl', 'kustomize']
  const rendered = run(cmd as string, [...args, join(deployDir, 'k8s', 'base')])
  assert.equal(rendered.status, 0, rendered.stderr)
  const objects = parseYamlText(rendered.stdout) as Rendered[]
  const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'newswire-config')?.data ?? {}
  const secret = firstDoc<{ metadata: { name: string }; stringData: Record<string, string> }>(parseYamlFiles([secretFile]), secretFile)
  assert.equal(secret.metadata.name, 'newswire-secrets')

  for (const [service, secretVars] of [
    ['ingest', ['INGEST_API_KEYS']],
    ['fanout', ['NEWSROOM_JWT_SECRET', 'FANOUT_POSITION_KEY']],
  ] as const) {
    await t.test(service, () => {
      const container = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `newswire-${service}`)?.spec?.template.spec
        .containers[0]
      assert.ok(container)
      assert.deepEqual(container.command, ['node', `services/${service}/dist/main.js`])
      const env: Record<string, string> = { ...config }
      for (const e of container.env) {
        const ref = e.valueFrom?.secretKeyRef
        if (ref) assert.equal(ref.name, secret.metadata.name)
        const v = ref ? secret.stringData[ref.key] : e.value
        assert.ok(v !== undefined, `${e.name} has a value`)
        env[e.name] = v
      }
      for (const v of secretVars) assert.ok(env[v], `${v} comes from the example Secret`)
      // Here: the sources (tsx, not dist), loopback, a free port, a broker address nothing listens on
      // (the refusal comes before any connection; a service that took the values would wait on it)
      Object.assign(env, {
        INGEST_HOST: '127.0.0.1',
        FANOUT_HOST: '127.0.0.1',
        INGEST_PORT: '0',
        FANOUT_PORT: '0',
        KAFKA_BROKERS: '127.0.0.1:1',
      })
      const r = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', `services/${service}/src/main.ts`], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
        timeout: 30_000,
        killSignal: 'SIGKILL',
      })
      assert.equal(r.signal, null, `${service} started on the example Secret (killed after 30 s):\n${r.stdout.slice(-2000)}`)
      assert.equal(r.status, 1, r.stderr)
      // each variable named as a placeholder (an ingest key by its entry's place, never its value)
      for (const v of secretVars) assert.match(r.stderr, new RegExp(`${v}( entry \\d+: its key)? is a placeholder`))
      for (const v of secretVars) assert.ok(!r.stderr.includes(env[v] as string), `${v}'s value stays out of the message`)
    })
  }
})
