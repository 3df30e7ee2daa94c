import test from 'ava'
import { showDtab } from '../../dtabs/index.js'
import { LocalDtabReader } from './local-dtab.js'

test('l5d-ctx-dtab values come first, then l5d-dtab values, each parsed on its own', (t) => {
  const reader = new LocalDtabReader()
  const local = reader.read([
    'l5d-dtab',
    '/a=>/d;',
    'L5d-Ctx-Dtab',
    '/a=>/b',
    'X-Other',
    'x',
    'l5d-ctx-dtab',
    '/a=>/c;',
    'l5d-dtab',
    '/e=>/f',
  ])
  t.is(local.shown, '/a=>/b;/a=>/c;/a=>/d;/e=>/f')
  t.is(showDtab(local.dtab), local.shown)
  t.is(
    reader.read([
      'l5d-dtab',
      '/a=>/d;',
      'L5d-Ctx-Dtab',
      '/a=>/b',
      'l5d-ctx-dtab',
      '/a=>/c;',
      'l5d-dtab',
      '/e=>/f',
    ]).shown,
    local.shown,
  )
})

test('no override is the shared empty local dtab', (t) => {
  const reader = new LocalDtabReader()
  t.is(reader.read(['Host', 'x']).shown, '')
  t.is(reader.read([]).dtab.length, 0)
})

test('a malformed override is a 400 error naming the header and the position', (t) => {
  const reader = new LocalDtabReader()
  const e = t.throws(() => reader.read(['l5d-dtab', '/a = > /b']))
  t.is((e as { code?: string }).code, 'ERR_BAD_DTAB_HEADER')
  t.regex(
    e?.message ?? '',
    /^Invalid l5d-dtab header: '>' expected but ' ' found at line 1, column 5/,
  )
})
