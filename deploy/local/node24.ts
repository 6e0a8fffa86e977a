// `npm run node24 -- SCRIPT.ts [ARGS]`: runs a TypeScript entry point of this repository on
// production's Node (deploy/local/node-runtime.ts; fetched into .cache/node/ the first time),
// the way the npm scripts run it on the machine's Node. Child processes it spawns with
// process.execPath, or `node` from PATH, run on that Node too.
//   npm run node24 -- test/run.ts --unit
import { spawn } from 'node:child_process'
import { dirname } from 'node:path'
import { ensureNode, productionNode } from './node-runtime.ts'
import { repoRoot } from './paths.ts'

const args = process.argv.slice(2)
if (args.length === 0 || args[0] === '--help' || args[0] === '-h') {
  console.log(`usage: npm run node24 -- SCRIPT.ts [ARGS]   (runs it on Node ${productionNode.version})`)
  process.exit(args.length === 0 ? 2 : 0)
}

try {
  const node = ensureNode()
  const child = spawn(node, ['--conditions=development', '--import', 'tsx', ...args], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
  })
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err))
  process.exit(1)
}
