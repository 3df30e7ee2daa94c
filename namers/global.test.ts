import test from 'ava'
import { constant, type ActState } from '../dtabs/activity.js'
import { EMPTY, FAIL, NEG, type NameTree } from '../dtabs/name-tree.js'
import { isBound, type Addr, type Bound, type Name } from '../dtabs/name.js'
import { readPath } from '../dtabs/parse.js'
import { showPath } from '../dtabs/path.js'
import { globalNamer } from './global.js'
import type { HostResolver } from './inet/inet.js'

/** A resolver that records its calls and answers `host:port` as given (the vectors' fixture). */
function recording(): { resolve: HostResolver; calls: string[] } {
  const calls: string[] = []
  const resolve: HostResolver = (host, port) => {
    calls.push(`${host}:${port}`)
    return constant<Addr>({ type: 'bound', addrs: [{ host, port }] })
  }
  return { resolve, calls }
}

/** Looks up a `/$/...` path (given in dtab syntax) as the mounted namer sees it. */
function look(path: string, namer = globalNamer()): ActState<NameTree<Name>> {
  const p = readPath(path)
  if (p[0] !== '$') throw new Error('test paths start with /$')
  return namer.lookup(p.slice(1)).get()
}

function boundOf(state: ActState<NameTree<Name>>): Bound {
  if (state.type !== 'ok' || state.value.type !== 'leaf' || !isBound(state.value.value)) {
    throw new Error(`not a bound leaf: ${JSON.stringify(state)}`)
  }
  return state.value.value
}

function shown(b: Bound): { id: string; path: string; addr: Addr } {
  return { id: showPath(b.id), path: showPath(b.path), addr: b.addr.get() }
}

const at = (host: string, port: number): Addr => ({ type: 'bound', addrs: [{ host, port }] })

test('/$/inet/<host>/<port>/rest: id is the consumed prefix, rest the residual', (t) => {
  t.deepEqual(shown(boundOf(look('/$/inet/127.1/8080/x/y'))), {
    id: '/$/inet/127.1/8080',
    path: '/x/y',
    addr: at('127.0.0.1', 8080),
  })
  t.deepEqual(shown(boundOf(look('/$/inet/10.1.2.3/443'))).path, '/')
})

test('/$/fixedinet keeps its own scheme in the id', (t) => {
  t.deepEqual(shown(boundOf(look('/$/fixedinet/127.0.0.1/9990/web'))), {
    id: '/$/fixedinet/127.0.0.1/9990',
    path: '/web',
    addr: at('127.0.0.1', 9990),
  })
})

test('host-less form: /$/inet/<port>[/rest] binds the loopback address', (t) => {
  const { resolve, calls } = recording()
  const namer = globalNamer({ resolveHost: resolve })
  t.deepEqual(shown(boundOf(look('/$/inet/8080', namer))), {
    id: '/$/inet/8080',
    path: '/',
    addr: at('127.0.0.1', 8080),
  })
  t.is(shown(boundOf(look('/$/inet/8080/x', namer))).path, '/x')
  t.deepEqual(shown(boundOf(look('/$/fixedinet/8080/x', namer))).id, '/$/fixedinet/8080')
  // The 3rd element is not an int, so the 2nd is the port.
  const big = shown(boundOf(look('/$/inet/1/2147483648', namer)))
  t.deepEqual([big.id, big.path], ['/$/inet/1', '/2147483648'])
  t.deepEqual(calls, ['127.0.0.1:8080', '127.0.0.1:8080', '127.0.0.1:8080', '127.0.0.1:1'])
})

test('/$/inet/80/80 is host 80, port 80', (t) => {
  const { resolve, calls } = recording()
  t.is(
    showPath(boundOf(look('/$/inet/80/80', globalNamer({ resolveHost: resolve }))).id),
    '/$/inet/80/80',
  )
  t.deepEqual(calls, ['80:80'])
})

test('ports parse as Integer.parseInt: sign and leading zeros allowed, id kept as written', (t) => {
  const { resolve, calls } = recording()
  const namer = globalNamer({ resolveHost: resolve })
  // '+' is not showable, so the id (the bytes as written) shows escaped.
  t.is(showPath(boundOf(look('/$/inet/h/\\x2b80', namer)).id), '/$/inet/h/\\x2b\\x38\\x30')
  look('/$/inet/h/0080', namer)
  look('/$/inet/h/65535', namer)
  look('/$/inet/h/0', namer)
  t.deepEqual(calls, ['h:80', 'h:80', 'h:65535', 'h:0'])
})

test('an int port out of 0..65535 binds, with a failed address set', (t) => {
  const { resolve, calls } = recording()
  const namer = globalNamer({ resolveHost: resolve })
  for (const [path, cause] of [
    ['/$/inet/127.1/-1', 'port out of range:-1'],
    ['/$/inet/127.1/65536', 'port out of range:65536'],
    ['/$/inet/2147483647', 'port out of range:2147483647'],
    ['/$/fixedinet/h/-2147483648/x', 'port out of range:-2147483648'],
  ] as const) {
    t.deepEqual(boundOf(look(path, namer)).addr.get(), { type: 'failed', cause }, path)
  }
  t.deepEqual(calls, [])
})

function unknown(t: import('ava').ExecutionContext, path: string, namer: string): void {
  const state = look(path)
  if (state.type !== 'failed') return void t.fail(`${path}: ${JSON.stringify(state)}`)
  t.is((state.error as { code?: string }).code, 'ERR_UNKNOWN_NAMER', path)
  t.is(state.error.message, `Unknown namer: ${namer} for path: ${path}`)
}

test('inet paths without a usable port are unknown namers, not Neg', (t) => {
  unknown(t, '/$/inet', 'inet')
  unknown(t, '/$/inet/host', 'inet')
  unknown(t, '/$/inet/host/http', 'inet')
  unknown(t, '/$/inet/127.1/2147483648', 'inet')
  unknown(t, '/$/fixedinet/h/-2147483649/x', 'fixedinet')
  unknown(t, '/$/inet/h/1.5', 'inet')
})

test('/$/fail and /$/nil match element-wise, with any residual', (t) => {
  t.deepEqual(look('/$/fail'), { type: 'ok', value: FAIL })
  t.deepEqual(look('/$/fail/x/y'), { type: 'ok', value: FAIL })
  t.deepEqual(look('/$/nil'), { type: 'ok', value: EMPTY })
  t.deepEqual(look('/$/nil/x'), { type: 'ok', value: EMPTY })
  unknown(t, '/$/nilx', 'nilx')
  unknown(t, '/$/failed/x', 'failed')
  unknown(t, '/$/Nil', 'Nil')
})

test('other /$/<name> paths fail with UnknownNamerError; /$ alone is Neg', (t) => {
  unknown(t, '/$/unknown/x', 'unknown')
  unknown(t, '/$/io.buoyant.nope/a', 'io.buoyant.nope')
  unknown(t, '/$/\\xc3\\xa9', 'é')
  t.deepEqual(look('/$'), { type: 'ok', value: NEG })
})

test('static answers are shared constants (binding them is cheap)', (t) => {
  const namer = globalNamer()
  for (const path of [[], ['fail'], ['nil', 'x'], ['io.buoyant.http.anyMethod', 'a']]) {
    const first = namer.lookup(path)
    t.true(first.constant)
    t.is(namer.lookup(path), first)
  }
  t.true(namer.lookup(['inet', '127.1', '80']).constant)
  t.true(boundOf(namer.lookup(['inet', '127.1', '80']).get()).addr.constant)
})

test('the residual is re-encoded as UTF-8 (Path.Utf8); the id keeps the bytes', (t) => {
  const b = shown(boundOf(look('/$/inet/127.1/80/\\xff/ok')))
  t.deepEqual([b.id, b.path], ['/$/inet/127.1/80', '/\\xef\\xbf\\xbd/ok'])
  const r = look('/$/io.buoyant.http.anyMethod/GET/\\xc3/\\xc3\\xa9')
  t.deepEqual(r, { type: 'ok', value: { type: 'leaf', value: ['\xef\xbf\xbd', '\xc3\xa9'] } })
})

test('UTF-8 digits count as a port, as Character.digit does', (t) => {
  const { resolve, calls } = recording()
  look('/$/inet/h/\\xd9\\xa8\\xd9\\xa0', globalNamer({ resolveHost: resolve }))
  t.deepEqual(calls, ['h:80'])
})

test('fixedinet uses resolveFixedHost, else resolveHost; inet and rinet use resolveHost', (t) => {
  const inet = recording()
  const fixed = recording()
  const both = globalNamer({ resolveHost: inet.resolve, resolveFixedHost: fixed.resolve })
  look('/$/inet/a/1', both)
  look('/$/fixedinet/b/2', both)
  look('/$/io.buoyant.rinet/3/c', both)
  t.deepEqual([inet.calls, fixed.calls], [['a:1', 'c:3'], ['b:2']])
  const one = recording()
  look('/$/fixedinet/d/4', globalNamer({ resolveHost: one.resolve }))
  t.deepEqual(one.calls, ['d:4'])
})

test('io.buoyant namers are dispatched by name', (t) => {
  t.deepEqual(look('/$/io.buoyant.http.domainToPathPfx/pfx/foo.buoyant.io/x'), {
    type: 'ok',
    value: { type: 'leaf', value: ['pfx', 'io', 'buoyant', 'foo', 'x'] },
  })
  t.deepEqual(look('/$/io.buoyant.http.anyMethod'), { type: 'ok', value: NEG })
  t.deepEqual(shown(boundOf(look('/$/io.buoyant.rinet/12345/localhost/residual'))), {
    id: '/$/io.buoyant.rinet/12345/localhost',
    path: '/residual',
    addr: at('127.0.0.1', 12345),
  })
})
