// Runs the real fan-out entry point (services/fanout/src/cluster.ts: main.ts in this process, or
// FANOUT_WORKERS workers with this process as their primary; configured by the environment)
// in a child process that also answers CPU, memory and event-loop-delay questions over IPC, and
// shuts the fan-out down gracefully (SIGTERM; writes the --cpu-prof file) if the harness goes away.
import cluster from 'node:cluster'
import { serverOps } from '../lib/server-probe.ts'
import { serve } from '../lib/worker.ts'

// a cluster worker runs this file too: only the primary talks to the harness
if (cluster.isPrimary) serve(serverOps, { exitOnDisconnect: () => process.kill(process.pid, 'SIGTERM') })
await import('../../../services/fanout/src/cluster.ts')
