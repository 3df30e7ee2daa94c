// Attacks on the admin pages' file server (issue 18): paths out of the built directory, the
// headers every answer must carry (the 503 of an unbuilt tree too), conditional requests.
import test from 'ava'
import Fastify from 'fastify'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pageRoutes } from './pages.js'

const PAGES = [{ path: '/', title: 'x: <dashboard>', script: 'dashboard' }]

/** An app serving `files` (name → text) as the built pages; a secret file beside them. */
function serve(t: import('ava').ExecutionContext, files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'pages-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const dir = join(root, 'ui')
  mkdirSync(dir)
  writeFileSync(join(root, 'secret.js'), 'the secret')
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const app = Fastify()
  pageRoutes(app, PAGES, dir)
  t.teardown(() => app.close())
  return app
}

const BUILT = {
  'dashboard.js': 'console.log(1)',
  'style.css': 'body{}',
  'notes.txt': 'no',
  'namespaces.js': "another program's page",
}

test('only the built .js and .css files are served: no path leaves the directory', async (t) => {
  const app = serve(t, BUILT)
  t.is((await app.inject('/ui/dashboard.js')).body, 'console.log(1)')
  for (const url of [
    '/ui/../secret.js',
    '/ui/%2e%2e/secret.js',
    '/ui/..%2fsecret.js',
    '/ui/..%5csecret.js',
    '/ui/notes.txt',
    '/ui/namespaces.js',
    '/ui/',
    '/ui/dashboard.js/',
    '/ui//dashboard.js',
  ]) {
    const res = await app.inject(url)
    t.not(res.statusCode, 200, url)
    t.false(res.body.includes('the secret'), url)
  }
})

test('every page and file carries the security headers, the 503 of unbuilt pages too', async (t) => {
  const built = serve(t, BUILT)
  const unbuilt = serve(t, {})
  const answers = [
    ['page', await built.inject('/')],
    ['script', await built.inject('/ui/dashboard.js')],
    ['style', await built.inject('/ui/style.css')],
    ['unbuilt page (503)', await unbuilt.inject('/')],
  ] as const
  t.is(answers[3][1].statusCode, 503)
  for (const [what, res] of answers) {
    t.regex(String(res.headers['content-security-policy']), /default-src 'none'/, what)
    t.is(res.headers['x-content-type-options'], 'nosniff', what)
    t.regex(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, what)
  }
  t.regex((await built.inject('/')).body, /<title>x: dashboard<\/title>/, 'the title as text')
})

test('If-None-Match: the current ETag is 304, also in a list or as a weak validator', async (t) => {
  const app = serve(t, BUILT)
  const first = await app.inject('/ui/dashboard.js')
  const etag = String(first.headers.etag)
  t.regex(etag, /^"[\w-]+"$/)
  const again = (value: string) =>
    app.inject({ url: '/ui/dashboard.js', headers: { 'if-none-match': value } })
  t.is((await again(etag)).statusCode, 304)
  t.is((await again('"other"')).statusCode, 200)
  // RFC 9110 13.1.2: a list of entity tags, compared weakly; `*` matches any current one.
  t.is((await again(`"other", ${etag}`)).statusCode, 304, 'in a list')
  t.is((await again(`W/${etag}`)).statusCode, 304, 'weak')
  t.is((await again('*')).statusCode, 304, 'any')
})

test('pages not built: the page says so and how to build them', async (t) => {
  const unbuilt = serve(t, {})
  const page = await unbuilt.inject('/')
  t.is(page.statusCode, 503)
  t.regex(page.body, /not built.*npm run build/)
})
