/**
 * namerctl against a real namerd whose writes need a bearer token: the token from
 * `--token-file`, `NAMERCTL_TOKEN` or the config file's `token-file` is sent; without it (or
 * with a wrong one) namerctl exits 10 saying so. The token never appears in what it prints.
 */
import test from 'ava'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { failsWith, namerctl, show, type Run } from '../../testing/namerctl/harness.js'
import { startNamerd, tempDir } from '../../testing/namerd/process.js'
import { startWatch } from '../../testing/namerctl/watcher.js'

const TOKEN = 'ctl-token-4e1b99d07a'
const WRONG = 'ctl-wrong-0c33f8'

async function protectedNamerd(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`)
  writeFileSync(join(dir, 'wrong'), WRONG)
  const n = await startNamerd(t, dir, {
    storage: { kind: 'io.l5d.inMemory', namespaces: {} },
    interfaces: [
      { kind: 'io.l5d.httpController', auth: { writes: { tokenFile: join(dir, 'token') } } },
    ],
  })
  return { dir, base: n.api }
}

function noToken(t: Parameters<typeof tempDir>[0], r: Run): void {
  const all = `${r.stdout}${r.stderr}`
  t.false(all.includes(TOKEN) || all.includes(WRONG), show(r))
}

test('--token-file, NAMERCTL_TOKEN and token-file in the config file are sent', async (t) => {
  const { dir, base } = await protectedNamerd(t)
  const tokenFile = join(dir, 'token')
  const byFlag = await namerctl(
    ['dtab', 'create', 'a', '-', '--base-url', base, '--token-file', tokenFile],
    { input: '/svc=>/a' },
  )
  t.is(byFlag.status, 0, show(byFlag))
  const byEnv = await namerctl(['dtab', 'set', 'a', '/b', '/c', '--base-url', base], {
    env: { NAMERCTL_TOKEN: TOKEN },
  })
  t.is(byEnv.status, 0, show(byEnv))
  writeFileSync(join(dir, '.namerctl.yaml'), `base-url: ${base}\ntoken-file: token\n`)
  const byConfig = await namerctl(['dtab', 'delete', 'a'], { cwd: dir })
  t.is(byConfig.status, 0, show(byConfig))
  for (const r of [byFlag, byEnv, byConfig]) noToken(t, r)
  const list = await namerctl(['dtab', 'list', '--base-url', base])
  t.is(list.stdout, '', 'reads need no token; every dtab was deleted')
  t.is(list.status, 0, show(list))
})

test('no token or a wrong one: exit 10 saying where the token comes from', async (t) => {
  const { dir, base } = await protectedNamerd(t)
  const create = ['dtab', 'create', 'b', '-', '--base-url', base]
  const none = await namerctl(create, { input: '/svc=>/a', env: { NAMERCTL_TOKEN: undefined } })
  failsWith(t, none, 10, /^namerd requires a token: give --token-file FILE, NAMERCTL_TOKEN/)
  const wrong = await namerctl([...create, '--token-file', join(dir, 'wrong')], {
    input: '/svc=>/a',
  })
  failsWith(t, wrong, 10, /^namerd refused the token or client certificate given/)
  const wrongEnv = await namerctl(create, { input: '/svc=>/a', env: { NAMERCTL_TOKEN: WRONG } })
  failsWith(t, wrongEnv, 10, /^namerd refused the token or client certificate given/)
  for (const r of [none, wrong, wrongEnv]) noToken(t, r)
  const missing = await namerctl([...create, '--token-file', join(dir, 'absent')], {
    input: '/svc=>/a',
  })
  failsWith(t, missing, 2, /^bearer token: cannot read file .*absent \(ENOENT\)$/)
  const list = await namerctl(['dtab', 'list', '--base-url', base])
  t.is(list.stdout, '', 'nothing was created')
})

test('reads protected too: list, get and watch send the token; without it exit 10', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'token'), TOKEN)
  const tokenFile = { tokenFile: join(dir, 'token') }
  const n = await startNamerd(t, dir, {
    storage: { kind: 'io.l5d.inMemory', namespaces: { web: '/svc=>/a' } },
    interfaces: [{ kind: 'io.l5d.httpController', auth: { writes: tokenFile, reads: tokenFile } }],
  })
  const list = ['dtab', 'list', '--base-url', n.api]
  failsWith(t, await namerctl(list), 10, /^namerd requires a token/)
  const listed = await namerctl(list, { env: { NAMERCTL_TOKEN: TOKEN } })
  t.deepEqual([listed.status, listed.stdout], [0, 'web\n'], show(listed))
  const get = ['dtab', 'get', 'web', '--base-url', n.api, '--token-file', join(dir, 'token')]
  const got = await namerctl(get)
  t.is(got.status, 0, show(got))
  t.true(got.stdout.includes('/svc'), show(got))
  const watching = startWatch(['dtab', 'watch', 'web', '--base-url', n.api], {
    NAMERCTL_TOKEN: TOKEN,
  })
  t.teardown(() => watching.close())
  await watching.until('the first version', (out) => out.includes('/svc'))
  const watched = await watching.signal('SIGTERM')
  t.is(watched.status, 0, show(watched))
  noToken(t, watched)
  failsWith(t, await namerctl(['dtab', 'watch', 'web', '--base-url', n.api]), 10, /token/)
})
