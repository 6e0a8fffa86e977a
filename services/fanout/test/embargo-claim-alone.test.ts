// A newsroom token whose only audience claim is `"embargo": false` holds its holder to embargoes
// as the public is held (clearance `released`), whatever desks and languages it leaves open.
// Mutation campaign 2026-12-05, mutant A2 (such a token read as unrestricted when it names no
// desks) survived every fan-out unit test outside the model tests. Under it the holder's
// clearance is `all`: it sees embargoed stories.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { scopeFromClaims } from '../src/audience.ts'
import { clearanceOf } from '../src/visibility.ts'

test('a token with "embargo": false and no desks or languages is held to embargoes', () => {
  for (const claims of [{ embargo: false }, { embargo: false, languages: ['en'] }, { embargo: false, desks: ['world'] }]) {
    const scope = scopeFromClaims(claims)
    assert.equal(scope.embargo, false, JSON.stringify(claims))
    assert.equal(clearanceOf('newsroom', scope), 'released', JSON.stringify(claims))
  }
  assert.equal(clearanceOf('newsroom', scopeFromClaims({})), 'all')
})
