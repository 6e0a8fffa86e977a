// The system tools behind each test tag, provided before the tests run (installed where this
// machine allows). Under CI a tool that is still missing stops the run; elsewhere the tests that
// need it skip and say why.
import { bengaliFont, chromium, compose, kustomize, promtool, provide, pyYaml } from '../../deploy/local/system.ts'
import type { SystemNeed } from '../../deploy/local/system.ts'
import type { Need } from './files.ts'

const byTag: Record<Need, SystemNeed[]> = {
  // The broker is started (or found) by deploy/local/lease.ts, which checks for Java itself
  kafka: [],
  browser: [chromium, bengaliFont],
  tools: [promtool, pyYaml, kustomize, compose],
}

/** Provides the tools `needs` call for; returns one line per tool still missing (empty when all are there). */
export function provideTools(needs: ReadonlySet<Need>, log: (line: string) => void = console.error): string[] {
  const wanted = [...new Set([...needs].flatMap((n) => byTag[n]))]
  return provide(wanted, log).map((m) => `${m.need.name}: ${m.why}`)
}
