/**
 * Attacks on the admin pages in a real browser (issue 18), beyond the pages' own tests:
 * `h()`'s guards (links that leave the server, listeners given as strings), a dtab error at a
 * character outside the BMP, the editor's save racing an edit or a deleted namespace, the
 * refusals a page must say as refusals (409, 401, 403, 400), and markup in a history message.
 */
import test, { type ExecutionContext } from 'ava'
import { buildSync } from 'esbuild'
import { launchBrowser, openPage, type TestPage } from '../../testing/browser.js'
import { startNamerd, tempDir, type NamerdProcess } from '../../testing/namerd/process.js'
import { repoPath } from '../../testing/paths.js'
import { startRouter } from '../../testing/router/process.js'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const DTAB = '/svc => /#/io.l5d.fs'

/** What the page's `dom` global (ui/dom.ts) offers these tests. */
interface DomModule {
  h(tag: string, props: Record<string, string>): { href?: string; outerHTML?: string }
}

/** ui/dom.ts bundled as the global `dom`, loaded into a blank page (no CSP: the guards alone). */
async function domPage(t: ExecutionContext) {
  const built = buildSync({
    entryPoints: [repoPath('ui', 'dom.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'dom',
    write: false,
    logLevel: 'silent',
  })
  const page = await (await (await launchBrowser(t)).newContext()).newPage()
  await page.goto('about:blank')
  await page.addScriptTag({ content: built.outputFiles[0]?.text ?? '' })
  return page
}

test('h(): a link to another site is refused, whatever its spelling', async (t) => {
  const page = await domPage(t)
  const accepted = await page.evaluate(() => {
    const { h } = (globalThis as unknown as { dom: DomModule }).dom
    const out: string[] = []
    const hrefs = [
      '//evil.example/x',
      '/\\evil.example/x',
      '/\t/evil.example/x',
      '/\n/evil.example/x',
    ]
    for (const href of hrefs) {
      try {
        const a = h('a', { href })
        out.push(`${href} → ${a.href}`)
      } catch {
        // refused: as it must be
      }
    }
    return out
  })
  t.deepEqual(accepted, [], 'each of these leaves the server')
})

test('h(): a listener given as a string is refused, whatever the case of its name', async (t) => {
  const page = await domPage(t)
  const made = await page.evaluate(() => {
    const { h } = (globalThis as unknown as { dom: DomModule }).dom
    const out: string[] = []
    for (const name of ['onclick', 'Onclick', 'ONCLICK', 'onClick']) {
      try {
        const el = h('div', { [name]: 'alert(1)' })
        out.push(`${name} → ${el.outerHTML}`)
      } catch {
        // refused
      }
    }
    return out
  })
  t.deepEqual(made, [], 'an inline handler attribute is markup that runs')
})

/** namerd with namespace `shop`; its page open on it; writes need `token` when given. */
async function namerdPage(t: ExecutionContext, token?: string) {
  const dir = tempDir(t)
  const auth =
    token === undefined
      ? {}
      : (writeFileSync(join(dir, 'token'), token),
        { auth: { writes: { tokenFile: join(dir, 'token') } } })
  const namerd = await startNamerd(t, dir, {
    storage: { kind: 'io.l5d.inMemory', namespaces: { shop: DTAB } },
    interfaces: [{ kind: 'io.l5d.httpController', ...auth }],
  })
  const page = await openPage(t, `${namerd.admin}/#ns=shop`)
  await page.locator('#editor').waitFor()
  return { namerd, page }
}

async function apiWrite(n: NamerdProcess, method: string, ns: string, body = '', ifMatch?: string) {
  const res = await fetch(`${n.api}/api/1/dtabs/${ns}`, {
    method,
    headers: {
      'content-type': 'application/dtab',
      ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
    },
    ...(method === 'DELETE' ? {} : { body }),
  })
  return res.status
}

async function versionOf(n: NamerdProcess, ns: string): Promise<string> {
  return (await fetch(`${n.api}/api/1/dtabs/${ns}`)).headers.get('etag') ?? ''
}

test('an error at an emoji marks the whole emoji (editor and playground)', async (t) => {
  const { page } = await namerdPage(t)
  await page.locator('#editor').fill('/svc => /#/io.l5d.fs;\n/svc/😀 => /x')
  const at = page.locator('#problem .error-at')
  await at.waitFor()
  t.is(await at.textContent(), '😀')
  t.is(await page.locator('#problem pre').textContent(), '/svc/😀 => /x')
  t.regex((await page.locator('#problem .problem > div').textContent()) ?? '', /'😀' found/)
  const router = await startRouter(t, tempDir(t), {
    routers: [{ protocol: 'http', label: 'edge' }],
  })
  const playground = await openPage(t, `http://127.0.0.1:${router.adminPort}/delegator`)
  await playground.locator('#dtab').fill('/svc => /😀')
  await playground.locator('#dtab-problem .error-at').waitFor()
  t.is(await playground.locator('#dtab-problem .error-at').textContent(), '😀')
  page.clean(t)
  playground.clean(t)
})

test('Save stays off while a save is in flight: an edit typed meanwhile cannot send a second PUT', async (t) => {
  const { page } = await namerdPage(t)
  const puts: string[] = []
  let release: () => void = () => undefined
  const held = new Promise<void>((r) => (release = r))
  await page.route('**/api/1/dtabs/shop*', async (route) => {
    if (route.request().method() !== 'PUT') return route.continue()
    puts.push(route.request().postData() ?? '')
    await held // the network is slow: the first save is still on its way
    return route.continue()
  })
  await page.locator('#editor').fill('/svc => /#/io.l5d.fs;/svc/a => /#/io.l5d.fs/a')
  await page.locator('#save').click()
  await page.locator('#save-status').getByText('saving…').waitFor()
  await page.locator('#editor').press('End')
  await page.locator('#editor').type('b')
  t.true(await page.locator('#save').isDisabled(), 'Save is off until the first save ends')
  await page
    .locator('#save')
    .click({ force: true, timeout: 2000 })
    .catch(() => undefined)
  release()
  await page
    .locator('#save-status')
    .getByText(/saved|not saved/)
    .waitFor()
  t.is(puts.length, 1, 'one PUT: the second would carry a stale version (a conflict with itself)')
  page.clean(t)
})

test('a conflict whose namespace is then deleted says so; the page is not left saving', async (t) => {
  const { namerd, page } = await namerdPage(t)
  let put = false
  await page.route('**/api/1/dtabs/shop*', async (route) => {
    const method = route.request().method()
    if (method === 'PUT') {
      // Someone else saves first (the page's PUT is a 412), then deletes the namespace.
      await apiWrite(
        namerd,
        'PUT',
        'shop',
        '/svc => /#/io.l5d.fs/other',
        await versionOf(namerd, 'shop'),
      )
      put = true
    } else if (method === 'GET' && put) {
      await apiWrite(namerd, 'DELETE', 'shop')
    }
    return route.continue()
  })
  await page.locator('#editor').fill('/svc => /#/io.l5d.fs/mine')
  await page.locator('#save').click()
  const status = page.locator('#save-status')
  await status.getByText(/not saved/).waitFor({ timeout: 5000 })
  t.regex((await status.textContent()) ?? '', /not found|deleted/)
  t.is(await page.locator('#editor').inputValue(), '/svc => /#/io.l5d.fs/mine', 'the edit is kept')
  page.clean(t)
})

test('refusals shown as such: a namespace deleted meanwhile (404), an existing one created (409), a wrong token (403); history text is text', async (t) => {
  const token = 'ui-token-0f5e2b77'
  const { namerd, page } = await namerdPage(t, token)
  const consoleLines: string[] = []
  page.on('console', (m) => consoleLines.push(m.text()))
  await page.locator('#editor').fill('/svc => /#/io.l5d.fs/v2')
  await page.locator('#save').click()
  const status = page.locator('#save-status')
  t.regex(
    (await status.getByText(/not saved/).textContent()) ?? '',
    /401|token|Unauthorized|authori/i,
  )
  // The token is read when the box loses focus: the page reloads namerd's data with it.
  const useToken = async (value: string) => {
    await page.locator('#token').fill(value)
    await page.locator('#token').blur()
    await page.locator('#save-status:empty').waitFor({ state: 'attached' }) // a new editor
  }
  await useToken('wrong-token-91ac')
  await page.locator('#editor').fill('/svc => /#/io.l5d.fs/v2')
  await page.locator('#save').click()
  await status.getByText(/not saved/).waitFor()
  t.regex((await status.textContent()) ?? '', /403|forbidden|not accepted/i)
  t.notRegex((await status.textContent()) ?? '', /wrong-token-91ac/)
  await useToken(token)
  await page.locator('#new-ns').fill('shop')
  await page.locator('#new-dtab').fill(DTAB)
  await page.getByRole('button', { name: 'Create' }).click()
  await page.getByText(/already exists/).waitFor()
  // Someone deletes the namespace while it is open here: the save says it is gone.
  const gone = await fetch(`${namerd.api}/api/1/dtabs/shop`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  })
  t.is(gone.status, 204)
  await page.locator('#editor').fill('/svc => /#/io.l5d.fs/v4')
  await page.locator('#save').click()
  await status.getByText(/not saved/).waitFor()
  t.regex((await status.textContent()) ?? '', /not found/)
  t.is(await page.locator('#editor').inputValue(), '/svc => /#/io.l5d.fs/v4', 'the edit is kept')
  // Markup in a history message, written by someone with the token.
  const markup = '<img src=x onerror=alert(1)>'
  const res = await fetch(
    `${namerd.api}/api/1/dtabs/shop?${new URLSearchParams({ message: markup })}`,
    {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/dtab' },
      body: '/svc => /#/io.l5d.fs/v3',
    },
  )
  t.is(res.status, 204)
  await page.reload()
  await page.locator('#history em').first().waitFor()
  t.is(await page.locator('#history em').first().textContent(), markup)
  t.is(await page.locator('img').count(), 0)
  t.false(consoleLines.some((l) => l.includes(token) || l.includes('wrong-token-91ac')))
  page.clean(t)
})

test('a filter the admin refuses (over 200 characters) is said as a refusal, not as no answer', async (t) => {
  const router = await startRouter(t, tempDir(t), {
    routers: [{ protocol: 'http', label: 'edge' }],
  })
  const page: TestPage = await openPage(t, `http://127.0.0.1:${router.adminPort}/`)
  await page.locator('section.router').waitFor()
  await page.locator('#filter').fill('x'.repeat(201))
  const status = page.locator('main .toolbar .status')
  await status.getByText(/200 characters/).waitFor()
  t.notRegex((await status.textContent()) ?? '', /did not answer/)
  page.clean(t)
})
