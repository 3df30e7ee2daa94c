import test from 'ava'
import { normalizeArgs } from './main.js'
import { resolveArgs } from './resolve-commands.js'

test('with --dtab-file: offline, PATH only', (t) => {
  t.deepEqual(resolveArgs('/svc/a', undefined, { dtabFile: 'f' }), {
    mode: 'offline',
    path: '/svc/a',
    dtabFile: 'f',
  })
  for (const [second, flags] of [
    ['/svc/a', { dtabFile: 'f' }],
    [undefined, { dtabFile: 'f', dtab: '/a=>/b' }],
  ] as const) {
    const e = t.throws(() => resolveArgs('default', second, flags))
    t.is((e as { code?: string }).code, 'ERR_USAGE')
  }
})

test('without --dtab-file: online, NAME defaults to "default"', (t) => {
  t.deepEqual(resolveArgs('/svc/a', undefined, {}), {
    mode: 'online',
    name: 'default',
    path: '/svc/a',
  })
  t.deepEqual(resolveArgs('ns', '/svc/a', { dtab: '/a=>/b' }), {
    mode: 'online',
    name: 'ns',
    path: '/svc/a',
  })
  t.throws(() => resolveArgs('/svc/a', undefined, { fsRoot: '/d' }), {
    message: /--fs-root needs --dtab-file/,
  })
})

test("--pretty=BOOL in Go's bool syntax becomes --pretty / --no-pretty; other args untouched", (t) => {
  t.deepEqual(normalizeArgs(['dtab', 'get', 'x', '--pretty=false']), [
    'dtab',
    'get',
    'x',
    '--no-pretty',
  ])
  t.deepEqual(normalizeArgs(['--pretty=0', '--pretty=F', '--pretty=t', '--pretty=TRUE']), [
    '--no-pretty',
    '--no-pretty',
    '--pretty',
    '--pretty',
  ])
  t.deepEqual(normalizeArgs(['--pretty=maybe', 'x=--pretty=false']), [
    '--pretty=maybe',
    'x=--pretty=false',
  ])
})

test("linkerd's `dtab --json <command>` becomes `dtab <command> … --json`", (t) => {
  t.deepEqual(normalizeArgs(['dtab', '--json', 'get', 'x']), ['dtab', 'get', 'x', '--json'])
  t.deepEqual(normalizeArgs(['--base-url', 'u', 'dtab', '--json', 'ls']), [
    '--base-url',
    'u',
    'dtab',
    'ls',
    '--json',
  ])
  t.deepEqual(normalizeArgs(['dtab', 'get', 'x', '--json']), ['dtab', 'get', 'x', '--json'])
  t.deepEqual(
    normalizeArgs(['dtab', '--json']),
    ['dtab', '--json'],
    'no command: left to commander',
  )
})
