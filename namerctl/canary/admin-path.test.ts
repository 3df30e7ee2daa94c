import test from 'ava'
import { errorCode } from '../../lib/errors.js'
import { adminUrlsOf } from './admin-path.js'

// namerd's /api/1/bind JSON, written out by hand (docs/namerd.md's shapes)
const leaf = (id: string, addr: Record<string, unknown>) => ({
  type: 'leaf',
  bound: { id, path: '/', addr },
})
const addrs = (...a: [string, number][]) => ({
  type: 'bound',
  addrs: a.map(([ip, port]) => ({ ip, port, meta: {} })),
  meta: {},
})
const union = (...trees: unknown[]) => ({
  type: 'union',
  union: trees.map((tree) => ({ weight: 1, tree })),
})
const WHERE = '--admin-path /p (bound in dtab shop)'

test('every address of every union branch, as http URLs (IPv6 bracketed), sorted, once each', (t) => {
  const json = union(
    leaf('/#/io.l5d.fs/admins', addrs(['10.0.0.2', 9990], ['10.0.0.1', 9990])),
    leaf('/$/inet/::1/9991', addrs(['::1', 9991], ['10.0.0.1', 9990])),
  )
  t.deepEqual(adminUrlsOf(json, WHERE), [
    'http://10.0.0.1:9990',
    'http://10.0.0.2:9990',
    'http://[::1]:9991',
  ])
})

test('of an alternative, the first branch that binds', (t) => {
  const json = {
    type: 'alt',
    alt: [{ type: 'neg' }, leaf('/a', addrs(['10.0.0.3', 1])), leaf('/b', addrs(['10.0.0.4', 2]))],
  }
  t.deepEqual(adminUrlsOf(json, WHERE), ['http://10.0.0.3:1'])
})

test('no address: ERR_NOT_FOUND naming the path, with a failed namer said', (t) => {
  const none = t.throws(() => adminUrlsOf({ type: 'neg' }, WHERE))
  t.is(errorCode(none), 'ERR_NOT_FOUND')
  t.is(none?.message, "--admin-path /p (bound in dtab shop) names no router's admin server")
  const empty = t.throws(() => adminUrlsOf(leaf('/a', addrs()), WHERE))
  t.is(errorCode(empty), 'ERR_NOT_FOUND')
  const failed = t.throws(() => adminUrlsOf(leaf('/a', { type: 'failed', cause: 'EACCES' }), WHERE))
  t.is(errorCode(failed), 'ERR_NOT_FOUND')
  t.regex(failed?.message ?? '', /\(\/a failed: EACCES\)$/)
})

test('some addresses but a leaf failed or pending: ERR_FIGURES_PARTIAL, never fewer routers', (t) => {
  const json = union(leaf('/a', addrs(['10.0.0.1', 1])), leaf('/b', { type: 'pending' }))
  const e = t.throws(() => adminUrlsOf(json, WHERE))
  t.is(errorCode(e), 'ERR_FIGURES_PARTIAL')
  t.is(
    e?.message,
    '--admin-path /p (bound in dtab shop): part of it is unresolved (/b is still pending)',
  )
})

test('a body of another shape: an unexpected response', (t) => {
  t.is(errorCode(t.throws(() => adminUrlsOf({ type: 'leaf' }, WHERE))), 'ERR_UNEXPECTED_RESPONSE')
})
