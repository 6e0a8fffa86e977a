// Runs the real ingest entry point (services/ingest/src/main.ts, configured by the environment)
// in a child process that answers CPU/memory questions over IPC and shuts ingest down gracefully
// (SIGTERM -> drain -> exit, which also writes the --cpu-prof file) if the harness goes away.
import { serve } from '../lib/worker.ts'

serve(
  {
    cpu: () => process.cpuUsage(),
    memory: () => process.memoryUsage(),
  },
  { exitOnDisconnect: () => process.kill(process.pid, 'SIGTERM') },
)
await import('../../../services/ingest/src/main.ts')
