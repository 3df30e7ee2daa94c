/**
 * Attacks on namerd's API served on its admin port for the dtab page (issue 18), against the
 * real namerd: a web page the operator happens to visit writing through the admin (a cross-site
 * request needs no token when writes are open), an API that only takes clients holding a
 * certificate (`requireClientAuth`) made writable without one, and what must hold through the
 * admin as on the API (guards, body limit, 404, watches, the admin's own routes).
 */
import test from 'ava'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openLines } from '../../testing/line-stream.js'
import { startNamerd, tempDir } from '../../testing/namerd/process.js'
import { makeCa } from '../../testing/tls/pki.js'

const DTAB = '/svc => /#/io.l5d.fs'
const TOKEN = 'pages-token-4c1d9a07'
const WRONG = 'wrong-token-e3b8f6'

/** What a browser sends for a form or a `fetch(…, {mode: 'no-cors'})` of another site. */
const CROSS_SITE = {
  origin: 'http://evil.example',
  'sec-fetch-site': 'cross-site',
  'sec-fetch-mode': 'no-cors',
  'content-type': 'text/plain;charset=UTF-8',
}

test('a cross-site POST (no preflight: a simple request) cannot create a namespace through the admin', async (t) => {
  const n = await startNamerd(t, tempDir(t), {
    storage: { kind: 'io.l5d.inMemory', namespaces: { default: DTAB } },
  })
  const res = await fetch(`${n.admin}/api/1/dtabs/evil`, {
    method: 'POST',
    headers: CROSS_SITE,
    body: '/svc => /$/inet/203.0.113.7/80',
  })
  t.is(res.headers.get('access-control-allow-origin'), null, 'no CORS')
  t.true(res.status === 403, `refused, not ${res.status}`)
  const names = await (await fetch(`${n.api}/api/1/dtabs`)).json()
  t.deepEqual(names, ['default'], 'nothing created')
  // The page's own writes (same origin) still work.
  const own = await fetch(`${n.admin}/api/1/dtabs/mine`, {
    method: 'POST',
    headers: {
      origin: n.admin,
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/dtab',
    },
    body: DTAB,
  })
  t.is(own.status, 204)
})

test('an API that takes only clients with a certificate is not writable without one through the admin', async (t) => {
  const dir = tempDir(t)
  const ca = await makeCa(dir, 'ca')
  const server = await ca.issue('namerd', { dns: ['localhost'], ip: ['127.0.0.1'] })
  const n = await startNamerd(t, dir, {
    storage: { kind: 'io.l5d.inMemory', namespaces: { default: DTAB } },
    interfaces: [
      {
        kind: 'io.l5d.httpController',
        tls: {
          certPath: server.cert,
          keyPath: server.key,
          caCertPath: ca.cert,
          requireClientAuth: true,
        },
      },
    ],
  })
  // The API itself: no certificate, no connection (a TLS alert, or a reset).
  await t.throwsAsync(fetch(`${n.api}/api/1/dtabs`))
  const put = await fetch(`${n.admin}/api/1/dtabs/default`, {
    method: 'PUT',
    headers: { 'content-type': 'application/dtab' },
    body: '/svc => /$/inet/203.0.113.7/80',
  })
  t.not(put.status, 204, 'a write without the certificate the API requires')
  const read = await fetch(`${n.admin}/api/1/dtabs/default`, {
    headers: { accept: 'application/dtab' },
  })
  t.not(read.status, 200, 'a read without the certificate the API requires')
})

test("through the admin as on the API: the token guard, 413, 404, watches; the admin's own routes untouched", async (t) => {
  const dir = tempDir(t)
  const tokenFile = join(dir, 'token')
  writeFileSync(tokenFile, `${TOKEN}\n`)
  writeFileSync(join(dir, 'admin-token'), 'admin-token-9e0c')
  const n = await startNamerd(t, dir, {
    admin: { ip: '0.0.0.0', auth: { control: { tokenFile: join(dir, 'admin-token') } } },
    storage: { kind: 'io.l5d.inMemory', namespaces: { default: DTAB } },
    interfaces: [{ kind: 'io.l5d.httpController', auth: { writes: { tokenFile } } }],
  })
  const put = (token: string | undefined, body = '/svc => /$/inet/127.0.0.1/2') =>
    fetch(`${n.admin}/api/1/dtabs/default`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/dtab',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body,
    })
  const none = await put(undefined)
  t.is(none.status, 401)
  t.is(none.headers.get('www-authenticate'), 'Bearer')
  t.is((await put(WRONG)).status, 403)
  const watch = await openLines(`${n.admin}/api/1/dtabs/default?watch=1`)
  t.teardown(() => watch.close())
  t.true((await watch.next(1))[0]?.includes('io.l5d.fs'), 'a watch through the admin')
  t.is((await put(TOKEN)).status, 204)
  t.true((await watch.next(2))[1]?.includes('127.0.0.1/2'), 'the watch sees the write')
  const big = await put(TOKEN, `/svc => /x;${'/a => /b;'.repeat(130_000)}`)
  t.is(big.status, 413)
  t.regex(await big.text(), /larger than 1048576 bytes/)
  t.is((await fetch(`${n.admin}/api/1/nosuch`)).status, 404)
  t.is((await fetch(`${n.admin}/api/1/dtabs/..%2F..%2Fconfig.json`)).status, 400)
  const config = await (await fetch(`${n.admin}/config.json`)).text()
  t.true(config.includes(tokenFile) && !config.includes(TOKEN), config)
  const shutdown = await fetch(`${n.admin}/admin/shutdown`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  })
  t.is(shutdown.status, 403, "the API's token does not shut the admin down")
  t.is(await (await fetch(`${n.admin}/admin/ping`)).text(), 'pong')
  t.false(n.output().includes(TOKEN) || n.output().includes(WRONG), n.output())
})

test('an admin beyond loopback serves no API whose writes are open', async (t) => {
  const n = await startNamerd(t, tempDir(t), {
    admin: { ip: '0.0.0.0' },
    storage: { kind: 'io.l5d.inMemory', namespaces: { default: DTAB } },
  })
  const res = await fetch(`${n.admin}/api/1/dtabs/default`, {
    method: 'PUT',
    headers: { 'content-type': 'application/dtab' },
    body: '/svc => /$/inet/203.0.113.7/80',
  })
  t.is(res.status, 404)
  t.is((await fetch(`${n.admin}/api/1/dtabs`)).status, 404)
  t.is((await fetch(`${n.api}/api/1/dtabs/default`)).status, 200, 'the API itself is there')
})
