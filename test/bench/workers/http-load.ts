// Load generator process: POSTs articles to ingest over loopback HTTP/1.1 keep-alive.
//   single: one article per POST /v1/articles (unique id per request, so every one is CREATED)
//   batch:  NDJSON POST /v1/articles/batch with `batchLines` articles
import http from 'node:http'
import { bodyTemplates } from '../lib/fixture.ts'
import { runLoad } from '../lib/load.ts'
import type { LoadSpec, OpOutcome } from '../lib/load.ts'
import { serve } from '../lib/worker.ts'

export interface HttpLoadSpec extends LoadSpec {
  url: string
  apiKey: string
  kind: 'single' | 'batch'
  batchLines: number
  /** Unique per run: article ids are `${idPrefix}${seq}`. */
  idPrefix: string
}

const templates = bodyTemplates()

function post(agent: http.Agent, url: URL, path: string, body: string, contentType: string, apiKey: string, readBody: boolean) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': contentType,
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${apiKey}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => {
          if (readBody || (res.statusCode ?? 0) >= 400) chunks.push(c)
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      },
    )
    req.setTimeout(30_000, () => req.destroy(new Error('request timeout (30 s)')))
    req.on('error', reject)
    req.end(body)
  })
}

function article(prefix: string, n: number): string {
  const t = templates[n % templates.length] ?? templates[0]
  return `${t?.before}${prefix}${n}${t?.after}`
}

async function run(spec: HttpLoadSpec) {
  const url = new URL(spec.url)
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.rate ? (spec.maxOutstanding ?? 1000) : spec.concurrency })
  let lineSeq = 0
  const result = await runLoad(spec, async (_w, seq): Promise<OpOutcome> => {
    if (spec.kind === 'single') {
      const r = await post(agent, url, '/v1/articles', article(spec.idPrefix, seq), 'application/json', spec.apiKey, false)
      return r.status === 201 || r.status === 200 ? { records: 1 } : { records: 0, error: `HTTP ${r.status} ${r.text.slice(0, 60)}` }
    }
    const lines: string[] = []
    for (let i = 0; i < spec.batchLines; i++) lines.push(article(spec.idPrefix, lineSeq++))
    const r = await post(agent, url, '/v1/articles/batch', `${lines.join('\n')}\n`, 'application/x-ndjson', spec.apiKey, true)
    if (r.status !== 200) return { records: 0, error: `HTTP ${r.status} ${r.text.slice(0, 60)}` }
    const s = (JSON.parse(r.text) as { summary: { created: number; updated: number; unchanged: number; failed: number } }).summary
    const ok = s.created + s.updated + s.unchanged
    return s.failed > 0 ? { records: ok, error: 'batch line failed' } : { records: ok }
  })
  agent.destroy()
  return result
}

serve({ run: (spec: HttpLoadSpec) => run(spec) })
