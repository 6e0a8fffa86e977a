// The Kafka brokers a command uses: KAFKA_BROKERS when it is set (an existing cluster, never
// started or stopped here), otherwise this checkout's local single-node broker, started when it
// is not running. Whoever started it stops it: release() does, and only then.
import { clusterSpec, startCluster, stopCluster } from './broker.ts'
import type { ClusterSpec } from './broker.ts'

export interface BrokerLease {
  brokers: string[]
  /** True when this lease started the local broker (release() stops it). */
  started: boolean
  release(): Promise<void>
}

/** What leaseBroker will do, decided from the environment alone. */
export function brokerSource(env: NodeJS.ProcessEnv): { kind: 'configured'; brokers: string[] } | { kind: 'local' } {
  const configured = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean)
  return configured.length > 0 ? { kind: 'configured', brokers: configured } : { kind: 'local' }
}

export async function leaseBroker(
  env: NodeJS.ProcessEnv = process.env,
  options: { log?: (line: string) => void; spec?: ClusterSpec } = {},
): Promise<BrokerLease> {
  const source = brokerSource(env)
  if (source.kind === 'configured') return { brokers: source.brokers, started: false, release: async () => {} }
  const spec = options.spec ?? clusterSpec(1)
  const r = await startCluster(spec, { log: options.log })
  let released = false
  return {
    brokers: r.brokers,
    started: r.started,
    release: async () => {
      if (!r.started || released) return
      released = true
      await stopCluster(spec)
    },
  }
}
