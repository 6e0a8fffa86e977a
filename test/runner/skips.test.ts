import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deliberate, describeSkip, isCi, undeliberate } from './skips.ts'

test('CI is on for CI=true, 1 or any other value, off for unset, empty, false and 0', () => {
  for (const v of ['true', '1', 'yes', 'TRUE']) assert.equal(isCi({ CI: v }), true, v)
  for (const v of [undefined, '', 'false', '0', ' False ']) assert.equal(isCi({ CI: v }), false, String(v))
})

test('only the deliberate skips, word for word, are allowed', () => {
  const skips = [
    { file: 'test/ops/docker-image.tools.test.ts', name: 'docker build', reason: deliberate.dockerEngine },
    { file: 'test/ops/manifests.tools.test.ts', name: 'kustomize', reason: 'kustomize (kubectl kustomize) is missing' },
    { file: 'a.test.ts', name: 'later', reason: 'todo: (no reason given)' },
    { file: 'b.test.ts', name: 'almost', reason: `${deliberate.dockerEngine} ` },
  ]
  assert.deepEqual(
    undeliberate(skips).map((s) => s.name),
    ['kustomize', 'later', 'almost'],
  )
  assert.equal(
    describeSkip(skips[1] as (typeof skips)[number]),
    'test/ops/manifests.tools.test.ts › kustomize: kustomize (kubectl kustomize) is missing',
  )
})
