// After `git clone`, every npm script that runs our TypeScript must work with nothing done by
// hand: tsx and the workspaces come from `npm ci`, so each such script has a pre-hook that
// installs them first (found on a fresh checkout: `npm run kafka -- status` failed on tsx).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { test } from 'node:test'
import { repoRoot } from '../../deploy/local/paths.ts'

const ENSURE = 'sh deploy/local/ensure-deps.sh'

function scripts(): Record<string, string> {
  const pkg: unknown = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8'))
  assert.ok(pkg && typeof pkg === 'object' && 'scripts' in pkg && pkg.scripts && typeof pkg.scripts === 'object')
  return Object.fromEntries(Object.entries(pkg.scripts).map(([k, v]) => [k, String(v)]))
}

/** Scripts whose command needs an installed package (tsx, tsc, biome). */
function needsInstall(command: string): boolean {
  return /--import tsx|\btsc\b|\bbiome\b/.test(command)
}

test('every script that needs node_modules installs it first, or is run only by one that does', () => {
  const all = scripts()
  // test:unit is the fast path after `npm test` or `npm start` installed; typecheck, lint, format
  // and build are developer tools run after that too. Everything a user is told to run first
  // (README: start, test, kafka, bench, node24, newswire) must install on its own.
  const firstRun = ['start', 'test', 'kafka', 'bench', 'node24', 'newswire']
  for (const name of firstRun) {
    assert.ok(all[name], `package.json has no "${name}" script`)
    assert.ok(needsInstall(all[name] ?? ''), `"${name}" no longer needs an install: update this test`)
    assert.equal(all[`pre${name}`], ENSURE, `"${name}" needs node_modules but "pre${name}" does not run ${ENSURE}`)
  }
})
