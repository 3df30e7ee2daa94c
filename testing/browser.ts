/**
 * A real browser for the admin pages' tests: Debian's `chromium` (scripts/install-test-deps.sh
 * installs it; `CHROMIUM` names another binary), driven by playwright-core, which downloads
 * nothing. A missing binary fails the test. Each page records what must never happen on an
 * admin page: a script error, a console error, a dialog (`alert` from injected markup), a
 * request refused by the content security policy; `clean(t)` asserts there was none.
 *
 *   const page = await openPage(t, `http://127.0.0.1:${adminPort}/`)
 *   await page.locator('[data-figure="rps"]').first().textContent()
 *   page.clean(t)
 */
import type { ExecutionContext } from 'ava'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

/** The browser binary: `CHROMIUM`, else Debian's. */
export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium'

/** The browser's own line for an answer with an error status (not a script's error). */
const HANDLED_STATUS = /^Failed to load resource: the server responded with a status of [45]\d\d/

/** A page and what went wrong on it. */
export interface TestPage extends Page {
  /** Script errors, console errors, dialogs: each as a line. */
  readonly troubles: string[]
  /** Asserts that nothing went wrong on the page. */
  clean(t: ExecutionContext): void
}

/** Launches the browser for one test (closed at its end). */
export async function launchBrowser(t: ExecutionContext): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: run scripts/install-test-deps.sh (Debian chromium)`)
  }
  // --no-sandbox: the tests may run as root (CI), where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  t.teardown(() => browser.close())
  return browser
}

/** A new page (its own context: no cookies or storage shared) open at `url`. */
export async function openPage(
  t: ExecutionContext,
  url: string,
  browser?: Browser,
): Promise<TestPage> {
  const b = browser ?? (await launchBrowser(t))
  const context = await b.newContext({ viewport: { width: 1280, height: 900 } })
  t.teardown(() => context.close())
  const page = (await context.newPage()) as TestPage
  const troubles: string[] = []
  page.on('pageerror', (e) => troubles.push(`script error: ${e.message}`))
  page.on('console', (m) => {
    // An error status the page handles (a 412 conflict, say) is logged by the browser itself.
    if (m.type() === 'error' && !HANDLED_STATUS.test(m.text())) {
      troubles.push(`console error: ${m.text()}`)
    }
  })
  page.on('dialog', (d) => {
    troubles.push(`dialog: ${d.type()} ${d.message()}`)
    void d.dismiss()
  })
  Object.assign(page, {
    troubles,
    clean: (tt: ExecutionContext) => tt.deepEqual(troubles, [], 'nothing went wrong on the page'),
  })
  const res = await page.goto(url)
  if (res === null || !res.ok()) throw new Error(`${url}: ${res?.status() ?? 'no answer'}`)
  return page
}

/**
 * With `SCREENSHOTS` set (a directory: `npm run screenshots` sets docs/images), saves the whole
 * page as `<name>.png` there: the README's pictures are the browser tests' own view.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env['SCREENSHOTS']
  if (dir === undefined || dir === '') return
  mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true })
}
