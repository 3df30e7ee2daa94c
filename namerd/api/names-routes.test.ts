import test from 'ava'
import { FsNamer } from '../../namers/fs/namer.js'
import { buildApi } from './server.js'
import { memoryContext } from '../../testing/namerd/memory-context.js'

const fixture = { '/#/io.l5d.fs': { web: ['10.0.0.1:8080'], v2: ['10.0.0.2:8080'], none: [] } }
const app = () =>
  buildApi(
    memoryContext(
      { default: '/svc=>/#/io.l5d.fs;/svc/split=>1*/#/io.l5d.fs/web & 1*/#/io.l5d.fs/v2' },
      fixture,
    ),
  )

test('bind: a bound tree with addresses, and the request dtab appended', async (t) => {
  const api = app()
  const r = await api.inject('/api/1/bind/default?path=/svc/web')
  t.is(r.statusCode, 200)
  t.like(JSON.parse(r.body), { type: 'leaf', bound: { id: '/#/io.l5d.fs/web', path: '/' } })
  const o = await api.inject(
    `/api/1/bind/default?path=/svc/web&dtab=${encodeURIComponent('/svc/web=>/#/io.l5d.fs/v2')}`,
  )
  t.like(JSON.parse(o.body), { bound: { id: '/#/io.l5d.fs/v2' } })
  const split = JSON.parse((await api.inject('/api/1/bind/default?path=/svc/split')).body)
  t.is(split.type, 'union')
  t.is(split.union.length, 2)
})

test('a namespace without a dtab binds with the empty dtab (neg), as in namerd', async (t) => {
  const r = await app().inject('/api/1/bind/unknown?path=/svc/web')
  t.is(r.statusCode, 200)
  t.deepEqual(JSON.parse(r.body), { type: 'neg' })
})

test('addr: by bound id, transformer prefix removed; neg for an unknown service', async (t) => {
  const api = app()
  const r = await api.inject('/api/1/addr/default?path=/%23/io.l5d.fs/web')
  t.deepEqual(JSON.parse(r.body), {
    type: 'bound',
    addrs: [{ ip: '10.0.0.1', port: 8080, meta: {} }],
    meta: {},
  })
  const tr = await api.inject('/api/1/addr/default?path=/%25/io.l5d.port/1/%23/io.l5d.fs/web')
  t.is(tr.body, r.body)
  const neg = await api.inject('/api/1/addr/default?path=/%23/io.l5d.fs/nope')
  t.deepEqual(JSON.parse(neg.body), { type: 'neg' })
})

test('resolve: picks a branch by weight and gives its addresses; neg when nothing binds', async (t) => {
  const api = app()
  const seen = new Set<string>()
  for (let i = 0; i < 40; i++) {
    const r = await api.inject('/api/1/resolve/default?path=/svc/split')
    t.is(r.statusCode, 200)
    seen.add(JSON.parse(r.body).addrs[0].ip)
  }
  t.deepEqual([...seen].sort(), ['10.0.0.1', '10.0.0.2'])
  const neg = await api.inject('/api/1/resolve/default?path=/nothing')
  t.deepEqual(JSON.parse(neg.body), { type: 'neg' })
})

test('delegate with and without a namespace; bound-names lists ids bound so far', async (t) => {
  const api = app()
  const d = JSON.parse((await api.inject('/api/1/delegate/default?path=/svc/web')).body)
  t.like(d, { type: 'delegate', path: '/svc/web' })
  const bare = JSON.parse(
    (await api.inject(`/api/1/delegate?path=/x&dtab=${encodeURIComponent('/x=>/y')}`)).body,
  )
  t.like(bare, { type: 'delegate', path: '/x', delegate: { type: 'neg', path: '/y' } })
  await api.inject('/api/1/bind/default?path=/svc/web')
  t.deepEqual(JSON.parse((await api.inject('/api/1/bound-names')).body), ['/#/io.l5d.fs/web'])
})

test('bad path and dtab parameters are 400 with linkerd messages; binding loops are 502', async (t) => {
  const api = app()
  const p = await api.inject('/api/1/bind/default?path=nope')
  t.is(p.statusCode, 400)
  t.regex(p.body, /^Invalid path: nope \//)
  const d = await api.inject('/api/1/bind/default?path=/svc/web&dtab=%2Fa%3D%3E')
  t.is(d.statusCode, 400)
  t.regex(d.body, /^Invalid dtab: /)
  const loop = await api.inject(
    `/api/1/bind/default?path=/l&dtab=${encodeURIComponent('/l=>/m;/m=>/l')}`,
  )
  t.is(loop.statusCode, 502)
  t.is((await api.inject('/api/1/bind/bad:ns?path=/a')).statusCode, 400)
})

test('statuses by code: a stored dtab that does not parse 502, a missing fs rootDir 502, a huge delegation 503', async (t) => {
  const bad = buildApi(memoryContext({ bad: '/a=>' }))
  for (const url of [
    '/api/1/bind/bad?path=/a',
    '/api/1/resolve/bad?path=/a',
    '/api/1/delegate/bad?path=/a',
  ]) {
    const r = await bad.inject(url)
    t.is(r.statusCode, 502, url)
    t.regex(r.body, /stored dtab does not parse/)
  }
  const fs = new FsNamer({ rootDir: '/nonexistent/disco', prefix: ['#', 'io.l5d.fs'], pollMs: 50 })
  t.teardown(() => fs.close())
  const missing = buildApi(
    memoryContext({ default: '/svc=>/#/io.l5d.fs' }, undefined, [
      { prefix: ['#', 'io.l5d.fs'], namer: fs },
    ]),
  )
  t.is((await missing.inject('/api/1/bind/default?path=/svc/web')).statusCode, 502)
  const lines = Array.from({ length: 20 }, (_, i) => `/l${i}=>/l${i + 1}/a | /l${i + 1}/b`)
  const big = buildApi(memoryContext({ big: [...lines, '/l20=>/$/inet/127.0.0.1/80'].join(';') }))
  t.is((await big.inject('/api/1/delegate/big?path=/l0')).statusCode, 503)
})

test('repeated query parameters take the last value, never a 500', async (t) => {
  const api = app()
  t.is((await api.inject('/api/1/dtabs/default?watch=0&watch=false')).statusCode, 200)
  t.is((await api.inject('/api/1/dtabs?watch=0&watch=0')).statusCode, 200)
  const r = await api.inject('/api/1/bind/default?path=/nope&path=/svc/web&watch=f&watch=0')
  t.is(r.statusCode, 200)
  t.like(JSON.parse(r.body), { bound: { id: '/#/io.l5d.fs/web' } })
})
