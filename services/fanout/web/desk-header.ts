// The dashboard's header and filter controls: the connection's state in words, and a select's options.
import type { StateChange } from '@newswire/client'
import { h } from './dom.ts'

export function statusText(s: StateChange): string {
  switch (s.state) {
    case 'connecting':
      return 'Connecting…'
    case 'connected':
      return `Connected (${s.transport})`
    case 'reconnecting':
      return `Reconnecting in ${((s.delayMs ?? 0) / 1000).toFixed(1)} s (attempt ${s.attempt ?? 1})${s.reason ? ` — ${s.reason}` : ''}`
    case 'failed':
      return `Disconnected: ${s.reason ?? 'failed'}`
    default:
      return 'Not connected'
  }
}

export function fillSelect(select: HTMLSelectElement, values: string[]): void {
  const have = [...select.options].map((o) => o.value).slice(1)
  if (have.join('\n') === values.join('\n')) return
  const current = select.value
  select.replaceChildren(h('option', { value: '' }, 'all'), ...values.map((v) => h('option', { value: v }, v)))
  select.value = values.includes(current) ? current : ''
}
