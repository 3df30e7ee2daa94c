import test from 'ava'
import Fastify from 'fastify'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pageRoutes } from './pages.js'

function built(t: import('ava').ExecutionContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pages-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body)
  return dir
}

const PAGE = { path: '/', title: 'router: <dashboard>', script: 'dashboard' }

test('a page is its shell with its script; files are served once read, with an ETag; every answer has the CSP', async (t) => {
  const dir = built(t, {
    'dashboard.js': 'console.log(1)',
    'style.css': 'body{}',
    'notes.txt': 'x',
  })
  const app = Fastify()
  pageRoutes(app, [PAGE], dir)
  const page = await app.inject({ url: '/' })
  t.is(page.statusCode, 200)
  t.is(page.headers['content-type'], 'text/html; charset=utf-8')
  t.regex(page.body, /<script src="\/ui\/dashboard\.js"><\/script>/)
  t.regex(page.body, /<title>router: dashboard<\/title>/, 'markup left out of the title')
  t.regex(String(page.headers['content-security-policy']), /script-src 'self'/)
  t.regex(String(page.headers['content-security-policy']), /frame-ancestors 'none'/)
  t.is(page.headers['x-content-type-options'], 'nosniff')
  const js = await app.inject({ url: '/ui/dashboard.js' })
  t.is(js.body, 'console.log(1)')
  t.is(js.headers['content-type'], 'text/javascript; charset=utf-8')
  const again = await app.inject({
    url: '/ui/dashboard.js',
    headers: { 'if-none-match': String(js.headers['etag']) },
  })
  t.is(again.statusCode, 304)
  t.is(again.body, '')
  t.is((await app.inject({ url: '/ui/notes.txt' })).statusCode, 404, 'only scripts and styles')
  t.is((await app.inject({ url: '/ui/../pages.test.js' })).statusCode, 404)
  t.is((await app.inject({ url: '/ui/%2e%2e%2fpages.test.js' })).statusCode, 404)
  await app.close()
})

test('pages not built: the page says so (503), the server still starts', async (t) => {
  const app = Fastify()
  pageRoutes(app, [PAGE], join(tmpdir(), 'no-such-dir-for-pages'))
  const page = await app.inject({ url: '/' })
  t.is(page.statusCode, 503)
  t.regex(page.body, /not built.*npm run build/)
  await app.close()
})
