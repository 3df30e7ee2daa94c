// The router admin's dtab playground in a real browser (Debian chromium), against the real
// router: the tree of a weighted name and of an override, an override checked as it is typed,
// and the link a router's 502 carries, which opens the playground filled in.
import test from 'ava'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPage, screenshot } from '../../testing/browser.js'
import { backend, client, send, startRouter, tempDir } from '../../testing/router/process.js'

/** A router whose `/svc/users` splits 3:1 between users-v1 and users-v2 (io.l5d.fs). */
async function setup(t: import('ava').ExecutionContext) {
  const [v1, v2] = [await backend(t, 'v1'), await backend(t, 'v2')]
  const dir = tempDir(t)
  const disco = join(dir, 'disco')
  mkdirSync(disco)
  writeFileSync(join(disco, 'users-v1'), `127.0.0.1 ${v1.port}\n`)
  writeFileSync(join(disco, 'users-v2'), `127.0.0.1 ${v2.port}\n`)
  const dtab =
    '/svc => /#/io.l5d.fs; /svc/users => 3 * /#/io.l5d.fs/users-v1 & 1 * /#/io.l5d.fs/users-v2'
  const router = await startRouter(t, dir, {
    namers: [{ kind: 'io.l5d.fs', rootDir: disco }],
    routers: [{ protocol: 'http', label: 'edge', dtab }],
  })
  return { router, v1, v2, admin: `http://127.0.0.1:${router.adminPort}` }
}

test('a weighted name: the union with its weights, each branch live, ending in its endpoints', async (t) => {
  const { admin, v1, v2 } = await setup(t)
  const page = await openPage(t, `${admin}/delegator?router=edge&path=/svc/users`)
  const tree = page.getByTestId('tree')
  await tree.waitFor()
  t.regex(
    (await page.getByTestId('router-dtab').textContent()) ?? '',
    /3\.00\*\/#\/io\.l5d\.fs\/users-v1/,
  )
  const union = tree.locator('li.node[data-type="union"]')
  t.is(await union.count(), 1)
  t.regex((await union.locator('summary').first().textContent()) ?? '', /\/svc\/users => 3\.00\*/)
  const leaves = tree.locator('li.node.live[data-type="leaf"]')
  t.deepEqual(await leaves.evaluateAll((els) => els.map((e) => e.getAttribute('data-path'))), [
    '/#/io.l5d.fs/users-v1',
    '/#/io.l5d.fs/users-v2',
  ])
  t.deepEqual(await union.locator('.weight').allTextContents(), ['3 × ', '1 × '])
  const endpoints = await tree.locator('code.endpoint').allTextContents()
  t.deepEqual(endpoints, [`127.0.0.1:${v1.port}`, `127.0.0.1:${v2.port}`])
  await screenshot(page, 'playground')
  page.clean(t)
})

test('an override: its dentry wins, the other branches are gone; a bad one is shown at its character, markup as text', async (t) => {
  const { admin, v2 } = await setup(t)
  const page = await openPage(t, `${admin}/delegator?router=edge&path=/svc/users`)
  await page.getByTestId('tree').waitFor()
  await page.locator('#dtab').fill('/svc/users => /#/io.l5d.fs/users-v2')
  await page.getByRole('button', { name: 'Delegate' }).click()
  await page.waitForURL(/dtab=/)
  const leaves = page.locator('[data-testid="tree"] li.node.live[data-type="leaf"]')
  await leaves.first().waitFor()
  t.deepEqual(await leaves.evaluateAll((els) => els.map((e) => e.getAttribute('data-path'))), [
    '/#/io.l5d.fs/users-v2',
  ])
  const live = page.locator('li.node.live[data-type="leaf"] code.endpoint')
  t.deepEqual(await live.allTextContents(), [`127.0.0.1:${v2.port}`])
  // Typed, not sent: the parser in the page points at the '<' (column 15).
  const bad = '/svc/users => <script>alert(1)</script>'
  await page.locator('#dtab').fill(bad)
  const problem = page.locator('#dtab-problem .problem')
  await problem.waitFor()
  t.is(await problem.getAttribute('data-column'), '15')
  t.is(await problem.locator('.error-at').textContent(), '<')
  t.is(await problem.locator('pre').textContent(), bad)
  t.is(await page.locator('script:not([src])').count(), 0, 'no script element made from the text')
  page.clean(t)
})

test("a router's 502 for a name it cannot route links to the playground, filled in", async (t) => {
  const { router, admin } = await setup(t)
  const reply = await send(client(t), router.port, '/', {
    host: 'nosuch',
    'l5d-dtab': '/svc/other => /#/io.l5d.fs/users-v1',
  })
  t.is(reply.status, 502)
  const link = /how \/svc\/nosuch delegates: (\S+)/.exec(reply.body)?.[1]
  t.truthy(link, reply.body)
  t.true(link?.startsWith(`${admin}/delegator?`), link)
  const page = await openPage(t, link as string)
  await page.getByTestId('tree').waitFor()
  t.is(await page.locator('#path').inputValue(), '/svc/nosuch')
  t.is(await page.locator('#dtab').inputValue(), '/svc/other=>/#/io.l5d.fs/users-v1')
  t.is(await page.locator('#router').inputValue(), 'edge')
  t.true((await page.locator('[data-testid="tree"] li.node.live').count()) === 0, 'nothing live')
  t.true((await page.locator('[data-testid="tree"] li.node[data-type="neg"]').count()) > 0, 'a neg')
  page.clean(t)
})
