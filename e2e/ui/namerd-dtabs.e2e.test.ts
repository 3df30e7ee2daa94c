// namerd admin's dtab page in a real browser (Debian chromium), against the real namerd and a
// router following it: an edit checked as it is typed (the error at its character, no save),
// a valid edit saved and routed by, a concurrent edit shown as a conflict with nothing lost.
import test from 'ava'
import { openPage, screenshot, type TestPage } from '../../testing/browser.js'
import { eventually } from '../../testing/eventually.js'
import { startNamerd, tempDir } from '../../testing/namerd/process.js'
import { backend, client, send, startRouter } from '../../testing/router/process.js'

const inet = (port: number) => `/$/inet/127.0.0.1/${port}`

async function setup(t: import('ava').ExecutionContext) {
  const [v1, v2] = [await backend(t, 'v1'), await backend(t, 'v2')]
  const dir = tempDir(t)
  const shop = `/svc/users => ${inet(v1.port)}`
  const namerd = await startNamerd(t, dir, {
    storage: { kind: 'io.l5d.inMemory', namespaces: { shop } },
  })
  const router = await startRouter(t, dir, {
    routers: [
      {
        protocol: 'http',
        interpreter: {
          kind: 'io.l5d.namerd.http',
          experimental: true,
          dst: inet(Number(new URL(namerd.api).port)),
          namespace: 'shop',
        },
      },
    ],
  })
  const page = await openPage(t, `${namerd.admin}/#ns=shop`)
  await page.locator('#editor').waitFor()
  const routedTo = async () =>
    (await send(client(t), router.port, '/', { host: 'users' })).headers['x-backend']
  return { namerd, router, page, v1, v2, routedTo }
}

/** What the API holds for `ns`: its text and version. */
async function stored(api: string, ns: string): Promise<{ text: string; version: string }> {
  const res = await fetch(`${api}/api/1/dtabs/${ns}`, { headers: { accept: 'application/dtab' } })
  return { text: await res.text(), version: res.headers.get('etag') ?? '' }
}

async function saved(page: TestPage): Promise<string> {
  await page
    .locator('#save-status')
    .getByText(/saved|not saved/)
    .waitFor()
  return (await page.locator('#save-status').textContent()) ?? ''
}

test('a syntax error shows at its character and cannot be saved; a valid edit saves, with its diff, and a router routes by it', async (t) => {
  t.timeout(60_000)
  const { namerd, router, page, v1, v2, routedTo } = await setup(t)
  t.is(await routedTo(), 'v1')
  t.deepEqual(await page.locator('#namespaces a').allTextContents(), ['shop'])
  const before = await stored(namerd.api, 'shop')
  t.is(await page.locator('#version').textContent(), before.version)
  const editor = page.locator('#editor')
  // Line 2, column 13: the second '=' of '==>'.
  await editor.fill(`/svc/users => ${inet(v2.port)};\n/svc/other ==> /$/inet/127.0.0.1/1`)
  const problem = page.locator('#problem .problem')
  await problem.waitFor()
  t.is(await problem.getAttribute('data-line'), '2')
  t.is(await problem.getAttribute('data-column'), '13')
  t.is(await problem.locator('.error-at').textContent(), '=')
  t.true(await page.locator('#save').isDisabled())
  await editor.fill(`/svc/users => ${inet(v2.port)}`)
  await problem.waitFor({ state: 'detached' })
  t.deepEqual(await page.locator('#diff div').allTextContents(), [
    `- /svc/users => ${inet(v1.port)}`,
    `+ /svc/users => ${inet(v2.port)}`,
  ])
  await page.locator('#message').fill('users to v2')
  await screenshot(page, 'namerd-dtabs')
  await page.locator('#save').click()
  t.regex(await saved(page), /^saved: now version /)
  const after = await stored(namerd.api, 'shop')
  t.not(after.version, before.version)
  t.is(await page.locator('#version').textContent(), after.version)
  await eventually(
    'the router routes by the saved dtab',
    async () => (await routedTo()) === 'v2',
    10_000,
    100,
  )
  await page.locator('#history li').first().waitFor()
  t.regex((await page.locator('#history li').first().textContent()) ?? '', /users to v2/)
  page.clean(t)
  // The router's pages show what it follows: its namerd streams, open, and namerd's dtab.
  const admin = `http://127.0.0.1:${router.adminPort}`
  const dashboard = await openPage(t, `${admin}/`)
  const dtabStream = dashboard.locator('[data-interpreter] tbody tr', { hasText: 'dtab' })
  await dtabStream.first().waitFor()
  t.is(await dtabStream.first().getAttribute('data-state'), 'open')
  const playground = await openPage(t, `${admin}/delegator`)
  await playground.getByTestId('namerd-dtab').getByText(`${v2.port}`).waitFor()
  t.is(await playground.getByTestId('namerd-version').textContent(), after.version)
  dashboard.clean(t)
  playground.clean(t)
})

test('a concurrent edit is a conflict: nothing is overwritten, their version is shown, the edit is kept', async (t) => {
  const { namerd, page, v1, v2 } = await setup(t)
  const read = await stored(namerd.api, 'shop')
  // Someone else saves after the page read the dtab.
  const theirs = `/svc/users => ${inet(v1.port)};/svc/extra => ${inet(v1.port)}`
  const put = await fetch(`${namerd.api}/api/1/dtabs/shop`, {
    method: 'PUT',
    headers: { 'content-type': 'application/dtab', 'if-match': read.version },
    body: theirs,
  })
  t.is(put.status, 204)
  const mine = `/svc/users => ${inet(v2.port)}`
  await page.locator('#editor').fill(mine)
  await page.locator('#save').click()
  t.regex(await saved(page), /^not saved: the dtab changed since version .+; it is now version /)
  const now = await stored(namerd.api, 'shop')
  t.regex(now.text, /\/svc\/extra/, 'their dtab stays')
  t.regex((await page.locator('#conflict pre').textContent()) ?? '', /\/svc\/extra/)
  t.is(await page.locator('#editor').inputValue(), mine, 'the edit is kept')
  t.is(await page.locator('#version').textContent(), now.version, 'their version is the base now')
  // Saving again, knowingly, replaces theirs.
  await page.locator('#save').click()
  t.regex(await saved(page), /^saved: now version /)
  t.notRegex((await stored(namerd.api, 'shop')).text, /\/svc\/extra/)
  page.clean(t)
})

test('markup typed into the editor is text: nothing runs', async (t) => {
  const { page } = await setup(t)
  const bad = '/svc/x => /<img src=x onerror=alert(1)><script>alert(2)</script>'
  await page.locator('#editor').fill(bad)
  await page.locator('#problem .problem').waitFor()
  t.is(await page.locator('#problem pre').textContent(), bad)
  t.is(await page.locator('img').count(), 0)
  t.is(await page.locator('script:not([src])').count(), 0)
  page.clean(t)
})
