// red21d attack run (2026-12-06): a newsroom token narrowed by its claims (desks, languages,
// `embargo: false`) showed its part of the newsroom as the whole: the same desk, "embargoed (0)"
// and counts "over everything the server holds", with nothing saying that stories of other desks
// or languages, or under embargo, were simply out of this token's sight. An editor checking on
// such a desk whether anything of a story is under embargo or running read "nothing". No broker:
// a fake fan-out (test/browser/fake-desk-fanout.ts) and the real dashboard bundle.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { signNewsroomToken } from '../../services/fanout/src/index.ts'
import { scopeOf, scopeText } from '../../services/fanout/web/token-scope.ts'
import { DEV_NEWSROOM_SECRET } from '@newswire/shared'
import { deskStory, fakeDeskFanout } from './fake-desk-fanout.ts'
import { launch, openDashboard, openPage } from './helpers.ts'

const sign = (o: { desks?: string[]; languages?: string[]; embargo?: boolean }) =>
  signNewsroomToken(DEV_NEWSROOM_SECRET, { ttlSeconds: 600, sub: 'desk', ...o })

test("a narrowed token's desk says which part of the newsroom it shows; a whole one says nothing (red21d)", async (t) => {
  const site = await fakeDeskFanout(t, { desk: [deskStory('a', Date.now() - 60_000, { language: 'bn' })] })
  const browser = await launch(t)
  const { page } = await openPage(browser, 1000, 900)
  const note = () =>
    page.evaluate(() => (document.getElementById('scope')?.hidden ? '' : (document.getElementById('scope')?.textContent ?? '')))
  await openDashboard(page, site.url, await sign({ desks: ['national'], languages: ['bn'], embargo: false }))
  await page.waitForSelector('li[data-article-id="a"]', { timeout: 15_000 })
  const narrowed = await note()
  assert.match(narrowed, /only part of the newsroom/, `nothing says the desk is partial: "${narrowed}"`)
  assert.match(narrowed, /desks national/)
  assert.match(narrowed, /languages bn/)
  assert.match(narrowed, /no story under embargo/)
  // "Forget token", then a token of the whole newsroom: no note left over
  await page.click('#signout')
  await openDashboard(page, site.url, await sign({}))
  await page.waitForSelector('li[data-article-id="a"]', { timeout: 15_000 })
  assert.equal(await note(), '')
})

test("the scope note reads the token's claims only, and says nothing of a token it cannot read (red21d)", async () => {
  assert.equal(scopeOf('not-a-jwt'), null)
  assert.equal(scopeOf('a.%%%.c'), null)
  assert.equal(scopeOf(await sign({})), null)
  assert.deepEqual(scopeOf(await sign({ embargo: false })), { desks: null, languages: null, embargo: false })
  assert.deepEqual(scopeOf(await sign({ desks: ['sports', 'national'] })), {
    desks: ['sports', 'national'],
    languages: null,
    embargo: true,
  })
  assert.equal(scopeText(null), '')
  assert.equal(
    scopeText({ desks: [], languages: ['bn'], embargo: true }),
    'This token sees only part of the newsroom: desks (none) · languages bn. Stories, states and counts here are of that part alone.',
  )
})
