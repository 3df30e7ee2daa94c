/**
 * The router's `POST /admin/shutdown` behind `admin.auth.control` (a token from an environment
 * variable here): refused without the token (401) or with a wrong one (403), the router still
 * running; the right token stops it. The token shows nowhere: not in `/config.json`, not in
 * the router's output.
 */
import test from 'ava'
import { request } from 'undici'
import { startRouter, tempDir } from '../../testing/router/process.js'

const TOKEN = 'router-admin-token-92ad0f'
const WRONG = 'router-wrong-token-1e6c'

test.before(() => {
  // The router inherits this process's environment.
  process.env['ROUTER_E2E_ADMIN_TOKEN'] = TOKEN
})

async function post(port: number, path: string, token?: string) {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` }
  const r = await request(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers })
  return { status: r.statusCode, headers: r.headers, body: await r.body.text() }
}

test('POST /admin/shutdown needs the admin token; no token shows anywhere', async (t) => {
  const dir = tempDir(t)
  const r = await startRouter(t, dir, {
    admin: { auth: { control: { tokenEnv: 'ROUTER_E2E_ADMIN_TOKEN' } } },
    routers: [{ protocol: 'http' }],
  })
  const none = await post(r.adminPort, '/admin/shutdown')
  t.is(none.status, 401)
  t.is(none.headers['www-authenticate'], 'Bearer')
  t.regex(none.body, /^authentication required/)
  const wrong = await post(r.adminPort, '/admin/shutdown', WRONG)
  t.is(wrong.status, 403)
  t.false(wrong.body.includes(WRONG))
  const ping = await request(`http://127.0.0.1:${r.adminPort}/admin/ping`)
  t.is(await ping.body.text(), 'pong', 'still running after the refusals')
  const config = await (await request(`http://127.0.0.1:${r.adminPort}/config.json`)).body.text()
  t.true(config.includes('ROUTER_E2E_ADMIN_TOKEN'), config)
  t.false(config.includes(TOKEN), config)
  const ok = await post(r.adminPort, '/admin/shutdown', TOKEN)
  t.deepEqual([ok.status, ok.body], [200, 'quitting\n'])
  t.is(await r.exited, 0)
  t.false(r.output().includes(TOKEN) || r.output().includes(WRONG), r.output())
})

test('an unset token variable stops the start, naming the variable', async (t) => {
  const dir = tempDir(t)
  const started = startRouter(t, dir, {
    admin: { auth: { control: { tokenEnv: 'ROUTER_E2E_UNSET_TOKEN' } } },
    routers: [{ protocol: 'http' }],
  })
  const e = await t.throwsAsync(started)
  t.regex(e?.message ?? '', /environment variable ROUTER_E2E_UNSET_TOKEN is not set/)
})
