import test from 'ava'
import { constant } from '../../dtabs/activity.js'
import { isBound, type Addr, type Bound } from '../../dtabs/name.js'
import { readPath } from '../../dtabs/parse.js'
import { showPath } from '../../dtabs/path.js'
import type { HostResolver } from '../inet/inet.js'
import { SYSTEM_NAMERS, type SystemNamerEnv } from './rewriting.js'

const calls: string[] = []
const fixture: HostResolver = (host, port) => {
  calls.push(`${host}:${port}`)
  return constant<Addr>({ type: 'bound', addrs: [{ host, port }] })
}
const env: SystemNamerEnv = { resolveHost: fixture }

/** The shown path a rewriting namer produces for `path` (dtab syntax), or `~` for Neg. */
function rewrite(name: string, path: string): string {
  const namer = SYSTEM_NAMERS.get(name)
  if (namer === undefined) throw new Error(`no namer ${name}`)
  const state = namer(readPath(path), env).get()
  if (state.type !== 'ok') throw new Error(`${name} ${path}: ${state.type}`)
  const tree = state.value
  if (tree.type === 'neg') return '~'
  if (tree.type !== 'leaf' || isBound(tree.value)) throw new Error(`unexpected ${tree.type}`)
  return showPath(tree.value)
}

function table(
  t: import('ava').ExecutionContext,
  name: string,
  cases: readonly (readonly [string, string])[],
): void {
  for (const [input, expected] of cases) t.is(rewrite(name, input), expected, `${name} ${input}`)
}

// Cases marked (L) are linkerd's own tests (namer/core/src/test/.../HostPortTest, HttpTest).

test('io.buoyant.hostportPfx', (t) => {
  table(t, 'io.buoyant.hostportPfx', [
    ['/ia/127.1:8080/etc', '/ia/127.1/8080/etc'], // (L)
    ['/ia/google.com:8180/etc', '/ia/google.com/8180/etc'], // (L)
    ['/ia/google.com:8180:abcdef/etc', '~'], // (L)
    ['/ia/google.com:http/etc', '/ia/google.com/http/etc'], // (L)
    ['/ia/127.1:http/etc', '/ia/127.1/http/etc'], // (L)
    ['/ia/google.com:http:abcdef/etc', '~'], // (L)
    ['/ia/h:80', '/ia/h/80'],
    ['/ia/h:HTTP', '~'], // a DNS label is lower case
    ['/ia/h:-80', '~'],
    ['/ia/h:a-', '/ia/h/a-'], // linkerd's label regex allows a trailing hyphen
    ['/ia/h:' + 'p'.repeat(63), '/ia/h/' + 'p'.repeat(63)],
    ['/ia/h:' + 'p'.repeat(64), '~'],
    ['/ia/h:80:', '/ia/h/80'], // Java's split drops trailing empty strings
    ['/ia/h:', '~'],
    ['/ia/h', '~'],
    ['/ia/::1:80', '~'], // no IPv6
    ['/ia/:80', '~'], // an empty host element cannot exist
    ['/ia', '~'],
    ['/', '~'],
  ])
})

test('io.buoyant.porthostPfx', (t) => {
  table(t, 'io.buoyant.porthostPfx', [
    ['/ia/127.1:8080/etc', '/ia/8080/127.1/etc'], // (L)
    ['/ia/127.1:http/etc', '/ia/http/127.1/etc'], // (L)
    ['/ia/a:b:c/etc', '~'],
    ['/ia', '~'],
  ])
})

test('io.buoyant.http.anyMethod and anyMethodPfx', (t) => {
  table(t, 'io.buoyant.http.anyMethod', [
    ['/GET/foo/bar/bah', '/foo/bar/bah'], // (L)
    ['/A.B/foo/bar/bah', '~'], // (L)
    ['/get/foo', '~'],
    ['/GET', '/'],
    ['/', '~'],
  ])
  table(t, 'io.buoyant.http.anyMethodPfx', [
    ['/foo/GET/bar/bah', '/foo/bar/bah'], // (L)
    ['/foo/A.B/bar/bah', '~'], // (L)
    ['/foo/PATCH', '/foo'],
    ['/foo', '~'],
  ])
})

test('io.buoyant.http.anyHost and anyHostPfx', (t) => {
  table(t, 'io.buoyant.http.anyHost', [
    ['/a.b/foo/bar/bah', '/foo/bar/bah'], // (L)
    ['/a%b/foo/bar/bah', '~'], // (L)
    ['/::1/x', '/x'],
    ['/h_1-2:80/x', '/x'],
    ['/\\x5b::1\\x5d/x', '~'], // brackets are not in the host class
    ['/\\xc3\\xa9/x', '~'],
  ])
  table(t, 'io.buoyant.http.anyHostPfx', [
    ['/foo/a.b/bar/bah', '/foo/bar/bah'], // (L)
    ['/foo/a%b/bar/bah', '~'], // (L)
    ['/foo', '~'],
  ])
})

test('io.buoyant.http.subdomainOf and subdomainOfPfx', (t) => {
  table(t, 'io.buoyant.http.subdomainOf', [
    ['/a.b/foo.a.b/bar/bah', '/foo/bar/bah'], // (L)
    ['/a.b/x.y.a.b', '/x.y'],
    ['/a.b/foo.a.b:8080/x', '/foo/x'],
    ['/a.b/a.b', '~'],
    ['/a.b/.a.b', '~'], // an empty subdomain
    ['/a.b/foo.c.d', '~'],
    ['/a%b/foo.a%b', '~'],
    ['/a.b', '~'],
  ])
  table(t, 'io.buoyant.http.subdomainOfPfx', [
    ['/a.b/foo/bar.a.b/bah', '/foo/bar/bah'], // (L)
    ['/a.b/foo/bar_suffix.a.b/bah', '/foo/bar_suffix/bah'], // (L)
    ['/a.b/foo/bar-suffix.a.b/bah', '/foo/bar-suffix/bah'], // (L)
    ['/a.b/foo/bar.a.b:9090/bah', '/foo/bar/bah'], // (L)
    ['/service.consul/consulSvc/web.service.consul', '/consulSvc/web'],
    ['/a.b/x%y/bar.a.b', '/x%y/bar'], // the prefix is not checked
    ['/a.b/foo/bar.c.d', '~'],
    ['/a.b/foo', '~'],
  ])
})

test('io.buoyant.http.domainToPath and domainToPathPfx', (t) => {
  table(t, 'io.buoyant.http.domainToPath', [
    ['/foo.buoyant.io', '/io/buoyant/foo'], // (L)
    ['/foo.buoyant.io/x', '/io/buoyant/foo/x'],
    ['/localhost', '/localhost'],
    ['/a.', '/a'], // Java's split drops trailing empty labels…
    ['/.../x', '/x'], // …so all-dots leaves no labels at all
    ['/a.b:80', '/b:80/a'],
    ['/.a', '~'], // would be an empty element
    ['/a..b', '~'],
    ['/a%b', '~'],
  ])
  table(t, 'io.buoyant.http.domainToPathPfx', [
    ['/pfx/foo.buoyant.io', '/pfx/io/buoyant/foo'], // (L)
    ['/pfx/foo.buoyant.io/resource/name', '/pfx/io/buoyant/foo/resource/name'], // linkerd docs
    ['/pfx/a%b', '~'],
    ['/pfx', '~'],
  ])
})

function rinet(path: string): { id: string; path: string; addr: Addr } | string {
  const namer = SYSTEM_NAMERS.get('io.buoyant.rinet')
  if (namer === undefined) throw new Error('no rinet')
  const state = namer(readPath(path), env).get()
  if (state.type === 'failed') return (state.error as { code?: string }).code ?? 'failed'
  if (state.type !== 'ok') return state.type
  if (state.value.type !== 'leaf') return state.value.type
  const b = state.value.value as Bound
  return { id: showPath(b.id), path: showPath(b.path), addr: b.addr.get() }
}

test('io.buoyant.rinet binds like inet with the port first', (t) => {
  calls.length = 0
  t.deepEqual(rinet('/12345/localhost/residual'), {
    id: '/$/io.buoyant.rinet/12345/localhost', // (L) RinetTest
    path: '/residual',
    addr: { type: 'bound', addrs: [{ host: 'localhost', port: 12345 }] },
  })
  t.deepEqual(rinet('/0080/h'), {
    id: '/$/io.buoyant.rinet/0080/h',
    path: '/',
    addr: { type: 'bound', addrs: [{ host: 'h', port: 80 }] },
  })
  t.deepEqual(calls, ['localhost:12345', 'h:80'])
  t.is(rinet('/12345'), 'neg')
  t.is(rinet('/'), 'neg')
})

test('io.buoyant.rinet: a bad port is a failed address set, not Neg', (t) => {
  calls.length = 0
  const failedAt = (path: string) => (rinet(path) as { addr: Addr }).addr
  t.deepEqual(failedAt('/http/h'), { type: 'failed', cause: 'For input string: "http"' })
  t.deepEqual(failedAt('/70000/h'), { type: 'failed', cause: 'port out of range:70000' })
  t.deepEqual(failedAt('/-1/h'), { type: 'failed', cause: 'port out of range:-1' })
  t.deepEqual(calls, [])
})

test('io.buoyant.rinet re-reads its id with Path.read, as linkerd does', (t) => {
  // "a/b" as text reads as two elements; a space or a non-ASCII letter does not read at all.
  t.is((rinet('/80/a\\x2fb/r') as { id: string }).id, '/$/io.buoyant.rinet/80/a/b')
  t.is((rinet('/80/a\\x2fb/r') as { path: string }).path, '/r')
  t.is(rinet('/80/a\\x20b'), 'ERR_DTAB_PARSE')
  t.is(rinet('/80/\\xc3\\xa9'), 'ERR_DTAB_PARSE')
  t.is(rinet('/\\x2b80/h'), 'ERR_DTAB_PARSE') // "+80" is an int, but not a path label
})
