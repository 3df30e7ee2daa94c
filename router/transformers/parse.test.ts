import test from 'ava'
import { EMPTY_DTAB, readDtab, readPath, showPath } from '../../dtabs/index.js'
import { parseInterpreter } from '../interpreters/index.js'
import { parseNamers, startNamers } from '../../namers/index.js'

const at = 'routers[0].interpreter'
const T = `${at}.transformers`

test('every interpreter kind takes transformers', (t) => {
  const transformers = [
    { kind: 'io.l5d.port', port: 4141, prefix: '/p' },
    { kind: 'io.l5d.localhost' },
    { kind: 'io.l5d.specificHost', host: '::1' },
  ]
  for (const raw of [
    { transformers },
    { kind: 'default', transformers },
    { kind: 'io.l5d.fs', dtabFile: 'x.dtab', transformers },
    { kind: 'io.l5d.namerd.http', transformers },
  ]) {
    t.is(parseInterpreter(raw, at).kind, raw.kind ?? 'default')
  }
})

test('a prefix override replaces the kind’s default prefix, after /%', (t) => {
  const namers = startNamers([])
  t.teardown(() => namers.close())
  const interp = parseInterpreter(
    { transformers: [{ kind: 'io.l5d.port', port: 1, prefix: '/remote/l5d' }] },
    at,
  ).make({ namers: namers.namers, dtab: readDtab('/svc => /$/inet/127.0.0.1/80') })
  t.teardown(() => interp.close())
  const state = interp.bind(EMPTY_DTAB, readPath('/svc')).get()
  if (state.type !== 'ok' || state.value.type !== 'leaf') return t.fail(JSON.stringify(state))
  t.is(showPath(state.value.value.bound.id), '/%/remote/l5d/$/inet/127.0.0.1/80')
})

test('transformer config errors are located', (t) => {
  const bad: [transformers: unknown, message: string][] = [
    [{ kind: 'io.l5d.port' }, `${T}: expected a list, got an object`],
    [['io.l5d.port'], `${T}[0]: expected an object, got string "io.l5d.port"`],
    [[{ port: 4141 }], `${T}[0].kind: required`],
    [[{ kind: 'io.l5d.port' }], `${T}[0].port: required`],
    [
      [{ kind: 'io.l5d.localhost' }, { kind: 'io.l5d.port', port: 'x' }],
      `${T}[1].port: expected an integer in [1, 65535], got string "x"`,
    ],
    [
      [{ kind: 'io.l5d.port', port: 70000 }],
      `${T}[0].port: expected an integer in [1, 65535], got number 70000`,
    ],
    [[{ kind: 'io.l5d.localhost', port: 1 }], `${T}[0]: unknown key(s): port`],
    [[{ kind: 'io.l5d.localhost', prefix: '/' }], `${T}[0].prefix: must not be empty`],
    [
      [{ kind: 'io.l5d.localhost', prefix: 'x' }],
      `${T}[0].prefix: '/' expected but 'x' found at line 1, column 1: '[x]'`,
    ],
    [[{ kind: 'io.l5d.specificHost' }], `${T}[0].host: required`],
    [
      [{ kind: 'io.l5d.specificHost', host: 'docker0' }],
      `${T}[0].host: expected an IP address, got "docker0" (host names are not resolved here)`,
    ],
    [
      [{ kind: 'io.l5d.k8s.daemonset', namespace: 'default', service: 'l5d', port: 'incoming' }],
      `${T}[0].kind: kind "io.l5d.k8s.daemonset" exists in linkerd but is not supported here (known: io.l5d.port, io.l5d.localhost, io.l5d.specificHost)`,
    ],
    [
      [{ kind: 'io.l5d.portt', port: 1 }],
      `${T}[0].kind: unknown kind "io.l5d.portt" (known: io.l5d.port, io.l5d.localhost, io.l5d.specificHost)`,
    ],
  ]
  for (const [transformers, message] of bad) {
    for (const kind of ['default', 'io.l5d.namerd.http']) {
      t.throws(
        () => parseInterpreter({ kind, transformers }, at),
        { message, code: 'ERR_CONFIG' },
        `${kind}: ${message}`,
      )
    }
  }
})

test('interpreter keys are still checked next to transformers', (t) => {
  t.throws(() => parseInterpreter({ kind: 'io.l5d.fs', transformers: [] }, at), {
    message: `${at}.dtabFile: required`,
  })
  t.throws(
    () => parseInterpreter({ transformers: [{ kind: 'io.l5d.localhost' }], dtabFile: 'x' }, at),
    { message: `${at}: unknown key(s): dtabFile` },
  )
})

test('namer-level transformers stay unsupported', (t) => {
  const namers = [{ kind: 'io.l5d.fs', rootDir: 'x', transformers: [{ kind: 'io.l5d.localhost' }] }]
  t.throws(() => parseNamers(namers), {
    message: 'namers[0].transformers: transformers are not supported yet',
  })
})
