// npm run kafka -- start|stop|status|logs [--nodes 3] [--fresh] [--lines N]
import { parseArgs } from 'node:util'
import { KAFKA_VERSION, logs, start, status, stop } from './broker.ts'

const usage = 'usage: npm run kafka -- start|stop|status|logs [--nodes 1|3] [--fresh] [--lines N]'

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: 'string', default: '1' },
      fresh: { type: 'boolean', default: false },
      lines: { type: 'string', default: '100' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const command = positionals[0]
  if (values.help || command === undefined) {
    console.log(usage)
    return values.help ? 0 : 2
  }
  if (values.nodes !== '1' && values.nodes !== '3') {
    console.error(`--nodes must be 1 or 3, got ${values.nodes}`)
    return 2
  }
  const nodes = values.nodes === '3' ? 3 : 1
  switch (command) {
    case 'start': {
      const r = await start(nodes, { fresh: values.fresh })
      console.log(`${r.started ? 'started' : 'already running'}: Apache Kafka ${KAFKA_VERSION} at ${r.brokers.join(',')}`)
      return 0
    }
    case 'stop':
      await stop(nodes)
      console.log('stopped')
      return 0
    case 'status': {
      let up = 0
      for (const n of status(nodes)) {
        console.log(`node ${n.id} 127.0.0.1:${n.port} ${n.pid === null ? 'stopped' : `running (pid ${n.pid})`}`)
        if (n.pid !== null) up++
      }
      return up === nodes ? 0 : 1
    }
    case 'logs':
      console.log(logs(nodes, Number(values.lines)))
      return 0
    default:
      console.error(usage)
      return 2
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err))
    process.exitCode = 1
  },
)
