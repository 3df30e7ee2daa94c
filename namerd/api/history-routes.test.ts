import test from 'ava'
import { BearerGuard } from '../../lib/auth/bearer.js'
import { memoryContext } from '../../testing/namerd/memory-context.js'
import { buildApi } from './server.js'

type Api = ReturnType<typeof buildApi>

const write = (api: Api, method: string, url: string, body = '', headers = {}) =>
  api.inject({ method, url, headers: { 'content-type': 'application/dtab', ...headers }, body })

async function historyOf(api: Api, ns: string): Promise<Array<Record<string, unknown>>> {
  const r = await api.inject(`/api/1/dtabs/${ns}/history`)
  if (r.statusCode !== 200) throw new Error(`history ${r.statusCode}: ${r.body}`)
  return JSON.parse(r.body) as Array<Record<string, unknown>>
}

test('history lists every change oldest first: version, dtab text (null when deleted), time, message', async (t) => {
  const api = buildApi(memoryContext())
  const before = Date.now()
  t.is((await write(api, 'POST', '/api/1/dtabs/ns?message=first%20one', '/a=>/b')).statusCode, 204)
  const v1 = (await api.inject('/api/1/dtabs/ns')).headers.etag as string
  const upd = await write(api, 'PUT', '/api/1/dtabs/ns?message=to%20c', '/a=>/c', {
    'if-match': v1,
  })
  t.is(upd.statusCode, 204)
  t.is((await write(api, 'PUT', '/api/1/dtabs/ns', '/a=>/d')).statusCode, 204)
  t.is(
    (await api.inject({ method: 'DELETE', url: '/api/1/dtabs/ns?message=gone' })).statusCode,
    204,
  )
  const h = await historyOf(api, 'ns')
  t.deepEqual(
    h.map((e) => [e.version, e.dtab, e.message, e.by]),
    [
      ['AAAAAAAAAAE=', '/a=>/b', 'first one', undefined],
      ['AAAAAAAAAAI=', '/a=>/c', 'to c', undefined],
      ['AAAAAAAAAAM=', '/a=>/d', undefined, undefined],
      ['AAAAAAAAAAM=', null, 'gone', undefined],
    ],
  )
  for (const e of h) {
    const at = Date.parse(e.at as string)
    t.true(at >= before - 1 && at <= Date.now(), String(e.at))
    t.regex(e.at as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  }
})

test('history of a namespace with no value and no past is 404; a failed write leaves none', async (t) => {
  const api = buildApi(memoryContext({ kept: '/a=>/b' }))
  const none = await api.inject('/api/1/dtabs/nope/history')
  t.is(none.statusCode, 404)
  t.regex(none.body, /dtab nope not found/)
  const stale = await write(api, 'PUT', '/api/1/dtabs/kept', '/a=>/x', {
    'if-match': 'AAAAAAAAAAk=',
  })
  t.is(stale.statusCode, 412)
  t.is((await write(api, 'POST', '/api/1/dtabs/kept', '/a=>/y')).statusCode, 409)
  t.deepEqual(
    (await historyOf(api, 'kept')).map((e) => e.dtab),
    ['/a=>/b'],
  )
  t.is((await api.inject('/api/1/dtabs/bad%20ns/history')).statusCode, 400)
})

test('a message that is too long or holds a control character is 400 and writes nothing', async (t) => {
  const api = buildApi(memoryContext())
  const long = await write(api, 'POST', `/api/1/dtabs/ns?message=${'m'.repeat(1001)}`, '/a=>/b')
  t.is(long.statusCode, 400)
  t.regex(long.body, /message: 1001 characters, more than 1000/)
  const ctl = await write(api, 'POST', '/api/1/dtabs/ns?message=ok%0Aforged', '/a=>/b')
  t.is(ctl.statusCode, 400)
  t.regex(ctl.body, /control character at character 3/)
  t.is((await api.inject('/api/1/dtabs/ns')).statusCode, 404)
  const fine = `/api/1/dtabs/ns?message=${encodeURIComponent('1 % → ünïcode "quoted"')}`
  t.is((await write(api, 'POST', fine, '/a=>/b')).statusCode, 204)
  t.is((await historyOf(api, 'ns'))[0]?.message, '1 % → ünïcode "quoted"')
})

test('with writes behind a token, the history says the change was made by "token"', async (t) => {
  process.env.HISTORY_ROUTES_TOKEN = 'right-token'
  const guard = new BearerGuard({ tokenEnv: 'HISTORY_ROUTES_TOKEN' })
  const api = buildApi({ ...memoryContext(), auth: { writes: guard } })
  try {
    const auth = { authorization: 'Bearer right-token' }
    t.is((await write(api, 'POST', '/api/1/dtabs/ns', '/a=>/b')).statusCode, 401)
    t.is((await write(api, 'POST', '/api/1/dtabs/ns', '/a=>/b', auth)).statusCode, 204)
    t.deepEqual(
      (await historyOf(api, 'ns')).map((e) => [e.dtab, e.by]),
      [['/a=>/b', 'token']],
    )
  } finally {
    guard.close()
  }
})
