/**
 * namerctl's exit statuses that a healthy namerd will not give on demand: nothing listening (3),
 * no answer within --timeout-ms (3), 400 (5), 503 (8) and other statuses (9) from a fake namerd;
 * usage errors (2); and `--help`, which lists the commands, the base URL lookup and the statuses.
 */
import test from 'ava'
import { freePort } from '../../testing/free-port.js'
import { failsWith, namerctl, show } from '../../testing/namerctl/harness.js'
import { cleanupsOf } from '../../testing/namerctl/setup.js'
import { fakeNamerd } from '../../testing/namerctl/servers.js'

test('nothing listening at the base URL is exit 3, for every online command', async (t) => {
  const dead = `http://127.0.0.1:${await freePort()}`
  for (const args of [
    ['list'],
    ['get', 'x'],
    ['set', 'x', '/a', '/b'],
    ['rm-entry', 'x', '/a'],
    ['delegate', '/a'],
    ['bind', 'x', '/a'],
    ['watch', 'x'],
  ])
    failsWith(t, await namerctl(['dtab', ...args, '--base-url', dead]), 3, /./)
  const up = await namerctl(['dtab', 'update', 'x', '-', '--base-url', dead], { input: '/a=>/b' })
  failsWith(t, up, 3, /./)
})

test('a namerd that does not answer within --timeout-ms is exit 3', async (t) => {
  const fake = await fakeNamerd(cleanupsOf(t), () => 'hang')
  const r = await namerctl(['dtab', 'get', 'x', '--timeout-ms', '200', '--base-url', fake.base])
  failsWith(t, r, 3, /./)
})

test('namerd answering 400 is exit 5 with its message; 503 exit 8; others exit 9', async (t) => {
  const answers: Record<string, { status: number; body: string }> = {
    '/api/1/dtabs/rejected': { status: 400, body: 'the thing namerd said\n' },
    '/api/1/dtabs/down': { status: 503, body: 'dtab store io.l5d.etcd is unreachable: gone\n' },
    '/api/1/dtabs/odd': { status: 500, body: 'boom\n' },
    '/api/1/dtabs/teapot': { status: 418, body: '' },
  }
  const fake = await fakeNamerd(cleanupsOf(t), (req) => ({
    ...(answers[req.url ?? ''] ?? { status: 404, body: '' }),
    headers: { 'content-type': 'text/plain' },
  }))
  const get = (ns: string) => namerctl(['dtab', 'get', ns, '--base-url', fake.base])
  failsWith(t, await get('rejected'), 5, /the thing namerd said/)
  failsWith(t, await get('down'), 8, /dtab store io\.l5d\.etcd is unreachable: gone/)
  failsWith(t, await get('odd'), 9, /^unexpected response: 500\b/)
  failsWith(t, await get('teapot'), 9, /^unexpected response: 418\b/)
})

test('usage errors are exit 2', async (t) => {
  for (const args of [
    ['dtab', 'frob'],
    ['dtab', 'get'],
    ['dtab', 'list', '--frob'],
    ['dtab', 'list', 'extra'],
    ['dtab', 'list', '--timeout-ms', 'soon'],
    ['dtab', 'create', 'x'],
    ['dtab', 'set', 'x', '/a'],
    ['dtab', 'rm-entry', 'x'],
    ['dtab', 'watch'],
  ]) {
    const r = await namerctl([...args, '--base-url', 'http://127.0.0.1:1'])
    t.is(r.status, 2, `${args.join(' ')}: ${show(r)}`)
    t.not(r.stderr, '', args.join(' '))
    t.false(r.stderr.includes('    at '), 'no stack trace')
  }
})

test('--help lists the commands, the base URL lookup and the exit statuses', async (t) => {
  const root = await namerctl(['--help'])
  t.is(root.status, 0, show(root))
  for (const word of [
    'dtab',
    '--base-url',
    'NAMERCTL_BASE_URL',
    '.namerctl',
    '--config',
    'http://127.0.0.1:4180',
  ])
    t.true(root.stdout.includes(word), `${word} in:\n${root.stdout}`)
  for (const status of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    t.regex(root.stdout, new RegExp(`(^|\\s)${status}\\b`, 'm'), `exit status ${status}`)
  for (const word of ['not found', 'conflict', 'unavailable', 'unexpected response'])
    t.regex(root.stdout, new RegExp(word, 'i'))
  const dtab = await namerctl(['dtab', '--help'])
  t.is(dtab.status, 0, show(dtab))
  for (const word of ['NAMERCTL_BASE_URL', '.namerctl', 'conflict', 'unavailable'])
    t.true(dtab.stdout.includes(word), `${word} in:\n${dtab.stdout}`)
  for (const cmd of [
    'list',
    'get',
    'create',
    'update',
    'delete',
    'diff',
    'set',
    'rm-entry',
    'delegate',
    'bind',
    'watch',
    'fmt',
  ])
    t.regex(dtab.stdout, new RegExp(`^\\s+${cmd}\\b`, 'm'), `${cmd} in:\n${dtab.stdout}`)
})

test('set and rm-entry give up after 5 attempts refused with 412: exit 7', async (t) => {
  const fake = await fakeNamerd(cleanupsOf(t), (req) =>
    req.method === 'GET'
      ? {
          status: 200,
          body: '[{"prefix":"/a","dst":"/b"}]\n',
          headers: { 'content-type': 'application/json', etag: 'djE=' },
        }
      : { status: 412, body: 'dtab x has changed since version djE=\n' },
  )
  for (const args of [
    ['set', 'x', '/a', '/c'],
    ['rm-entry', 'x', '/a'],
  ]) {
    fake.log.length = 0
    failsWith(t, await namerctl(['dtab', ...args, '--base-url', fake.base]), 7, /\bx\b/)
    const puts = fake.log.filter((e) => e.request === 'PUT /api/1/dtabs/x')
    t.is(puts.length, 5, JSON.stringify(fake.log))
    t.true(
      puts.every((e) => e.ifMatch === 'djE='),
      'each attempt with If-Match',
    )
  }
})
