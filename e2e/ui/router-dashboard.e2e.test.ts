// The router admin's dashboard in a real browser (Debian chromium), against the real router
// process: a page of services at a time among 1,000, a filter, and markup in names shown as text.
// (Its figures against /admin/metrics.json under load: e2e/measured/dashboard-rates.)
import test from 'ava'
import { openPage } from '../../testing/browser.js'
import { backend, client, send, startRouter, tempDir } from '../../testing/router/process.js'

/** A router over one backend whose every name routes there (`/svc/<any>`), labelled `label`. */
async function anyNameRouter(t: import('ava').ExecutionContext, label: string) {
  const b = await backend(t, 'b')
  const dir = tempDir(t)
  return startRouter(t, dir, {
    routers: [{ protocol: 'http', label, dtab: `/svc => /$/inet/127.0.0.1/${b.port}` }],
  })
}

test('1,000 services: a page of them at a time, a filter that finds one at once, the next page', async (t) => {
  t.timeout(120_000)
  const router = await anyNameRouter(t, 'edge')
  const agent = client(t)
  for (let i = 0; i < 1000; i++) {
    const r = await send(agent, router.port, '/', { host: `s${String(i).padStart(4, '0')}` })
    if (r.status !== 200) return t.fail(`request ${i}: ${r.status}`)
  }
  const page = await openPage(t, `http://127.0.0.1:${router.adminPort}/`)
  const rows = page.locator('.services tbody tr')
  await page.locator('.services .pager').getByText('1–25 of 1,000').waitFor()
  t.is(await rows.count(), 25)
  t.is(await rows.first().locator('a').textContent(), '/svc/s0000')
  await page.locator('.services .pager').getByRole('button', { name: 'next ›' }).click()
  await page.locator('.services .pager').getByText('26–50 of 1,000').waitFor()
  t.is(await rows.first().locator('a').textContent(), '/svc/s0025')
  const typed = performance.now()
  await page.locator('#filter').fill('s0777')
  await page
    .locator('.services .pager')
    .getByText('1–1 of 1 (1,000 in all)')
    .waitFor({ timeout: 5000 })
  // A loose bound that catches a frozen page, not a timing to tune.
  t.true(performance.now() - typed < 5000)
  t.deepEqual(await rows.locator('a').allTextContents(), ['/svc/s0777'])
  page.clean(t)
})

test('markup in a router label and a service name shows as text: nothing runs', async (t) => {
  const markup = '<img src=x onerror=alert(1)>'
  const router = await anyNameRouter(t, markup)
  t.is((await send(client(t), router.port, '/', { host: markup })).status, 200)
  const page = await openPage(t, `http://127.0.0.1:${router.adminPort}/`)
  await page.locator('.services tbody tr').first().waitFor()
  t.is(await page.locator('section.router h2 code').textContent(), markup)
  // The name, as every router names it, escapes what a path cannot show.
  t.is(
    await page.locator('.services tbody a').textContent(),
    `/svc/${[...markup].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join('')}`,
  )
  await page.locator('#config').click()
  t.regex((await page.locator('#config pre').textContent()) ?? '', /<img src=x onerror=alert\(1\)>/)
  t.is(await page.locator('img').count(), 0)
  const playground = await openPage(t, `http://127.0.0.1:${router.adminPort}/delegator`)
  await playground.locator('#router option').first().waitFor({ state: 'attached' })
  t.is(await playground.locator('#router option').first().textContent(), markup)
  t.is(await playground.locator('img').count(), 0)
  page.clean(t)
  playground.clean(t)
})
