// NEWSROOM_REVOKED_FILE: the revocation list (revocations.ts) as a file an operator edits, e.g. a
// Kubernetes ConfigMap mounted as a volume. Read once at start, where a missing or bad file
// refuses the start (a list nobody can read lets everyone in), then polled: a file whose inode,
// size or mtime changed is read again (a ConfigMap update swaps a symlink, which file watchers
// miss). A bad edit keeps the list in force and says why; the next good one replaces it. A read
// that takes a rule out is applied once the file has stayed so for SETTLE_MS: an edit in place
// (an editor, `>`) truncates before it writes, and a poll between read the list empty or cut at a
// line, every token it named let in until the next poll (red23e). Adding rules is never delayed.
import { readFileSync, statSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { Revocations } from './revocations.ts'
import { liftsRules, parseRevocations } from './revocations.ts'

export interface RevocationFileDeps {
  path: string
  pollMs: number
  /** A new list is in force (after the first, read at start). */
  changed(revocations: Revocations): void
  /** The file could not be read or parsed; the list in force stays. */
  failed(err: unknown): void
}

export interface RevocationFile {
  current(): Revocations
  stop(): void
}

const signatureOf = (s: { ino: number; size: number; mtimeMs: number }) => `${s.ino}:${s.size}:${s.mtimeMs}`

/** How long a file that takes rules out must stay unchanged before it is applied. */
export const SETTLE_MS = 1000

/** Throws when the file cannot be read or parsed (RevocationsError names the line). */
export function watchRevocationFile(d: RevocationFileDeps): RevocationFile {
  let seen = signatureOf(statSync(d.path))
  let current = parseRevocations(readFileSync(d.path, 'utf8'))
  let busy = false
  /** A read that lifts rules, waiting to be seen unchanged for SETTLE_MS. */
  let lifting: { signature: string; since: number } | null = null
  const poll = async () => {
    if (busy) return
    busy = true
    try {
      const signature = signatureOf(await stat(d.path))
      if (signature === seen) return
      const text = await readFile(d.path, 'utf8')
      const after = signatureOf(await stat(d.path))
      // changed while read: a write under way, read again at the next poll
      if (after !== signature) return
      let next: Revocations
      try {
        next = parseRevocations(text)
      } catch (err) {
        // a bad edit is told once; a file not there a moment (being replaced) is tried again
        seen = signature
        throw err
      }
      if (liftsRules(current, next)) {
        const now = performance.now()
        if (lifting?.signature !== signature) lifting = { signature, since: now }
        if (now - lifting.since < SETTLE_MS) return
      }
      lifting = null
      seen = signature
      current = next
      d.changed(current)
    } catch (err) {
      d.failed(err)
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => void poll(), d.pollMs)
  timer.unref()
  return {
    current: () => current,
    stop: () => clearInterval(timer),
  }
}
