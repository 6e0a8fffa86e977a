// A rollout and a scale-in as the Kubernetes base runs them (red22a attack run, 2026-12-07: held).
// Real processes with the rendered base's environment (production), SIGTERM as the kubelet sends
// it after the preStop sleep, the shared broker. 1: a reader on the old pod saw a story; the surge
// pod is ready; the old pod gets SIGTERM and the story is killed while it drains; the reader,
// closed with 1012, resumes on the surge pod from its last position and is told of the kill. 2: the
// last pod is scaled in, a kill is written while no pod runs, a new pod starts; the reader resumes
// there as soon as its /readyz says 200 (where the Service would send it) and is told of the kill.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { kustomize, kustomizeCommand, pyYaml } from '../../deploy/local/system.ts'
import { article, connect } from '../../services/fanout/test/helpers.ts'
import type { TestClient } from '../../services/fanout/test/helpers.ts'
import { brokers, uniquePrefix } from '../helpers.ts'
import { deployDir, freePort, mountRevocationList, parseYamlText, run, startService, unless } from './helpers.ts'
import type { ServiceProcess } from './helpers.ts'

interface Rendered {
  kind: string
  metadata: { name: string }
  data?: Record<string, string>
  spec?: {
    template: { spec: { containers: { env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { key: string } } }[] }[] } }
  }
}

const key = 'Zq3v9LrT0xW7pK2mN8bY4cH6aJ5sD1fG'
const secrets: Record<string, string> = {
  INGEST_API_KEYS: `cms:${key}:*`,
  NEWSROOM_JWT_SECRET: 'f8Kd02LmQv7Xr1Tz9Wb4Nc6Hy3Js5Pa0',
  FANOUT_POSITION_KEY: 'u4Gt7Rk1Ze9Wq2Lp6Xm0Vb3Nh8Jc5Sd1',
}

function baseEnv(service: 'ingest' | 'fanout'): Record<string, string> {
  const [cmd, ...args] = kustomizeCommand() ?? ['kubectl', 'kustomize']
  const r = run(cmd as string, [...args, join(deployDir, 'k8s', 'base')])
  assert.equal(r.status, 0, r.stderr)
  const objects = parseYamlText(r.stdout) as Rendered[]
  const c = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `newswire-${service}`)?.spec?.template.spec.containers[0]
  assert.ok(c)
  const env: Record<string, string> = { ...objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'newswire-config')?.data }
  for (const e of c.env) env[e.name] = e.value ?? secrets[e.valueFrom?.secretKeyRef?.key ?? ''] ?? ''
  assert.equal(env.NODE_ENV, 'production')
  mountRevocationList(objects, env)
  return env
}

type Msg = Record<string, unknown> & { event?: { type: string; article: { id: string } } }
const toldOfKill = (id: string) => (ms: Msg[]) =>
  ms.some(
    (m) =>
      (m.type === 'withdrawn' && m.articleId === id) || (m.type === 'event' && m.event?.type === 'WITHDRAWN' && m.event.article.id === id),
  )
const lastPosition = (c: TestClient) => [...(c.messages as Msg[])].reverse().find((m) => typeof m.position === 'string')?.position as string

test('a reader hears of a kill written while its pod drains in a rollout, and while no pod ran (red22a)', {
  skip: unless(pyYaml, kustomize),
}, async (t) => {
  const prefix = uniquePrefix()
  const here = {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_REPLICATION_FACTOR: '1',
    KAFKA_PARTITIONS: '3',
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  }
  const started: ServiceProcess[] = []
  t.after(async () => {
    for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
  })
  const start = async (service: 'ingest' | 'fanout') => {
    const V = service.toUpperCase()
    const [port, metrics] = [await freePort(), await freePort()]
    const env = {
      ...baseEnv(service),
      ...here,
      [`${V}_HOST`]: '127.0.0.1',
      [`${V}_PORT`]: String(port),
      [`${V}_METRICS_PORT`]: String(metrics),
    }
    const p = await startService(service, env, port)
    started.push(p)
    return { ...p, ws: `ws://127.0.0.1:${port}/v1/stream` }
  }
  const post = async (url: string, path: string, body: unknown) => {
    const r = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    assert.ok(r.status === 200 || r.status === 201, `${path}: ${r.status} ${await r.text()}`)
  }

  const ingest = await start('ingest')
  const old = await start('fanout')
  const r1 = await connect(t, old.ws)
  r1.send({ type: 'subscribe', id: 's', channels: ['category:national'] })
  await r1.next((m) => m.type === 'subscribed')
  await post(ingest.url, '/v1/articles', article('red22a-ro-1'))
  await post(ingest.url, '/v1/articles', article('red22a-ro-2'))
  await r1.until((ms) => ms.filter((m) => m.type === 'event').length >= 2)

  // 1. the rollout: the surge pod is ready, the old one is told to stop, the kill lands while it drains
  const surge = await start('fanout')
  old.child.kill('SIGTERM')
  await post(ingest.url, '/v1/articles/red22a-ro-1/withdraw', { reason: 'legal' })
  assert.deepEqual(await r1.closed, { code: 1012, reason: 'service restart' })
  const r2 = await connect(t, surge.ws)
  r2.send({ type: 'subscribe', id: 's', channels: ['category:national'], since: lastPosition(r1) })
  await r2.until(toldOfKill('red22a-ro-1'), 20_000)
  assert.equal((await old.exited).code, 0, old.stderr())

  // 2. the last pod scaled in; the kill written while none runs; the reader resumes on the next as soon as it is ready
  surge.child.kill('SIGTERM')
  await r2.closed
  assert.equal((await surge.exited).code, 0, surge.stderr())
  await post(ingest.url, '/v1/articles/red22a-ro-2/withdraw', { reason: 'legal' })
  const next = await start('fanout')
  const r3 = await connect(t, next.ws)
  r3.send({ type: 'subscribe', id: 's', channels: ['category:national'], since: lastPosition(r2) })
  await r3.until(toldOfKill('red22a-ro-2'), 20_000)
  assert.ok(!(r3.messages as Msg[]).some((m) => m.type === 'reset'), 'resumed, not reset')

  for (const p of [next, ingest]) p.child.kill('SIGTERM')
  for (const p of [next, ingest]) assert.equal((await p.exited).code, 0, p.stderr())
})
