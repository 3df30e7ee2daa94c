import test from 'ava'
import { showDtab } from '../../dtabs/index.js'
import { readInbound } from './headers.js'
import { LocalDtabReader } from './local-dtab.js'

/** The local dtab of a raw header list, as the router reads it. */
function localOf(reader: LocalDtabReader, raw: string[]): ReturnType<LocalDtabReader['read']> {
  const inbound = readInbound(raw, false)
  return reader.read(inbound.ctxDtab, inbound.userDtab)
}

test('l5d-ctx-dtab values come first, then l5d-dtab values, each parsed on its own', (t) => {
  const reader = new LocalDtabReader()
  const raw = ['l5d-dtab', '/a=>/d;', 'L5d-Ctx-Dtab', '/a=>/b', 'X-Other', 'x']
  raw.push('l5d-ctx-dtab', '/a=>/c;', 'l5d-dtab', '/e=>/f')
  const local = localOf(reader, raw)
  t.is(local.shown, '/a=>/b;/a=>/c;/a=>/d;/e=>/f')
  t.is(showDtab(local.dtab), local.shown)
  t.is(localOf(reader, raw), local, 'a repeated override comes from the cache')
})

test('no override is the shared empty local dtab', (t) => {
  const reader = new LocalDtabReader()
  t.is(localOf(reader, ['Host', 'x']).shown, '')
  t.is(localOf(reader, []).dtab.length, 0)
})

test('a malformed override is a 400 error naming the header and the position', (t) => {
  const reader = new LocalDtabReader()
  const e = t.throws(() => localOf(reader, ['l5d-dtab', '/a = > /b']))
  t.is((e as { code?: string }).code, 'ERR_BAD_DTAB_HEADER')
  t.regex(
    e?.message ?? '',
    /^Invalid l5d-dtab header: '>' expected but ' ' found at line 1, column 5/,
  )
})

test('an override naming a literal address carries that dentry, found once per override text', (t) => {
  const reader = new LocalDtabReader()
  const raw = [
    'l5d-ctx-dtab',
    '/svc/a=>/#/io.l5d.fs/a',
    'l5d-dtab',
    '/svc/b => /$/inet/10.0.0.1/80',
  ]
  const local = localOf(reader, raw)
  t.is(local.literal, '/svc/b=>/$/inet/10.0.0.1/80')
  t.is(localOf(reader, raw), local)
  t.is(localOf(reader, ['l5d-dtab', '/svc/b => /#/io.l5d.fs/b | /$/nil']).literal, undefined)
  t.is(
    localOf(reader, ['l5d-ctx-dtab', '/svc/b => /$/io.buoyant.rinet/80/h']).literal,
    '/svc/b=>/$/io.buoyant.rinet/80/h',
  )
})
