import test from 'ava'
import { BearerGuard } from '../../lib/auth/bearer.js'
import { EMPTY_DTAB, PENDING, constant, readDtab, readPath } from '../../dtabs/index.js'
import type { ApiContext } from './context.js'
import { memoryContext } from '../../testing/namerd/memory-context.js'
import { buildApi } from './server.js'
import { dryRun } from './dry-run.js'

const FIXTURE = {
  '/#/fs': {
    v1: ['10.0.0.1:80'],
    v2: ['10.0.0.2:80'],
    db: ['10.0.1.1:5432'],
    db2: ['10.0.1.2:5432'],
    dbcopy: ['10.0.1.1:5432'],
    old: ['10.0.2.1:80'],
    same: ['10.0.3.1:80'],
  },
}
const CURRENT = '/svc=>/#/fs;/svc/users=>/#/fs/v1;/svc/db=>/#/fs/db;/svc/copy=>/#/fs/db'

/** A context whose namespace `shop` has live bindings for `paths` (as routers' watches make). */
function withLive(paths: readonly string[], current = CURRENT): ApiContext {
  const cx = memoryContext({ shop: current }, FIXTURE)
  for (const p of paths) cx.namespaces.bind('shop', EMPTY_DTAB, readPath(p))
  return cx
}

const post = (cx: ApiContext, body: string, type = 'application/dtab', ns = 'shop') =>
  buildApi(cx).inject({
    method: 'POST',
    url: `/api/1/dtabs/${ns}/dry-run`,
    headers: { 'content-type': type },
    body,
  })

test('a dry run reports each affected live name before and after, and counts the untouched', async (t) => {
  const cx = withLive(['/svc/users', '/svc/db', '/svc/copy', '/svc/old', '/svc/same'])
  cx.namespaces.bind('shop', readDtab('/svc/same=>/#/fs/db2'), readPath('/svc/local'))
  // No more /svc=>/#/fs: /svc/old stops resolving; /svc/same binds as before.
  const proposed =
    '/svc/users=>9 * /#/fs/v1 & 1 * /#/fs/v2;/svc/db=>/#/fs/db2;/svc/copy=>/#/fs/dbcopy;/svc/same=>/#/fs/same'
  const r = await post(cx, proposed)
  t.is(r.statusCode, 200)
  t.regex(String(r.headers['content-type']), /^application\/json/)
  const bound = (split: Record<string, number>) => ({ split, state: 'bound' })
  t.deepEqual(JSON.parse(r.body), {
    version: 'AAAAAAAAAAE=',
    live: 5,
    untouched: 1,
    names: [
      {
        path: '/svc/copy',
        before: bound({ '/#/fs/db': 1 }),
        after: bound({ '/#/fs/dbcopy': 1 }),
        changes: ['split'],
      },
      {
        path: '/svc/db',
        before: bound({ '/#/fs/db': 1 }),
        after: bound({ '/#/fs/db2': 1 }),
        changes: ['split', 'endpoints'],
      },
      {
        path: '/svc/old',
        before: bound({ '/#/fs/old': 1 }),
        after: { split: {}, state: 'neg' },
        changes: ['split', 'neg'],
      },
      {
        path: '/svc/users',
        before: bound({ '/#/fs/v1': 1 }),
        after: bound({ '/#/fs/v1': 0.9, '/#/fs/v2': 0.1 }),
        changes: ['split', 'endpoints'],
      },
    ],
  })
  // Nothing was written.
  const stored = await buildApi(cx).inject({
    url: '/api/1/dtabs/shop',
    headers: { accept: 'application/dtab' },
  })
  t.is(stored.body, `${CURRENT}\n`)
})

test('a proposed dtab that fails a name, or binds past the work budget, is a fail for that name', async (t) => {
  const cx = withLive(['/svc/users', '/svc/big'])
  // 2^12 leaves: past the default budget of 1,000 nodes.
  const doubling = Array.from({ length: 12 }, (_, i) => `/l${i}=>1 * /l${i + 1} & 1 * /l${i + 1}`)
  const proposed = ['/svc/users=>!', '/svc/big=>/l0', ...doubling, '/l12=>/#/fs/v1'].join(';')
  const r = await post(cx, proposed)
  t.is(r.statusCode, 200)
  const body = JSON.parse(r.body) as { names: Array<Record<string, unknown>> }
  const [big, users] = body.names
  t.is(big?.path, '/svc/big')
  t.deepEqual(big?.changes, ['fail'])
  t.like(big?.after, { state: 'fail', split: {} })
  t.regex(String((big?.after as { error?: string }).error), /1000|budget|limit/i)
  t.is(users?.path, '/svc/users')
  t.deepEqual(users?.changes, ['split', 'fail'])
  t.deepEqual(users?.after, { split: {}, state: 'fail' })
})

test('a name still pending when the time is up is reported pending, not waited for', async (t) => {
  const never = { prefix: readPath('/#/never'), namer: { lookup: () => constant(PENDING) } }
  const cx = memoryContext({ shop: CURRENT }, FIXTURE, [never])
  cx.namespaces.bind('shop', EMPTY_DTAB, readPath('/svc/users'))
  const started = Date.now()
  const report = await dryRun(cx, 'shop', readDtab('/svc/users=>/#/never/x'), 100)
  t.true(Date.now() - started < 1500, 'the settle bound holds')
  t.deepEqual(report.names, [
    {
      path: '/svc/users',
      before: { split: { '/#/fs/v1': 1 }, state: 'bound' },
      after: { split: {}, state: 'pending' },
      changes: ['split', 'pending'],
    },
  ])
})

test('no live names: 0 live; a namespace that does not exist is a dry run of a create', async (t) => {
  const none = await post(withLive([]), '/svc=>/#/fs')
  t.is(none.statusCode, 200)
  t.deepEqual(JSON.parse(none.body), { version: 'AAAAAAAAAAE=', live: 0, untouched: 0, names: [] })
  const absent = await post(withLive(['/svc/users']), '/svc=>/#/fs', 'application/dtab', 'nope')
  t.is(absent.statusCode, 200)
  t.deepEqual(JSON.parse(absent.body), { version: null, live: 0, untouched: 0, names: [] })
  const json = await post(
    withLive(['/svc/users']),
    '[{"prefix":"/svc/users","dst":"/#/fs/v1"}]',
    'application/json',
  )
  t.deepEqual(JSON.parse(json.body), { version: 'AAAAAAAAAAE=', live: 1, untouched: 1, names: [] })
})

test('a proposed dtab that does not parse is 400 with the place, as for PUT', async (t) => {
  const cx = withLive(['/svc/users'])
  const bad = await post(cx, '/svc=>/#/fs &')
  t.is(bad.statusCode, 400)
  t.regex(bad.body, /expected but .* found at line 1, column/)
  const badType = await post(cx, '/svc=>/#/fs', 'application/xml')
  t.is(badType.statusCode, 400)
  t.regex(badType.body, /Invalid Content-Type/)
  t.is((await post(cx, '/svc=>/#/fs', 'application/dtab', 'bad%20ns')).statusCode, 400)
})

test('a dry run needs the read token, not the write token: it changes nothing', async (t) => {
  process.env.DRY_RUN_READ_TOKEN = 'reader'
  process.env.DRY_RUN_WRITE_TOKEN = 'writer'
  const reads = new BearerGuard({ tokenEnv: 'DRY_RUN_READ_TOKEN' })
  const writes = new BearerGuard({ tokenEnv: 'DRY_RUN_WRITE_TOKEN' })
  const api = buildApi({ ...withLive([]), auth: { reads, writes } })
  try {
    const dry = (token?: string) =>
      api.inject({
        method: 'POST',
        url: '/api/1/dtabs/shop/dry-run',
        headers: {
          'content-type': 'application/dtab',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: '/svc=>/#/fs',
      })
    t.is((await dry()).statusCode, 401)
    t.is((await dry('reader')).statusCode, 200)
    // The write token is not a read token here: the dry run asks for the read one.
    t.is((await dry('writer')).statusCode, 403)
    const put = await api.inject({
      method: 'PUT',
      url: '/api/1/dtabs/shop',
      headers: { 'content-type': 'application/dtab', authorization: 'Bearer reader' },
      body: '/a=>/b',
    })
    t.is(put.statusCode, 403)
  } finally {
    reads.close()
    writes.close()
  }
})
