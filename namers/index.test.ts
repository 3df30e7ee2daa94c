import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  bindOnce,
  constant,
  isBound,
  NEG,
  ok,
  readDtab,
  readPath,
  showPath,
  waitFor,
  type Addr,
  type Namer,
} from '../dtabs/index.js'
import { parseNamers, startNamers } from './index.js'

const NO_GLOBAL: Namer = { lookup: () => constant(ok(NEG)) }

test('namer prefixes default to /#/<kind>; a prefix is mounted under /#', (t) => {
  const specs = parseNamers([
    { kind: 'io.l5d.fs', rootDir: 'disco' },
    { kind: 'io.l5d.rewrite', prefix: '/apiToSrv', pattern: '/{s}/api', name: '/srv/{s}' },
    { kind: 'io.l5d.fs', rootDir: 'other', prefix: '/other.fs' },
  ])
  t.deepEqual(
    specs.map((s) => [s.kind, showPath(s.prefix), s.at]),
    [
      ['io.l5d.fs', '/#/io.l5d.fs', 'namers[0]'],
      ['io.l5d.rewrite', '/#/apiToSrv', 'namers[1]'],
      ['io.l5d.fs', '/#/other.fs', 'namers[2]'],
    ],
  )
})

test('absent or empty namers list', (t) => {
  t.deepEqual(parseNamers(undefined), [])
  t.deepEqual(parseNamers(null), [])
  t.deepEqual(parseNamers([]), [])
})

const REWRITE = { kind: 'io.l5d.rewrite', prefix: '/r', pattern: '/{a}', name: '/x/{a}' }
const FS = { kind: 'io.l5d.fs', rootDir: 'd' }

const bad: [what: string, raw: unknown, message: string][] = [
  ['not a list', { kind: 'io.l5d.fs' }, 'namers: expected a list of namers'],
  ['not an object', ['io.l5d.fs'], 'namers[0]: expected an object, got string "io.l5d.fs"'],
  ['no kind', [{ rootDir: 'd' }], 'namers[0].kind: required'],
  [
    'unknown kind',
    [{ kind: 'io.l5d.foo' }],
    'namers[0].kind: unknown kind "io.l5d.foo" (known: io.l5d.fs, io.l5d.rewrite)',
  ],
  [
    'a linkerd kind we lack',
    [FS, { kind: 'io.l5d.k8s', host: 'localhost' }],
    'namers[1].kind: kind "io.l5d.k8s" exists in linkerd but is not supported here (known: io.l5d.fs, io.l5d.rewrite)',
  ],
  ['fs without rootDir', [{ kind: 'io.l5d.fs' }], 'namers[0].rootDir: required'],
  [
    'fs with empty rootDir',
    [{ kind: 'io.l5d.fs', rootDir: '' }],
    'namers[0].rootDir: must not be empty',
  ],
  ['unknown key', [{ ...FS, rootdir: 'd' }], 'namers[0]: unknown key(s): rootdir'],
  [
    'bad prefix',
    [{ ...FS, prefix: 'fs' }],
    "namers[0].prefix: '/' expected but 'f' found at line 1, column 1: '[f]s'",
  ],
  ['empty prefix', [{ ...FS, prefix: '/' }], 'namers[0].prefix: must not be empty'],
  [
    'transformers',
    [{ ...FS, transformers: [{ kind: 'io.l5d.port', port: 4141 }] }],
    'namers[0].transformers: transformers are not supported yet',
  ],
  [
    'same prefix twice',
    [FS, FS],
    'namers[1]: prefix /#/io.l5d.fs overlaps /#/io.l5d.fs of namers[0] (namer prefixes must not overlap)',
  ],
  [
    'nested prefixes',
    [
      { ...FS, prefix: '/a/b' },
      { ...REWRITE, prefix: '/a' },
    ],
    'namers[1]: prefix /#/a overlaps /#/a/b of namers[0] (namer prefixes must not overlap)',
  ],
  [
    'rewrite without prefix',
    [{ kind: 'io.l5d.rewrite', pattern: '/{a}', name: '/x/{a}' }],
    'namers[0].prefix: required (io.l5d.rewrite has no default prefix)',
  ],
  ['rewrite without pattern', [{ ...REWRITE, pattern: undefined }], 'namers[0].pattern: required'],
  ['rewrite without name', [{ ...REWRITE, name: undefined }], 'namers[0].name: required'],
  [
    'rewrite with a bad pattern',
    [{ ...REWRITE, pattern: '{a}' }],
    'namers[0].pattern: invalid path pattern "{a}": it must start with "/"',
  ],
  [
    'rewrite name using an uncaptured variable',
    [{ ...REWRITE, name: '/x/{b}' }],
    'namers[0].name: {b} is not captured by pattern "/{a}"',
  ],
  [
    'rewrite name that is not a path',
    [{ ...REWRITE, name: 'x/{a}' }],
    "namers[0].name: not a path once its variables are filled in: '/' expected but 'x' found at line 1, column 1: '[x]/x'",
  ],
]

for (const [what, raw, message] of bad) {
  test(`bad namers: ${what}`, (t) => {
    t.throws(() => parseNamers(raw), { message, code: 'ERR_CONFIG' })
  })
}

test('io.l5d.rewrite: a match is a path leaf, a miss is Neg, extra elements are dropped', (t) => {
  const [spec] = parseNamers([
    {
      kind: 'io.l5d.rewrite',
      prefix: '/apiToSrv',
      pattern: '/{service}/api',
      name: '/srv/{service}',
    },
  ])
  const namer = spec?.make({ prefix: spec.prefix })
  t.truthy(namer)
  t.deepEqual(
    namer?.lookup(readPath('/users/api/v1')).get(),
    ok({ type: 'leaf', value: ['srv', 'users'] }),
  )
  t.deepEqual(namer?.lookup(readPath('/users/web')).get(), ok(NEG))
  t.deepEqual(namer?.lookup(readPath('/users')).get(), ok(NEG))
  namer?.close()
})

test('io.l5d.rewrite: a capture that leaves an empty element fails the lookup', (t) => {
  const [spec] = parseNamers([
    { kind: 'io.l5d.rewrite', prefix: '/r', pattern: '/x{a}', name: '/srv/{a}' },
  ])
  const state = spec?.make({ prefix: spec.prefix }).lookup(readPath('/x')).get()
  t.is(state?.type, 'failed')
  t.is(state?.type === 'failed' ? (state.error as { code?: string }).code : '', 'ERR_DTAB_PARSE')
})

test('startNamers: fs and rewrite namers bind through a dtab; /$ comes last; close', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'namers-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'users'), '127.0.0.1 9001\n127.0.0.1 9002\n')
  const specs = parseNamers([
    { kind: 'io.l5d.fs', rootDir: dir },
    {
      kind: 'io.l5d.rewrite',
      prefix: '/apiToSrv',
      pattern: '/{service}/api',
      name: '/srv/{service}',
    },
  ])
  const started = startNamers(specs, { global: NO_GLOBAL })
  t.teardown(() => started.close())
  t.deepEqual(
    started.namers.map((n) => showPath(n.prefix)),
    ['/#/io.l5d.fs', '/#/apiToSrv', '/$'],
  )
  t.is(started.namers[2]?.namer, NO_GLOBAL)
  const ctx = {
    dtab: readDtab('/srv => /#/io.l5d.fs; /svc => /#/apiToSrv'),
    namers: started.namers,
  }
  const state = bindOnce(ctx, readPath('/svc/users/api/x'))
  if (state.type !== 'ok' || state.value.type !== 'leaf') return t.fail(JSON.stringify(state))
  const bound = state.value.value.bound
  t.true(isBound(bound))
  t.is(showPath(bound.id), '/#/io.l5d.fs/users')
  t.is(showPath(bound.path), '/')
  const addr = await waitFor(
    bound.addr,
    (a: Addr) => a.type === 'bound',
    1000,
    () => new Error('addr'),
  )
  t.deepEqual(addr.type === 'bound' ? addr.addrs.map((a) => `${a.host}:${a.port}`) : [], [
    '127.0.0.1:9001',
    '127.0.0.1:9002',
  ])
  started.close()
  started.close()
})

test('startNamers appends the real global namer by default', (t) => {
  const started = startNamers([])
  t.teardown(() => started.close())
  t.deepEqual(
    started.namers.map((n) => showPath(n.prefix)),
    ['/$'],
  )
  const state = started.namers[0]?.namer.lookup(readPath('/nil')).get()
  t.deepEqual(state, ok({ type: 'empty' }))
})

test('startNamers closes what it made when a later namer fails to start', (t) => {
  let closed = 0
  const specs = [
    {
      kind: 'a',
      prefix: ['#', 'a'],
      at: 'namers[0]',
      make: () => ({ ...NO_GLOBAL, close: () => closed++ }),
    },
    {
      kind: 'b',
      prefix: ['#', 'b'],
      at: 'namers[1]',
      make: () => {
        throw new Error('boom')
      },
    },
  ]
  t.throws(() => startNamers(specs, { global: NO_GLOBAL }), { message: 'boom' })
  t.is(closed, 1)
})
