// Each service owns one prom-client Registry (never the global one), with the default Node
// process metrics. Metric names follow newswire_<service>_<what>_<unit>.
import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client'

export { Registry, Counter, Gauge, Histogram }

export function createRegistry(service: string): Registry {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  collectDefaultMetrics({ register: registry })
  return registry
}

/** Latency buckets in seconds, from 0.5 ms to 10 s. */
export const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
