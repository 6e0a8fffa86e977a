// The Kafka brokers a command uses: KAFKA_BROKERS when it is set (an existing cluster, never
// started or stopped here), otherwise this checkout's local single-node broker, started when it
// is not running. Whoever started it stops it: release() does, and only then.
import { start, stop } from './broker.ts'

export interface BrokerLease {
  brokers: string[]
  /** True when this lease started the local broker (release() stops it). */
  started: boolean
  release(): Promise<void>
}

/** What leaseBroker will do, decided from the environment alone (for messages and tests). */
export function brokerSource(env: NodeJS.ProcessEnv): { kind: 'configured'; brokers: string[] } | { kind: 'local' } {
  const configured = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean)
  return configured.length > 0 ? { kind: 'configured', brokers: configured } : { kind: 'local' }
}

export async function leaseBroker(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.error): Promise<BrokerLease> {
  const source = brokerSource(env)
  if (source.kind === 'configured') return { brokers: source.brokers, started: false, release: async () => {} }
  const r = await start(1, { log })
  let released = false
  return {
    brokers: r.brokers,
    started: r.started,
    release: async () => {
      if (!r.started || released) return
      released = true
      await stop(1)
    },
  }
}
