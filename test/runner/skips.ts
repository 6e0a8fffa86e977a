// Skipped tests. Outside CI a test may skip when a tool it drives is missing (its reason says
// which); under CI only the deliberate skips named here may, and any other skip fails the run,
// so a tool CI failed to provide cannot pass unnoticed.

/** Every deliberate skip's reason, word for word: tests pass these as `skip`, the runner allows exactly these. */
export const deliberate = {
  dockerEngine:
    'deliberate: no Docker engine runs on these machines (nor can they reach Docker Hub); ' +
    'test/ops/image.kafka.test.ts builds and runs the same layout without Docker',
} as const

export interface Skip {
  file: string
  name: string
  /** The reason the test gave, or 'todo: …' for a todo test. */
  reason: string
}

/** CI=true (or 1, yes, any value but false/0/empty) marks a CI run, as most CI systems set it. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? '').trim().toLowerCase()
  return v !== '' && v !== 'false' && v !== '0'
}

const allowed: ReadonlySet<string> = new Set(Object.values(deliberate))

/** The skips that are not deliberate: under CI, each of them fails the run. */
export function undeliberate(skips: readonly Skip[]): Skip[] {
  return skips.filter((s) => !allowed.has(s.reason))
}

export function describeSkip(s: Skip): string {
  return `${s.file} › ${s.name}: ${s.reason}`
}
