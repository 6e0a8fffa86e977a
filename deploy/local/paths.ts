// Where this checkout keeps what it fetches and writes: everything under the git-ignored .cache/
// (NEWSWIRE_CACHE_DIR moves it, e.g. for a test that must not touch the checkout's own).
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '')

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.NEWSWIRE_CACHE_DIR ?? join(repoRoot, '.cache'))
}
