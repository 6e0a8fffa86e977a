// deploy/local/system.ts's provide(): what it reports as still missing, and why. Only needs
// without Debian packages here, so the test never runs apt-get.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ensureSystem, provide } from '../../deploy/local/system.ts'
import type { SystemNeed } from '../../deploy/local/system.ts'

function need(name: string, install?: (present: { value: boolean }) => void): SystemNeed & { present: { value: boolean } } {
  const present = { value: false }
  return { name, present, packages: [], check: () => present.value, install: install ? () => install(present) : undefined }
}

test('present needs are left alone; an installer that works makes a need present', () => {
  const here = need('here')
  here.present.value = true
  const built = need('built', (p) => {
    p.value = true
  })
  assert.deepEqual(
    provide([here, built], () => {}),
    [],
  )
  assert.equal(built.present.value, true)
})

test('a need that cannot be installed is returned with the reason, and ensureSystem throws it', () => {
  const broken = need('kustomize-like', () => {
    throw new Error('needs kubectl, or Go to build kustomize\nsecond line')
  })
  const none = need('nothing-to-do')
  const missing = provide([broken, none], () => {})
  assert.deepEqual(
    missing.map((m) => [m.need.name, m.why]),
    [
      ['kustomize-like', 'needs kubectl, or Go to build kustomize'],
      ['nothing-to-do', 'nothing here installs it'],
    ],
  )
  assert.throws(() => ensureSystem([broken], () => {}), /kustomize-like missing \(needs kubectl, or Go to build kustomize\)/)
})
