// The one time zone a dashboard shows every time in: the desk's (FANOUT_DESK_TIME_ZONE, handed to
// the page in a meta tag), unless this browser chose another in the header; the browser's own when
// the desk has none. The choice is kept in localStorage.
import { h } from './dom.ts'
import { isTimeZone, zoneLabel } from './format.ts'

const KEY = 'newswire.timeZone'

export interface DeskZone {
  /** The zone every time is shown in. */
  readonly zone: string
  /** Adds zones worth offering (those the articles name). */
  offer(zones: Iterable<string>, now: number): void
}

export function deskZone(select: HTMLSelectElement, onChange: () => void): DeskZone {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="newswire-desk-time-zone"]')?.content ?? ''
  const desk = meta && isTimeZone(meta) ? meta : null
  const browser = Intl.DateTimeFormat().resolvedOptions().timeZone
  const stored = localStorage.getItem(KEY)
  let zone = stored && isTimeZone(stored) ? stored : (desk ?? browser)
  const offered = new Set<string>()
  const note = (z: string) => (z === desk ? ' — desk' : z === browser ? ' — this computer' : '')

  const fill = (now: number) => {
    const zones = [...offered].sort((a, b) => (a === desk ? -1 : b === desk ? 1 : a.localeCompare(b)))
    select.replaceChildren(...zones.map((z) => h('option', { value: z }, `${zoneLabel(z, now)}${note(z)}`)))
    select.value = zone
  }
  const offer = (zones: Iterable<string>, now: number) => {
    const before = offered.size
    for (const z of zones) if (isTimeZone(z)) offered.add(z)
    if (offered.size !== before) fill(now)
  }
  select.addEventListener('change', () => {
    zone = select.value
    if (zone === (desk ?? browser)) localStorage.removeItem(KEY)
    else localStorage.setItem(KEY, zone)
    onChange()
  })
  offer([zone, ...(desk ? [desk] : []), browser, 'UTC'], Date.now())
  return {
    get zone() {
      return zone
    },
    offer,
  }
}
