// red20 attack run's report (2026-12-06): "Forget token" signed out only the tab it was clicked
// in. A duplicated tab (its sessionStorage a copy of the first's) or a second tab signed in on the
// same computer stayed on the desk, embargoed stories included, for whoever sat down next. Now a
// forget in any tab drops every tab's token signed in before it: at once in an open tab, and at the
// next load or back/forward restore of one that missed it; a sign-in after the forget stands.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { launch, openPage, servePages } from './helpers.ts'

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/dashboard`)
  await page.fill('#token-input', 'a-newsroom-token')
  await page.click('#login button[type=submit]')
  await page.waitForSelector('#app:not([hidden])')
}

const token = (page: Page) => page.evaluate(() => sessionStorage.getItem('newswire.newsroomToken'))
const signedIn = (page: Page) => page.locator('#app').isVisible()

test('"Forget token" in one tab signs every tab of the browser out (red20)', async (t) => {
  const url = await servePages(t, 'red20-forget-tabs')
  const browser = await launch(t)
  const { page: first } = await openPage(browser, 1000, 700)
  await signIn(first, url)
  const second = await first.context().newPage()
  await signIn(second, url)
  // a third tab signed in, then away on another page (it misses the event)
  const third = await first.context().newPage()
  await signIn(third, url)
  await third.goto(`${url}/ticker`)

  await first.click('#signout')
  await second.waitForSelector('#login:not([hidden])', { timeout: 5000 })
  assert.equal(await signedIn(second), false)
  assert.equal(await token(second), null, 'the other tab still holds the token')
  assert.match(String(await second.locator('#login').textContent()), /another tab/)
  await second.reload()
  assert.equal(await signedIn(second), false)

  await third.goBack()
  await third.waitForSelector('#login:not([hidden])', { timeout: 5000 })
  assert.equal(await signedIn(third), false, 'the tab away at the forget came back signed in')
  assert.equal(await token(third), null)

  // signing in again after the forget stands, through a reload
  await signIn(second, url)
  await second.reload()
  await second.waitForSelector('#app:not([hidden])')
  assert.equal(await token(second), 'a-newsroom-token')
})
