// Runs the real fan-out entry point (services/fanout/src/main.ts, configured by the environment)
// in a child process that also answers CPU, memory and event-loop-delay questions over IPC, and
// shuts the fan-out down gracefully (SIGTERM; writes the --cpu-prof file) if the harness goes away.
import { serverOps } from '../lib/server-probe.ts'
import { serve } from '../lib/worker.ts'

serve(serverOps, { exitOnDisconnect: () => process.kill(process.pid, 'SIGTERM') })
await import('../../../services/fanout/src/main.ts')
