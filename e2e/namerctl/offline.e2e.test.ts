import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoPath } from '../../testing/paths.js'

const bin = repoPath('bin/namerctl.js')
const examples = repoPath('examples')

function namerctl(
  args: string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    timeout: 20_000,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** A temp dir with a dtab file and an io.l5d.fs directory. */
function fixture(
  t: import('ava').ExecutionContext,
  dtab: string,
  services: Record<string, string>,
): { dtab: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'namerctl-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const root = join(dir, 'disco')
  mkdirSync(root)
  for (const [name, text] of Object.entries(services)) writeFileSync(join(root, name), text)
  writeFileSync(join(dir, 'dtab'), dtab)
  return { dtab: join(dir, 'dtab'), root }
}

/** `namerctl dtab <cmd> PATH --dtab-file … --fs-root …` on a fixture. */
function offline(cmd: string, path: string, f: { dtab: string; root: string }, ...extra: string[]) {
  return namerctl(['dtab', cmd, path, '--dtab-file', f.dtab, '--fs-root', f.root, ...extra])
}

test('fmt prints one canonical dentry per line', (t) => {
  const r = namerctl(['dtab', 'fmt', join(examples, 'dtabs/canary.dtab')])
  t.is(r.status, 0, r.stderr)
  t.is(
    r.stdout,
    [
      '/srv => /#/io.l5d.fs;',
      '/svc => /srv;',
      '/svc/users => 99.00*/srv/users-v1 & /srv/users-v2;',
      '/svc/billing => /srv/billing-zone-a | /srv/billing-zone-b;',
      '',
    ].join('\n'),
  )
})

test('fmt reads standard input and prints namerd JSON with --json', (t) => {
  const r = namerctl(['dtab', 'fmt', '--json', '-'], '/a=>/b|/c ; /x/*=>0.5*/y&/z # c\n;')
  t.is(r.status, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), [
    { prefix: '/a', dst: '/b | /c' },
    { prefix: '/x/*', dst: '0.50*/y & /z' },
  ])
})

test('fmt --check exits 0 only for canonical text', (t) => {
  t.is(namerctl(['dtab', 'fmt', '--check', '-'], '/a => /b;\n').status, 0)
  const r = namerctl(['dtab', 'fmt', '--check', '-'], '/a=>/b\n')
  t.is(r.status, 1)
  t.is(r.stdout, '')
})

test('a syntax error names the line and column and points at the character, exit 1', (t) => {
  const r = namerctl(['dtab', 'fmt', '-'], '/svc => /srv;\n/svc/users = > /srv/users-v2;\n')
  t.is(r.status, 1)
  t.is(r.stdout, '')
  const lines = r.stderr.split('\n')
  t.true(lines[0]?.startsWith('namerctl: <stdin>:2:13: invalid dtab: '), lines[0])
  t.is(lines[1], '  /svc/users = > /srv/users-v2;')
  t.is(lines[2], '  ' + ' '.repeat(12) + '^')
  t.false(r.stderr.includes('    at '), 'no stack trace')
})

test('delegate --json prints the body of namerd /api/1/delegate', (t) => {
  const f = fixture(t, '/srv => /#/io.l5d.fs; /svc => /srv', { web: '127.0.0.1 8080\n' })
  const r = offline('delegate', '/svc/web', f, '--json')
  t.is(r.status, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout), {
    type: 'delegate',
    path: '/svc/web',
    delegate: {
      type: 'delegate',
      path: '/srv/web',
      dentry: { prefix: '/svc', dst: '/srv' },
      delegate: {
        type: 'leaf',
        path: '/#/io.l5d.fs/web',
        dentry: { prefix: '/srv', dst: '/#/io.l5d.fs' },
        bound: {
          addr: { type: 'bound', addrs: [{ ip: '127.0.0.1', port: 8080, meta: {} }], meta: {} },
          id: '/#/io.l5d.fs/web',
          path: '/',
        },
      },
    },
  })
})

test('bind --json prints the body of namerd /api/1/bind, union weights in the addr meta', (t) => {
  const f = fixture(t, '/svc/users => 9 * /#/io.l5d.fs/v1 & 1 * /#/io.l5d.fs/v2', {
    v1: '10.0.0.1 80\n',
    v2: '10.0.0.2 80\n',
  })
  const r = offline('bind', '/svc/users/x', f, '--json')
  t.is(r.status, 0, r.stderr)
  const leaf = (ip: string, id: string, w: number) => ({
    type: 'leaf',
    bound: {
      addr: {
        type: 'bound',
        addrs: [{ ip, port: 80, meta: {} }],
        meta: { namer_nametree_weight: w },
      },
      id,
      path: '/x',
    },
  })
  t.deepEqual(JSON.parse(r.stdout), {
    type: 'union',
    union: [
      { weight: 9, tree: leaf('10.0.0.1', '/#/io.l5d.fs/v1', 9) },
      { weight: 1, tree: leaf('10.0.0.2', '/#/io.l5d.fs/v2', 1) },
    ],
  })
})

test('bind and delegate print readable trees with shares, dentries and endpoints', (t) => {
  const f = fixture(t, '/svc/users => 9 * /#/io.l5d.fs/v1 & 1 * /#/io.l5d.fs/v2', {
    v1: '10.0.0.1 80\n10.0.0.3 80\n',
    v2: '10.0.0.2 80\n',
  })
  const bind = offline('bind', '/svc/users', f)
  t.is(bind.status, 0, bind.stderr)
  t.regex(
    bind.stdout,
    /\[90% weight 9\.00\] bound \/#\/io\.l5d\.fs\/v1: 10\.0\.0\.1:80, 10\.0\.0\.3:80/,
  )
  t.regex(bind.stdout, /\[10% weight 1\.00\] bound \/#\/io\.l5d\.fs\/v2: 10\.0\.0\.2:80/)
  const del = offline('delegate', '/svc/users', f)
  t.is(del.status, 0, del.stderr)
  t.true(del.stdout.includes('via /svc/users=>9.00*/#/io.l5d.fs/v1 & /#/io.l5d.fs/v2'), del.stdout)
})

test('a looping dtab, an unknown namer and a bad path fail with a message and exit 1', (t) => {
  const loop = fixture(t, '/a => /b; /b => /a', {})
  const r1 = namerctl(['dtab', 'bind', '/a', '--dtab-file', loop.dtab])
  t.is(r1.status, 1)
  t.regex(r1.stderr, /^namerctl: Max recursion level: 100 reached/)
  const r2 = namerctl(['dtab', 'delegate', '/a', '--dtab-file', loop.dtab])
  t.is(r2.status, 1)
  t.regex(r2.stderr, /^namerctl: Max recursion level/)
  const unknown = namerctl(['dtab', 'bind', '/$/nope/x', '--dtab-file', loop.dtab])
  t.is(unknown.status, 1)
  t.regex(unknown.stderr, /Unknown namer: nope/)
  const badPath = namerctl(['dtab', 'bind', '/a//b', '--dtab-file', loop.dtab])
  t.is(badPath.status, 1)
  t.regex(badPath.stderr, /^namerctl: invalid path "\/a\/\/b"/)
})

test('usage errors exit 2; a missing file exits 1', (t) => {
  t.is(
    namerctl(['dtab', 'bind', '/a', '--fs-root', '/d']).status,
    2,
    '--fs-root without --dtab-file',
  )
  t.is(namerctl(['dtab', 'nonsense']).status, 2)
  const r = namerctl(['dtab', 'fmt', '/nonexistent/file'])
  t.is(r.status, 1)
  t.regex(r.stderr, /^namerctl: cannot read \/nonexistent\/file/)
})
