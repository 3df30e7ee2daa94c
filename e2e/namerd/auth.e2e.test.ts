/**
 * Bearer tokens on the real namerd: writes need the interface's token (401 without one, 403
 * with a wrong one), reads and watches stay open, `POST /admin/shutdown` needs the admin's
 * token, and no token ever shows in namerd's output or on its admin page.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openLines } from '../../testing/line-stream.js'
import { namerdBin, startNamerd, tempDir } from '../../testing/namerd/process.js'

const API_TOKEN = 'api-token-5b0e7d21c4'
const ADMIN_TOKEN = 'admin-token-a81f3c90'
const WRONG = 'wrong-token-77d2e1'

function protectedConfig(dir: string) {
  writeFileSync(join(dir, 'api-token'), `${API_TOKEN}\n`)
  writeFileSync(join(dir, 'admin-token'), ADMIN_TOKEN)
  return {
    storage: { kind: 'io.l5d.inMemory', namespaces: { default: '/svc => /#/io.l5d.fs' } },
    admin: { auth: { control: { tokenFile: join(dir, 'admin-token') } } },
    interfaces: [
      { kind: 'io.l5d.httpController', auth: { writes: { tokenFile: join(dir, 'api-token') } } },
    ],
  }
}

const bearer = (token: string | undefined): Record<string, string> =>
  token === undefined ? {} : { authorization: `Bearer ${token}` }

test('writes: no token 401, wrong token 403, right token 2xx; reads and watches open', async (t) => {
  const dir = tempDir(t)
  const n = await startNamerd(t, dir, protectedConfig(dir))
  const write = (method: string, ns: string, token?: string) =>
    fetch(`${n.api}/api/1/dtabs/${ns}`, {
      method,
      headers: { 'content-type': 'application/dtab', ...bearer(token) },
      ...(method === 'DELETE' ? {} : { body: '/svc => /$/inet/127.0.0.1/1' }),
    })
  for (const [method, ns, ok] of [
    ['POST', 'created', 204],
    ['PUT', 'default', 204],
    ['DELETE', 'created', 204],
  ] as const) {
    const none = await write(method, ns)
    t.is(none.status, 401, method)
    t.is(none.headers.get('www-authenticate'), 'Bearer', method)
    t.regex(await none.text(), /^authentication required/, method)
    const wrong = await write(method, ns, WRONG)
    t.is(wrong.status, 403, method)
    const said = await wrong.text()
    t.regex(said, /not accepted/, method)
    t.false(said.includes(WRONG) || said.includes(API_TOKEN), method)
    if (method === 'DELETE') {
      t.is(
        (await fetch(`${n.api}/api/1/dtabs/created`)).status,
        200,
        'the refusals changed nothing',
      )
    }
    t.is((await write(method, ns, API_TOKEN)).status, ok, method)
  }
  t.is(await (await fetch(`${n.api}/api/1/dtabs`)).text(), '["default"]\n', 'reads are open')
  for (const method of ['HEAD', 'OPTIONS']) {
    const r = await fetch(`${n.api}/api/1/dtabs/default`, { method })
    t.not(r.status, 401, `${method} follows GET`)
    t.not(r.status, 403, `${method} follows GET`)
  }
  const watch = await openLines(`${n.api}/api/1/dtabs/default?watch=1`)
  t.true((await watch.next(1))[0]?.includes('/$/inet/127.0.0.1/1'), 'watches are open')
  await watch.close()
  t.false(n.output().includes(API_TOKEN) || n.output().includes(WRONG), n.output())
})

test('admin: shutdown needs the admin token; config.json shows paths, never tokens', async (t) => {
  const dir = tempDir(t)
  const n = await startNamerd(t, dir, protectedConfig(dir))
  const config = await (await fetch(`${n.admin}/config.json`)).text()
  t.true(config.includes(join(dir, 'api-token')), config)
  t.true(config.includes(join(dir, 'admin-token')), config)
  t.false(config.includes(API_TOKEN) || config.includes(ADMIN_TOKEN), config)
  const shutdown = (token?: string) =>
    fetch(`${n.admin}/admin/shutdown`, { method: 'POST', headers: bearer(token) })
  const none = await shutdown()
  t.is(none.status, 401)
  t.is(none.headers.get('www-authenticate'), 'Bearer')
  t.is((await shutdown(WRONG)).status, 403)
  t.is((await shutdown(API_TOKEN)).status, 403, "the API's token is not the admin's")
  t.is(await (await fetch(`${n.admin}/admin/ping`)).text(), 'pong', 'still running')
  t.is((await shutdown(ADMIN_TOKEN)).status, 200)
  t.is(await n.exited, 0)
  const output = n.output()
  for (const token of [API_TOKEN, ADMIN_TOKEN, WRONG]) t.false(output.includes(token), output)
})

test('a token file that cannot be read stops the start, naming the file only', (t) => {
  const dir = tempDir(t)
  const config = protectedConfig(dir)
  const missing = join(dir, 'no-such-token')
  config.interfaces[0] = { kind: 'io.l5d.httpController', auth: { writes: { tokenFile: missing } } }
  const file = join(dir, 'namerd.json')
  writeFileSync(file, JSON.stringify({ ...config, admin: { port: 0 } }))
  const r = spawnSync(process.execPath, [namerdBin, file], { encoding: 'utf8', timeout: 30_000 })
  t.is(r.status, 1, `${r.stdout}${r.stderr}`)
  t.regex(`${r.stderr}`, /bearer token: cannot read file .*no-such-token \(ENOENT\)/)
})
